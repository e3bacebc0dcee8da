"""Notice templates: every event type in Vietnamese and English, NFC, labels, dates, and fallbacks (pure)."""

from __future__ import annotations

import unicodedata

import pytest

from common.events import Event
from services.notifications.domain.templates import (
    FALLBACK,
    TEMPLATES,
    render,
    subjects_for,
    with_footer,
)

FULL_PAYLOAD = {
    "case_id": "c-1",
    "workflow_id": "recognition/2026/learning_family/HH-001",
    "admin_unit_code": "26734",
    "title": "learning_family",
    "year": 2026,
    "actor": "can-bo-thon-1",
    "reason": "Thiếu giấy khen",
    "from": "village_review",
    "to": "commune_review",
    "status": "village_review",
    "due_at": "2026-11-30T17:00:00+00:00",
    "role": "commune_association_officer",
    "level": "commune",
    "waiting_on_role": "village_officer",
    "kind": "households",
    "written": {"households_added": 12, "citizens_changed": 40, "cases_moved": 2},  # 52 records
    "filed_by": "Bà Lê Thị Hoa, thôn 1",
    "content": "Hộ này chưa đủ điều kiện",
    "objections_close": "2026-10-08",
    "decision_number": "01/QĐ-UBND",
    "outcome": "recognised",
    "waiting": 7,
    "subject_id": "26734-T1",
    "trigger_number": "03/QĐ-UBND",
    "username": "can-bo-thon-1",
    "change": "password_set",
    "file_name": "Giấy khen.pdf",
    "indicator_code": "1.2",
    "verdict": "more_info_needed",
    "name": "Hộ ông Nguyễn Văn An",
    "number": "12/QĐ-UBND",
    "decided_on": "2026-10-30",
    "village_code": "26734.T2",
    "village_name": "Thôn 2",
    "nominated_count": 3,
    "awarded_count": 2,
    "awarded_names": "Hộ ông Nguyễn Văn An, Dòng họ Lê",
}


@pytest.mark.parametrize("event_type", sorted(TEMPLATES))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_known_event_type_renders_its_own_template_in_nfc(event_type: str, language: str) -> None:
    notice = render(Event(type=event_type, source="t", payload=FULL_PAYLOAD), language)
    fallback_subject = FALLBACK[language][0].format(type=event_type)
    assert notice.subject != fallback_subject
    assert "{" not in notice.subject + notice.body
    assert unicodedata.is_normalized("NFC", notice.subject) and unicodedata.is_normalized("NFC", notice.body)


def test_the_template_texts_themselves_are_nfc() -> None:
    for languages in [*TEMPLATES.values(), FALLBACK]:
        for subject, body in languages.values():
            assert unicodedata.is_normalized("NFC", subject + body)


def test_a_case_opened_notice_names_the_title_in_each_language() -> None:
    event = Event(
        type="case.opened",
        source="evaluation",
        payload={"title": "learning_family", "year": 2026, "admin_unit_code": "26734"},
    )
    assert subjects_for(event) == (
        "Hồ sơ mới được mở: Gia đình học tập năm 2026",
        "New case opened: Learning Family 2026",
    )


def test_a_case_notice_says_whose_case_it_is_when_the_event_names_the_subject() -> None:
    named = {**FULL_PAYLOAD, "subject_name": "Nguyễn Văn An", "subject_code": "H001"}
    notice = render(Event(type="case.evidence_requested", source="t", payload=named), "vi")
    assert notice.subject == "Yêu cầu bổ sung minh chứng — Nguyễn Văn An (H001)"
    assert notice.body.splitlines()[1:] == ["Đối tượng: Nguyễn Văn An (H001)", "Mã hồ sơ: c-1"]
    english = render(Event(type="case.evidence_requested", source="t", payload=named), "en")
    assert english.subject == "Evidence requested — Nguyễn Văn An (H001)"
    assert "Subject: Nguyễn Văn An (H001)" in english.body.splitlines()
    name_only = {**FULL_PAYLOAD, "subject_name": "Dòng họ Lê", "subject_code": None}
    assert render(Event(type="case.submitted", source="t", payload=name_only), "vi").subject.endswith(
        " — Dòng họ Lê"
    )
    # an event recorded before events named their subject reads as it always did
    assert render(Event(type="case.evidence_requested", source="t", payload=FULL_PAYLOAD), "vi").subject == (
        "Yêu cầu bổ sung minh chứng"
    )


