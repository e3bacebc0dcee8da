"""Unit tests: the wording and text of decisions and certificates, before rendering (evaluation paperwork)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from typing import Any

import pytest

from services.evaluation.paperwork import AnnexRow, PaperworkInvalid, certificates_for
from services.evaluation.paperwork.content import (
    certificate_content,
    decision_content,
    issuer_lines,
)
from services.evaluation.paperwork.samples import (
    sample_certificate,
    sample_correction,
    sample_decision,
    sample_revocation,
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [s for v in value for s in _strings(v)]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name))]
    return []


def test_issuer_name_breaks_after_uy_ban_nhan_dan_or_where_asked() -> None:
    assert issuer_lines("ỦY BAN NHÂN DÂN XÃ TRIỆU SƠN") == ("ỦY BAN NHÂN DÂN", "XÃ TRIỆU SƠN")
    assert issuer_lines("HỘI KHUYẾN HỌC\nXÃ VẠN HÒA") == ("HỘI KHUYẾN HỌC", "XÃ VẠN HÒA")
    assert issuer_lines("  TRƯỜNG  TIỂU HỌC AN BÌNH ") == ("TRƯỜNG TIỂU HỌC AN BÌNH",)


def test_bases_end_with_semicolons_then_a_full_stop_after_the_proposal() -> None:
    content = decision_content(sample_decision())
    assert content.bases[0] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
    assert content.bases[-1] == "Theo đề nghị của Chủ tịch Hội Khuyến học xã."
    assert all(b.endswith(";") for b in content.bases[:-1])


def test_recipients_are_dashed_and_the_last_ends_the_list() -> None:
    doc = dataclasses.replace(sample_decision(), recipients=("Như Điều 3;", "UBND tỉnh.", "Lưu: VT"))
    assert decision_content(doc).recipients == ("- Như Điều 3;", "- UBND tỉnh;", "- Lưu: VT.")


def test_standard_articles_count_the_annex_and_name_the_title() -> None:
    doc = dataclasses.replace(sample_decision(), executors="Văn phòng UBND xã và các hộ có tên tại Điều 1")
    articles = decision_content(doc).articles
    assert [a.label for a in articles] == ["Điều 1.", "Điều 2.", "Điều 3."]
    assert articles[0].paragraphs == (
        "Công nhận 12 hộ gia đình đạt danh hiệu “Gia đình học tập” năm 2026 (có danh sách kèm theo).",
    )
    assert articles[2].paragraphs == (
        "Văn phòng UBND xã và các hộ có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
    )


def test_own_articles_replace_the_standard_set_and_split_into_paragraphs() -> None:
    doc = dataclasses.replace(
        sample_decision(), articles=("Công nhận ...\na) thứ nhất;\nb) thứ hai.", "Hiệu lực.")
    )
    articles = decision_content(doc).articles
    assert articles[0].paragraphs == ("Công nhận ...", "a) thứ nhất;", "b) thứ hai.")
    assert len(articles) == 2


def test_subject_noun_and_column_follow_the_title() -> None:
    doc = dataclasses.replace(sample_decision(), title="Dòng họ học tập")
    content = decision_content(doc)
    assert content.subject == "Về việc công nhận danh hiệu “Dòng họ học tập” năm 2026"
    assert content.articles[0].paragraphs[0].startswith("Công nhận 12 dòng họ đạt")
    assert content.annex is not None and content.annex.columns[1] == "Dòng họ (trưởng họ)"
    assert content.annex.heading[1:] == ("DÒNG HỌ ĐƯỢC CÔNG NHẬN", "DANH HIỆU “DÒNG HỌ HỌC TẬP” NĂM 2026")


def test_annex_groups_keep_first_seen_village_order_and_number_rows_throughout() -> None:
    rows = (
        AnnexRow("A", "Thôn 2"),
        AnnexRow("B", "Thôn 1"),
        AnnexRow("C", "Thôn 2", address="Xóm 3, Thôn 2"),
    )
    annex = decision_content(dataclasses.replace(sample_decision(), annex=rows)).annex
    assert annex is not None
    assert [(g.numeral, g.village) for g in annex.groups] == [("I", "Thôn 2"), ("II", "Thôn 1")]
    assert annex.groups[0].rows == (("1", "A", "Thôn 2", ""), ("2", "C", "Xóm 3, Thôn 2", ""))
    assert annex.groups[1].rows == (("3", "B", "Thôn 1", ""),)
    assert annex.total == "Tổng số: 3 hộ gia đình."


def test_every_string_of_the_content_is_nfc_even_from_nfd_input() -> None:
    def nfd(s: str) -> str:
        return unicodedata.normalize("NFD", s)

    doc = sample_decision()
    doc = dataclasses.replace(
        doc,
        issuing_body=nfd(doc.issuing_body),
        authority=nfd(doc.authority),
        legal_bases=tuple(nfd(b) for b in doc.legal_bases),
        annex=tuple(dataclasses.replace(r, name=nfd(r.name), village=nfd(r.village)) for r in doc.annex),
    )
    strings = _strings(decision_content(doc))
    assert strings and all(unicodedata.is_normalized("NFC", s) for s in strings)
    assert decision_content(doc) == decision_content(sample_decision())


def test_correction_subject_and_articles() -> None:
    content = decision_content(sample_correction())
    assert content.header.number_line == "Số: 05/QĐ-UBND"
    assert content.subject == (
        "Về việc sửa đổi Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 về việc công nhận danh hiệu "
        "“Gia đình học tập” năm 2026"
    )
    first = content.articles[0].paragraphs
    assert first[0].startswith("Sửa đổi Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 của Chủ tịch")
    assert first[1] == "1. Sửa họ tên chủ hộ tại số thứ tự 4 từ “Phạm Thị Mỹ” thành “Phạm Thị Mỹ Lệ”."
    assert first[-1] == "Lý do sửa đổi: sai sót họ tên chủ hộ khi lập danh sách."
    assert content.annex is not None
    assert content.annex.heading[1] == "HỘ GIA ĐÌNH ĐƯỢC SỬA ĐỔI THÔNG TIN"


def test_revocation_subject_depends_on_whether_it_lists_households() -> None:
    partial = decision_content(sample_revocation())
    assert partial.subject == (
        "Về việc thu hồi danh hiệu “Gia đình học tập” năm 2026 đã công nhận tại Quyết định số 123/QĐ-UBND "
        "ngày 15 tháng 12 năm 2026"
    )
    assert partial.annex is not None and partial.annex.heading[1] == "HỘ GIA ĐÌNH BỊ THU HỒI"
    assert "không còn giá trị" in partial.articles[1].paragraphs[0]
    whole = decision_content(dataclasses.replace(sample_revocation(), annex=()))
    assert whole.subject == (
        "Về việc thu hồi Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 về việc công nhận danh hiệu "
        "“Gia đình học tập” năm 2026"
    )
    assert whole.annex is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": 0}, "number"),
        ({"annex": ()}, "annex"),
        ({"year": 2027}, "year"),
    ],
)
def test_a_decision_that_cannot_be_drawn_up_is_refused(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PaperworkInvalid) as err:
        dataclasses.replace(sample_decision(), **change)
    assert err.value.errors == {field: [err.value.message_vi]}
    assert err.value.errors_en == {field: [err.value.message_en]}
    assert err.value.status == 422


def test_amendments_are_checked() -> None:
    correction = sample_correction()
    assert correction.amends is not None
    with pytest.raises(PaperworkInvalid):
        dataclasses.replace(correction.amends, changes=())
    with pytest.raises(PaperworkInvalid):
        dataclasses.replace(correction, date=dt.date(2026, 12, 1))  # before the decision it corrects
    with pytest.raises(PaperworkInvalid):
        certificates_for(correction)


def test_certificates_for_a_decision_one_per_household() -> None:
    certs = certificates_for(sample_decision(), register_prefix="GCN-")
    assert len(certs) == 12
    assert certs[0].subject_name == "Hộ gia đình ông (bà) Nguyễn Văn Hưng"
    assert certs[0].address == "Thôn Đông Hưng, xã Triệu Sơn"
    assert [c.register_number for c in certs[:2]] == ["GCN-1", "GCN-2"]
    assert {c.decision_number for c in certs} == {123}


def test_certificate_content() -> None:
    content = certificate_content(sample_certificate())
    assert content.heading == "GIẤY CHỨNG NHẬN"
    assert content.title_line == "DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2026"
    assert content.certifies == "CHỨNG NHẬN"
    assert content.decision_line == "(Theo Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026)"
    assert content.place_date == "Triệu Sơn, ngày 15 tháng 12 năm 2026"
    with pytest.raises(PaperworkInvalid):
        dataclasses.replace(sample_certificate(), date=dt.date(2026, 12, 1))
    with pytest.raises(PaperworkInvalid):
        dataclasses.replace(sample_certificate(), paper="A3")  # type: ignore[arg-type]
