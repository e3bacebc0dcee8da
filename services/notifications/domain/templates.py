"""Notice templates per event type in Vietnamese and English, rendered NFC (pure Python)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from common import names
from common.events import Event
from common.local_time import as_read_in_vietnam

LANGUAGES = ("vi", "en")
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving time in Vietnam
NONE = "—"

TITLES = {
    "learning_family": ("Gia đình học tập", "Learning Family"),
    "learning_clan": ("Dòng họ học tập", "Learning Clan"),
    "learning_community_village": ("Cộng đồng học tập cấp thôn", "Learning Community (village)"),
    "learning_community_commune": ("Cộng đồng học tập cấp xã", "Learning Community (commune)"),
    "learning_unit": ("Đơn vị học tập", "Learning Unit"),
    "learning_citizen": ("Công dân học tập", "Learning Citizen"),
}
ROLES = {
    "household_representative": ("đại diện hộ gia đình", "household representative"),
    "village_officer": ("chi hội khuyến học thôn", "village association branch"),
    "commune_association_officer": ("Hội Khuyến học xã", "commune Learning Promotion Association"),
    "learning_centre_staff": ("Trung tâm học tập cộng đồng", "community learning centre"),
    "commune_chairman": ("Chủ tịch UBND xã", "chairman of the commune People's Committee"),
    "unit_head": ("thủ trưởng đơn vị", "head of the unit"),
    "auditor": ("cán bộ kiểm tra", "auditor"),
    "administrator": ("quản trị hệ thống", "administrator"),
}
STATUSES = {
    "draft": ("tự đánh giá", "self-assessment"),
    "village_review": ("kiểm tra cấp thôn", "village review"),
    "evidence_requested": ("bổ sung minh chứng", "evidence requested"),
    "commune_review": ("thẩm định cấp xã", "commune review"),
    "awaiting_decision": ("chờ quyết định công nhận", "awaiting the decision"),
    "withdrawn": ("đã rút", "withdrawn"),
}
LEVELS = {
    "village": ("thôn", "village"),
    "commune": ("xã", "commune"),
    "district": ("huyện", "district"),
    "province": ("tỉnh", "province"),
}
IMPORT_KINDS = {
    "villages": ("thôn, tổ dân phố", "villages"),
    "households": ("hộ gia đình", "households"),
    "clans": ("dòng họ", "clans"),
    "units": ("đơn vị", "units"),
}
OUTCOMES = {
    "recognised": ("được công nhận", "recognised"),
    "not_recognised": ("không được công nhận", "not recognised"),
}
VERDICTS = {
    "accepted": ("được chấp nhận", "accepted"),
    "rejected": ("không được chấp nhận", "rejected"),
    "more_info_needed": ("cần bổ sung thông tin", "needs more information"),
}
ACCOUNT_CHANGES = {
    "password_set": ("đặt mật khẩu mới cho", "set a new password for"),
    "unlocked": ("mở khóa", "unlocked"),
    "unlocked_password_set": ("mở khóa và đặt mật khẩu mới cho", "unlocked and set a new password for"),
    "locked": ("khóa", "locked"),
}
_LABELLED = {"title": TITLES, "status": STATUSES, "from": STATUSES, "to": STATUSES, "role": ROLES,
             "waiting_on_role": ROLES, "level": LEVELS, "kind": IMPORT_KINDS, "outcome": OUTCOMES,
             "change": ACCOUNT_CHANGES, "verdict": VERDICTS}  # fmt: skip

# event type -> language -> (subject, body); placeholders are payload keys or the derived ones above.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "account.access_changed": {
        "vi": ("Tài khoản {username} vừa được thay đổi",
               "Quản trị viên {actor} đã {change} tài khoản {username} của bạn. Lý do: {reason}. Mọi phiên đăng nhập "
               "trước đó đã bị thu hồi. Nếu bạn không yêu cầu thay đổi này, hãy báo ngay cho quản trị viên."),
        "en": ("Your account {username} was changed",
               "Administrator {actor} {change} your account {username}. Reason: {reason}. Every earlier sign-in "
               "was revoked. If you did not ask for this, tell an administrator at once."),
    },
    "case.opened": {
        "vi": ("Hồ sơ mới được mở: {title} năm {year}",
               "Hồ sơ đề nghị công nhận danh hiệu {title} năm {year} tại đơn vị {admin_unit_code} vừa được mở."),
        "en": ("New case opened: {title} {year}",
               "A recognition case for the title {title} {year} in admin unit {admin_unit_code} has been opened."),
    },
    "case.draft_saved": {
        "vi": ("Hồ sơ đã được lưu nháp", "Bản tự đánh giá của hồ sơ đã được {actor} lưu nháp."),
        "en": ("Case draft saved", "The self-assessment was saved as a draft by {actor}."),
    },
    "case.submitted": {
        "vi": ("Hồ sơ chờ kiểm tra", "{actor} đã nộp bản tự đánh giá; hồ sơ đang chờ bước {to}."),
        "en": ("Case submitted for review", "{actor} submitted the self-assessment; the case awaits {to}."),
    },
    "case.score_adjusted": {
        "vi": ("Điểm của hồ sơ đã được điều chỉnh", "{actor} đã điều chỉnh điểm ở bước {from}."),
        "en": ("Case scores adjusted", "{actor} adjusted scores during {from}."),
    },
    "case.evidence_requested": {
        "vi": ("Yêu cầu bổ sung minh chứng", "{actor} yêu cầu bổ sung minh chứng cho hồ sơ. Lý do: {reason}"),
        "en": ("Evidence requested", "{actor} asks for more evidence for the case. Reason: {reason}"),
    },
    "case.evidence_provided": {
        "vi": ("Minh chứng đã được bổ sung", "{actor} đã bổ sung minh chứng; hồ sơ trở lại bước {to}."),
        "en": ("Evidence provided", "{actor} provided the evidence; the case is back at {to}."),
    },
    "case.review_passed": {
        "vi": ("Hồ sơ đã qua bước {from}", "Hồ sơ đã qua bước {from} và chuyển sang bước {to}."),
        "en": ("Case passed {from}", "The case passed {from} and moves on to {to}."),
    },
    "case.withdrawn": {
        "vi": ("Hồ sơ đã được rút", "Hồ sơ đã được {actor} rút. Lý do: {reason}"),
        "en": ("Case withdrawn", "The case was withdrawn by {actor}. Reason: {reason}"),
    },
    "case.village_changed": {
        "vi": ("Hồ sơ chuyển về thôn: {title} năm {year}",
               "Theo sổ đăng ký ({actor} nhập từ tệp “{file_name}”), đối tượng nay ở {village_name}; hồ sơ "
               "{title} năm {year} chuyển về đây, đang ở bước {status}."),
        "en": ("A case moved to your village: {title} {year}",
               "The register ({actor}, file “{file_name}”) now places the subject in {village_name}; the "
               "{title} {year} case moved there and is at the {status} step."),
    },
    "case.assigned": {
        "vi": ("Bạn được giao hồ sơ: {title} năm {year}",
               "{actor} đã giao cho bạn hồ sơ {title} năm {year} tại đơn vị {admin_unit_code}, đang ở bước "
               "{status}. Lý do: {reason}"),
        "en": ("A case was handed to you: {title} {year}",
               "{actor} handed you the case {title} {year} in admin unit {admin_unit_code}, now at {status}. "
               "Reason: {reason}"),
    },
    "case.self_assessment_opened": {
        "vi": ("Đã đến thời gian tự đánh giá", "Từ hôm nay hồ sơ có thể được nộp; hạn nộp là ngày {due}."),
        "en": ("Self-assessment is open", "From today the case can be submitted; it is due on {due}."),
    },
    "case.reminder_due": {
        "vi": ("Nhắc việc: hồ sơ đến hạn ngày {due}", "Hồ sơ đang ở bước {status}, cần xử lý trước ngày {due}."),
        "en": ("Reminder: case due on {due}", "The case is at {status} and must be handled by {due}."),
    },
    "case.overdue": {
        "vi": ("Quá hạn: hồ sơ chưa được xử lý (hạn {due})",
               "Hồ sơ ở bước {status} đã quá hạn ngày {due}. Bên cần xử lý: {waiting_on_role}."),
        "en": ("Overdue: case not handled (due {due})",
               "The case at {status} is past its due date {due}. Waiting on: {waiting_on_role}."),
    },
    "case.escalated": {
        "vi": ("Chuyển cấp đôn đốc: hồ sơ quá hạn (hạn {due})",
               "Hồ sơ ở bước {status} quá hạn ngày {due} đã được chuyển đến {role} (cấp {level}) để đôn đốc."),
        "en": ("Escalated: overdue case (due {due})",
               "The case at {status}, due {due}, has been escalated to the {role} ({level} level)."),
    },
    "evidence.uploaded": {
        "vi": ("Minh chứng mới được tải lên", "{actor} đã tải lên minh chứng “{file_name}” (chỉ tiêu "
               "{indicator_code}) cho hồ sơ đang ở bước {status}."),
        "en": ("New evidence uploaded", "{actor} uploaded the evidence file “{file_name}” (indicator "
               "{indicator_code}) to the case at {status}."),
    },
    "evidence.judged": {
        "vi": ("Minh chứng {verdict}: “{file_name}”", "{actor} kết luận minh chứng “{file_name}” (chỉ tiêu "
               "{indicator_code}) {verdict}. Lý do: {reason}"),
        "en": ("Evidence {verdict}: “{file_name}”", "{actor} judged the evidence file “{file_name}” (indicator "
               "{indicator_code}): {verdict}. Reason: {reason}"),
    },
    "subjects.imported": {
        "vi": ("Đã nhập danh sách {kind}", "{actor} đã nhập danh sách {kind}: {count} bản ghi."),
        "en": ("Imported: {kind}", "{actor} imported {kind}: {count} records."),
    },
    "round.opened": {
        "vi": ("Mở đợt xét công nhận danh hiệu năm {year}",
               "Đợt tự đánh giá, xét công nhận các danh hiệu học tập năm {year} đã mở. Hạn tự đánh giá: {due}."),
        "en": ("Recognition round {year} open",
               "Self-assessment for the {year} learning titles is open until {due}."),
    },
    "round.created": {
        "vi": ("Mở đợt xét khen thưởng", "Một đợt xét khen thưởng mới đã được mở; vui lòng chuẩn bị hồ sơ đề nghị."),
        "en": ("Award round opened", "A new award round is open; please prepare the nominations."),
    },
    "round.posted": {
        "vi": ("Niêm yết danh sách đề nghị công nhận năm {year}",
               "Danh sách đề nghị công nhận danh hiệu năm {year} đã được lập. Đề nghị chi hội niêm yết công khai "
               "tại thôn và tiếp nhận kiến nghị của nhân dân đến hết ngày {objections_close}."),
        "en": ("Post the proposed recognition list for {year}",
               "The proposed recognition list for {year} is ready. Please post it publicly in the village and "
               "take residents' objections until the end of {objections_close}."),
    },
    "objection.filed": {
        "vi": ("Có kiến nghị về danh sách đề nghị công nhận năm {year}",
               "{filed_by} đã gửi kiến nghị: “{content}”. Kiến nghị cần được xác minh, giải quyết trước khi "
               "hội đồng xét công nhận họp."),
        "en": ("Objection to the proposed recognition list for {year}",
               "{filed_by} filed an objection: “{content}”. It must be verified and resolved before the "
               "council meets."),
    },
    "case.decided": {
        "vi": ("Kết quả xét công nhận danh hiệu {title} năm {year}",
               "Theo Quyết định số {decision_number}, hồ sơ đề nghị công nhận danh hiệu {title} năm {year} "
               "{outcome}."),
        "en": ("Recognition result: {title} {year}",
               "Under decision {decision_number}, the case for the title {title} {year} was {outcome}."),
    },
    "recognition.revoked": {
        "vi": ("Thu hồi danh hiệu {title} năm {year}",
               "Theo Quyết định số {decision_number}, danh hiệu {title} năm {year} đã bị thu hồi. "
               "Lý do: {reason}"),
        "en": ("Title revoked: {title} {year}",
               "Under decision {decision_number}, the title {title} {year} has been revoked. Reason: {reason}"),
    },
    "recognition.dependency_unmet": {
        "vi": ("Danh hiệu {title} năm {year} không còn đủ điều kiện",
               "Sau Quyết định thu hồi số {trigger_number}, danh hiệu {title} năm {year} của {subject} "
               "(Quyết định số {decision_number}) không còn đủ điều kiện: {reason} Đề nghị Chủ tịch UBND xã "
               "xem xét thu hồi."),
        "en": ("Title {title} {year} no longer qualifies",
               "After revoking decision {trigger_number}, the title {title} {year} of {subject} (decision "
               "{decision_number}) no longer meets its dependency: {reason} The commune chairman may revoke "
               "it."),
    },
    "recognition.dependency_restored": {
        "vi": ("Danh hiệu {title} năm {year} đã đủ điều kiện trở lại",
               "Sau Quyết định công nhận bổ sung số {trigger_number}, danh hiệu {title} năm {year} của "
               "{subject} (Quyết định số {decision_number}) đã đủ điều kiện trở lại: {reason} Cảnh báo "
               "trước đây về danh hiệu này không còn hiệu lực."),
        "en": ("Title {title} {year} qualifies again",
               "After supplementary decision {trigger_number}, the title {title} {year} of {subject} "
               "(decision {decision_number}) meets its dependency again: {reason} The earlier warning about "
               "it no longer stands."),
    },
    "round.reminder_due": {
        "vi": ("Sắp hết hạn tự đánh giá năm {year} (hạn {due})",
               "Còn {waiting} hồ sơ đang ở bước tự đánh giá. Đề nghị chi hội đôn đốc các hộ hoàn thành "
               "và nộp trước ngày {due}."),
        "en": ("Self-assessment closes soon for {year} (due {due})",
               "{waiting} cases are still in self-assessment. Please remind the households to finish and "
               "submit by {due}."),
    },
    "report.reminder_due": {
        "vi": ("Nhắc hạn nộp báo cáo năm {year} (hạn {due})",
               "Báo cáo định kỳ về xây dựng xã hội học tập năm {year} cần được nộp trước ngày {due}."),
        "en": ("Reminder: report for {year} due {due}",
               "The periodic learning-society report for {year} must be submitted by {due}."),
    },
    "report.overdue": {
        "vi": ("Báo cáo quá hạn", "Báo cáo định kỳ về xây dựng xã hội học tập đã quá hạn nộp."),
        "en": ("Report overdue", "A periodic learning-society report is past its due date."),
    },
    "nomination.submitted": {
        "vi": ("Có đề nghị khen thưởng mới: {name}",
               "{actor} đã đề nghị khen thưởng {name} trong đợt khen thưởng năm {year}; hồ sơ đang chờ xem xét."),
        "en": ("New award nomination: {name}",
               "{actor} nominated {name} in the {year} award round; the nomination awaits consideration."),
    },
    "awards.decided": {
        "vi": ("Đã có quyết định khen thưởng số {number}",
               "Quyết định khen thưởng số {number} ngày {decided} của đợt khen thưởng năm {year} đã được ký."),
        "en": ("Award decision No. {number} signed",
               "Award decision No. {number} of {decided} for the {year} award round has been signed."),
    },
    "nomination.decided": {
        "vi": ("Kết quả đề nghị khen thưởng: quyết định số {number}",
               "Quyết định khen thưởng số {number} ngày {decided} (đợt năm {year}) khen thưởng {awarded_count}"
               " trong số {nominated_count} đối tượng anh/chị đề nghị: {awarded_names}."),
        "en": ("Your award nominations: decision No. {number}",
               "Award decision No. {number} of {decided} ({year} round) awards {awarded_count} of the"
               " {nominated_count} you nominated: {awarded_names}."),
    },
}  # fmt: skip
FALLBACK = {
    "vi": ("Thông báo: {type}", "Hệ thống ghi nhận sự kiện «{type}»."),
    "en": ("Notice: {type}", "The platform recorded the event “{type}”."),
}
CASE_LINE = {"vi": "Mã hồ sơ: {}", "en": "Case: {}"}
WHO_LINE = {"vi": "Đối tượng: {}", "en": "Subject: {}"}
FOOTER = {
    "vi": "— Hệ thống Xã hội học tập. Thư gửi tự động, vui lòng không trả lời.",
    "en": "— Learning Society platform. This message is automatic; please do not reply.",
}


@dataclass(frozen=True)
class Rendered:
    """A notice in one language: a one-line subject and a plain-text body."""

    subject: str
    body: str


def nfc(text: str) -> str:
    """Text in Unicode NFC (precomposed Vietnamese letters, as every client expects)."""
    return unicodedata.normalize("NFC", text)


def language_of(value: str | None) -> str:
    """A supported language; Vietnamese unless English is asked for."""
    return value if value in LANGUAGES else "vi"


def format_day(value: Any, language: str) -> str:
    """A timestamp as a date in Vietnam: 24/11/2026 in Vietnamese, 2026-11-24 in English."""
    return as_read_in_vietnam(value, language)


def label(kind: Mapping[str, tuple[str, str]], value: Any, language: str) -> str:
    """A code's label in a language; an unknown code is shown as it is."""
    pair = kind.get(str(value))
    return pair[LANGUAGES.index(language)] if pair else str(value)