def test_a_dependency_warning_names_the_title_holder_by_name_not_by_id() -> None:
    payload = {
        "title": "learning_community_village",
        "year": 2026,
        "subject_id": "26734.T01",
        "trigger_number": "05/QĐ-UBND",
        "decision_number": "02/QĐ-UBND",
        "reason": "Chỉ còn 60% gia đình học tập.",
    }
    named = render(
        Event(
            type="recognition.dependency_unmet",
            source="t",
            payload=payload | {"subject_name": "Thôn 1", "subject_code": "26734.T01"},
        ),
        "vi",
    )
    assert (
        "danh hiệu Cộng đồng học tập cấp thôn năm 2026 của Thôn 1 (26734.T01) (Quyết định số 02/QĐ-UBND)"
        in named.body
    )
    older = render(Event(type="recognition.dependency_unmet", source="t", payload=payload), "vi")
    assert "của 26734.T01 (Quyết định số 02/QĐ-UBND)" in older.body  # an event from before names the id


def test_an_evidence_request_reads_naturally_in_vietnamese_with_the_reason() -> None:
    notice = render(Event(type="case.evidence_requested", source="t", payload=FULL_PAYLOAD), "vi")
    assert notice.subject == "Yêu cầu bổ sung minh chứng"
    assert notice.body.splitlines() == [
        "can-bo-thon-1 yêu cầu bổ sung minh chứng cho hồ sơ. Lý do: Thiếu giấy khen",
        "Mã hồ sơ: c-1",
    ]


def test_decomposed_input_comes_out_precomposed() -> None:
    decomposed = unicodedata.normalize("NFD", "Thiếu giấy khen")
    notice = render(
        Event(type="case.withdrawn", source="t", payload={"actor": "a", "reason": decomposed}), "vi"
    )
    assert "Lý do: Thiếu giấy khen" in notice.body
    assert unicodedata.is_normalized("NFC", notice.body)


def test_due_dates_are_days_in_vietnam_time() -> None:
    event = Event(type="case.overdue", source="t", payload=FULL_PAYLOAD)  # 17:00 UTC is midnight in Hà Nội
    assert render(event, "vi").subject == "Quá hạn: hồ sơ chưa được xử lý (hạn 01/12/2026)"
    assert render(event, "en").subject == "Overdue: case not handled (due 2026-12-01)"


def test_codes_become_labels_in_the_chosen_language() -> None:
    event = Event(type="case.escalated", source="t", payload=FULL_PAYLOAD)
    assert "Hội Khuyến học xã (cấp xã)" in render(event, "vi").body
    assert "commune Learning Promotion Association (commune level)" in render(event, "en").body


def test_an_absent_reason_is_a_dash_not_none() -> None:
    notice = render(Event(type="case.withdrawn", source="t", payload={"actor": "a", "reason": None}), "en")
    assert notice.body.startswith("The case was withdrawn by a. Reason: —")


def test_an_unknown_event_type_still_gets_a_notice() -> None:
    event = Event(type="x.happened", source="s", payload={})
    assert subjects_for(event) == ("Thông báo: x.happened", "Notice: x.happened")
    assert render(event, "vi").body == "Hệ thống ghi nhận sự kiện «x.happened»."


def test_a_template_missing_a_value_falls_back_instead_of_failing() -> None:
    assert subjects_for(Event(type="case.opened", source="s", payload={}))[1] == "Notice: case.opened"


def test_an_unsupported_language_gets_vietnamese() -> None:
    event = Event(type="evidence.uploaded", source="t", payload={})
    assert render(event, "fr") == render(event, "vi")


def test_an_import_notice_counts_the_records_written() -> None:
    notice = render(Event(type="subjects.imported", source="t", payload=FULL_PAYLOAD), "vi")
    assert notice.subject == "Đã nhập danh sách hộ gia đình"
    assert notice.body == "can-bo-thon-1 đã nhập danh sách hộ gia đình: 52 bản ghi.\nMã hồ sơ: c-1"