def template_values(payload: Mapping[str, Any], language: str) -> dict[str, str]:
    """The placeholders of a payload: plain values as they are, codes as labels, None as a dash."""
    values: dict[str, str] = {}
    for key, value in payload.items():
        if value is None:
            values[key] = NONE
        elif key in _LABELLED:
            values[key] = label(_LABELLED[key], value, language)
        elif isinstance(value, str | int | float):
            values[key] = str(value)
    if payload.get("subject_id") is not None:  # who, as people read it; the id when the register is silent
        values["subject"] = subject_label(payload) or str(payload["subject_id"])
    if payload.get("due_at"):
        values["due"] = format_day(payload["due_at"], language)
    if payload.get("decided_on"):
        values["decided"] = format_day(payload["decided_on"], language)
    if payload.get("objections_close"):
        values["objections_close"] = format_day(payload["objections_close"], language)
    if isinstance(payload.get("written"), dict):
        # Records added or changed; other counts (e.g. the cases that followed a move) are not records.
        written = payload["written"].items()
        values["count"] = str(
            sum(v for k, v in written if isinstance(v, int) and k.endswith(("_added", "_changed")))
        )
    return values


def render(event: Event, language: str) -> Rendered:
    """An event's notice in a language; an unknown type or a missing value gives the generic notice."""
    language = language_of(language)
    values = {**template_values(event.payload, language), "type": event.type}
    subject, body = TEMPLATES.get(event.type, FALLBACK)[language]
    try:
        subject, body = subject.format_map(values), body.format_map(values)
    except (KeyError, IndexError, ValueError):
        subject, body = (t.format_map({"type": event.type}) for t in FALLBACK[language])
    lines = [body]
    who = subject_label(event.payload)
    if who:  # whose case: "… — Nguyễn Văn An (H001)" (events since session 17 name their subject)
        subject = f"{subject} — {who}"
        lines.append(WHO_LINE[language].format(who))
    if event.payload.get("case_id"):
        lines.append(CASE_LINE[language].format(event.payload["case_id"]))
    return Rendered(subject=nfc(subject[:300]), body=nfc("\n".join(lines)))


def subject_label(payload: Mapping[str, Any]) -> str:
    """Who an event is about as people read it (`common.names.subject_label`); "" when it names no one."""
    return names.subject_label(payload.get("subject_name"), payload.get("subject_code"))


def subjects_for(event: Event) -> tuple[str, str]:
    """Vietnamese and English subject lines of an event (the inbox keeps both)."""
    return render(event, "vi").subject, render(event, "en").subject


def with_footer(body: str, language: str) -> str:
    """An e-mail body with the platform's signature."""
    return f"{body}\n\n{FOOTER[language_of(language)]}\n"