def test_e_mails_are_signed_off_in_their_language() -> None:
    assert with_footer("x", "vi").endswith("Thư gửi tự động, vui lòng không trả lời.\n")
    assert with_footer("x", "en").endswith("please do not reply.\n")


def test_the_rounds_notices_name_the_window_the_decision_and_the_outcome() -> None:
    posted = Event(
        type="round.posted", source="evaluation", payload={"year": 2026, "objections_close": "2026-10-08"}
    )
    assert "hết ngày 08/10/2026" in render(posted, "vi").body
    assert "until the end of 2026-10-08" in render(posted, "en").body
    decided = Event(
        type="case.decided",
        source="evaluation",
        payload={
            "title": "learning_family",
            "year": 2026,
            "outcome": "not_recognised",
            "decision_number": "01/QĐ-UBND",
        },
    )
    assert render(decided, "vi").body == (
        "Theo Quyết định số 01/QĐ-UBND, hồ sơ đề nghị công nhận danh hiệu Gia đình học tập năm 2026 "
        "không được công nhận."
    )
    assert render(decided, "en").subject == "Recognition result: Learning Family 2026"


def test_the_rounds_reminder_counts_the_households_still_in_self_assessment_and_names_the_day() -> None:
    reminder = Event(
        type="round.reminder_due",
        source="evaluation",
        payload={"year": 2026, "waiting": 12, "due_at": "2026-08-31T16:59:00+00:00"},
    )
    assert render(reminder, "vi").subject == "Sắp hết hạn tự đánh giá năm 2026 (hạn 31/08/2026)"
    assert "Còn 12 hồ sơ đang ở bước tự đánh giá" in render(reminder, "vi").body
    assert "12 cases are still in self-assessment" in render(reminder, "en").body
    report = Event(
        type="report.reminder_due", source="evaluation", payload={"year": 2026, "due_at": "2026-12-05"}
    )
    assert render(report, "vi").subject == "Nhắc hạn nộp báo cáo năm 2026 (hạn 05/12/2026)"


def test_the_yearly_round_opening_names_the_year_and_the_last_day_of_self_assessment() -> None:
    opened = Event(
        type="round.opened",
        source="evaluation",
        payload={"year": 2027, "due_at": "2027-09-30T16:59:59+00:00"},
    )
    assert render(opened, "vi").subject == "Mở đợt xét công nhận danh hiệu năm 2027"
    assert "Hạn tự đánh giá: 30/09/2027." in render(opened, "vi").body
    award = Event(type="round.created", source="awards", payload={"year": 2027})
    assert render(award, "vi").subject == "Mở đợt xét khen thưởng"


def test_a_restored_dependency_names_the_supplementary_decision_and_the_share_met() -> None:
    payload = {
        **FULL_PAYLOAD,
        "title": "learning_community_village",
        "decision_number": "01/QĐ-UBND",
        "trigger_number": "03/QĐ-UBND",
        "reason": "Tỷ lệ đạt danh hiệu “Gia đình học tập” là 70%, đạt mức 70% (10 thành viên).",
    }
    event = Event(type="recognition.dependency_restored", source="evaluation", payload=payload)
    vi, en = render(event, "vi"), render(event, "en")
    assert vi.subject == "Danh hiệu Cộng đồng học tập cấp thôn năm 2026 đã đủ điều kiện trở lại"
    assert "Sau Quyết định công nhận bổ sung số 03/QĐ-UBND" in vi.body
    assert "(Quyết định số 01/QĐ-UBND) đã đủ điều kiện trở lại: Tỷ lệ đạt danh hiệu" in vi.body
    assert en.subject == "Title Learning Community (village) 2026 qualifies again"
    assert "After supplementary decision 03/QĐ-UBND" in en.body and "meets its dependency again" in en.body
    assert unicodedata.is_normalized("NFC", vi.subject + vi.body + en.subject + en.body)


def test_an_account_owner_is_told_who_changed_their_account_and_why_in_each_language() -> None:
    payload = {
        "username": "truong-thon",
        "actor": "quan-tri",
        "change": "password_set",
        "reason": "Quên mật khẩu",
    }
    event = Event(type="account.access_changed", source="evaluation", payload=payload)
    vi, en = render(event, "vi"), render(event, "en")
    assert vi.subject == "Tài khoản truong-thon vừa được thay đổi"
    assert "Quản trị viên quan-tri đã đặt mật khẩu mới cho tài khoản truong-thon" in vi.body
    assert "Lý do: Quên mật khẩu." in vi.body
    assert "Administrator quan-tri set a new password for your account truong-thon." in en.body


def test_a_case_handed_over_says_who_handed_it_where_it_stands_and_why() -> None:
    payload = {
        "title": "learning_family",
        "year": 2026,
        "admin_unit_code": "26506",
        "status": "village_review",
        "actor": "chu-tich",
        "reason": "Cán bộ cũ nghỉ phép",
    }
    notice = render(Event(type="case.assigned", source="t", payload=payload), "vi")
    assert notice.subject == "Bạn được giao hồ sơ: Gia đình học tập năm 2026"
    assert notice.body == (
        "chu-tich đã giao cho bạn hồ sơ Gia đình học tập năm 2026 tại đơn vị 26506, đang ở bước kiểm tra "
        "cấp thôn. Lý do: Cán bộ cũ nghỉ phép"
    )


def test_a_household_is_told_which_file_needs_more_and_why() -> None:
    payload = {**FULL_PAYLOAD, "reason": "Ảnh mờ, chụp lại giúp"}
    vi = render(Event(type="evidence.judged", source="t", payload=payload), "vi")
    assert vi.subject == "Minh chứng cần bổ sung thông tin: “Giấy khen.pdf”"
    assert vi.body.startswith(
        "can-bo-thon-1 kết luận minh chứng “Giấy khen.pdf” (chỉ tiêu 1.2) cần bổ sung thông tin. "
        "Lý do: Ảnh mờ, chụp lại giúp"
    )
    en = render(Event(type="evidence.judged", source="t", payload={**payload, "verdict": "rejected"}), "en")
    assert en.subject == "Evidence rejected: “Giấy khen.pdf”"


def test_an_award_rounds_managers_are_told_who_was_nominated_and_of_the_signed_decision() -> None:
    nominated = render(Event(type="nomination.submitted", source="t", payload=FULL_PAYLOAD), "vi")
    assert nominated.subject == "Có đề nghị khen thưởng mới: Hộ ông Nguyễn Văn An"
    decided = render(Event(type="awards.decided", source="t", payload=FULL_PAYLOAD), "vi")
    assert decided.body.startswith(
        "Quyết định khen thưởng số 12/QĐ-UBND ngày 30/10/2026 của đợt khen thưởng năm 2026 đã được ký."
    )


def test_a_nominator_learns_what_the_decision_gave_those_they_nominated() -> None:
    payload = {k: v for k, v in FULL_PAYLOAD.items() if k != "case_id"}  # an award round's, not a case's
    vi = render(Event(type="nomination.decided", source="t", payload=payload), "vi")
    assert vi.subject == "Kết quả đề nghị khen thưởng: quyết định số 12/QĐ-UBND"
    assert vi.body == (
        "Quyết định khen thưởng số 12/QĐ-UBND ngày 30/10/2026 (đợt năm 2026) khen thưởng 2 trong số 3 đối"
        " tượng anh/chị đề nghị: Hộ ông Nguyễn Văn An, Dòng họ Lê."
    )
    none = {**payload, "awarded_count": 0, "awarded_names": None}
    en = render(Event(type="nomination.decided", source="t", payload=none), "en")
    assert (
        en.body
        == "Award decision No. 12/QĐ-UBND of 2026-10-30 (2026 round) awards 0 of the 3 you nominated: —."
    )


def test_a_villages_staff_learn_that_a_case_moved_to_their_village() -> None:
    payload = {**FULL_PAYLOAD, "file_name": "ho-chuyen.csv", "village_name": "Thôn 2"}
    vi = render(Event(type="case.village_changed", source="t", payload=payload), "vi")
    assert vi.subject == "Hồ sơ chuyển về thôn: Gia đình học tập năm 2026"
    assert vi.body.startswith(
        "Theo sổ đăng ký (can-bo-thon-1 nhập từ tệp “ho-chuyen.csv”), đối tượng nay ở Thôn 2;"
    )
