"""Standard wording of decisions: subject lines, article sets, annex headings (paperwork layer)."""

from __future__ import annotations

from services.evaluation.paperwork.dates import document_number, thousands, vn_date
from services.evaluation.paperwork.model import Amendment, DecisionDocument

DEFAULT_EXECUTORS = (
    "Chánh Văn phòng, Chủ tịch Hội Khuyến học, Trưởng các thôn, tổ dân phố, các {noun} có tên tại "
    "Điều 1 và các cơ quan, đơn vị, cá nhân có liên quan"
)


def quoted(title: str) -> str:
    """A title between Vietnamese quotation marks: “Gia đình học tập”."""
    return f"“{title}”"


def recognised(doc: DecisionDocument) -> str:
    """'danh hiệu “Gia đình học tập” năm 2026'."""
    return f"danh hiệu {quoted(doc.title)} năm {doc.year}"


def earlier_reference(doc: DecisionDocument, amends: Amendment) -> str:
    """'Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 của ...' naming the amended decision."""
    ref = f"Quyết định số {document_number(amends.earlier_number, amends.earlier_symbol)} {vn_date(amends.earlier_date)}"
    return f"{ref} của {doc.issuer_reference}" if doc.issuer_reference else ref


def _earlier_short(amends: Amendment) -> str:
    return f"Quyết định số {document_number(amends.earlier_number, amends.earlier_symbol)}"


def subject_line(doc: DecisionDocument) -> str:
    """The trích yếu: 'Về việc công nhận danh hiệu “Gia đình học tập” năm 2026' or its amending form."""
    if doc.subject:
        return doc.subject
    amends = doc.amends
    if amends is None:
        return f"Về việc công nhận {recognised(doc)}"
    number_and_date = (
        f"Quyết định số {document_number(amends.earlier_number, amends.earlier_symbol)} "
        f"{vn_date(amends.earlier_date)}"
    )
    if amends.kind == "correction":
        return f"Về việc sửa đổi {number_and_date} về việc công nhận {recognised(doc)}"
    if doc.annex:
        return f"Về việc thu hồi {recognised(doc)} đã công nhận tại {number_and_date}"
    return f"Về việc thu hồi {number_and_date} về việc công nhận {recognised(doc)}"


def articles(doc: DecisionDocument) -> tuple[str, ...]:
    """The articles' texts, after 'Điều n. '; a text may hold '\\n' between its paragraphs."""
    if doc.articles:
        return doc.articles
    executors = (doc.executors or DEFAULT_EXECUTORS.format(noun=doc.noun)).rstrip(".")
    last = f"{executors} chịu trách nhiệm thi hành Quyết định này."
    amends = doc.amends
    if amends is None:
        first = (
            f"Công nhận {thousands(len(doc.annex))} {doc.noun} đạt {recognised(doc)} (có danh sách kèm theo)."
        )
        return (first, "Quyết định này có hiệu lực kể từ ngày ký.", last)
    if amends.kind == "correction":
        return (_correction(doc, amends), _still_valid(amends), last)
    return (_revocation(doc, amends), _revocation_effect(doc, amends), last)


def _reason(amends: Amendment, label: str) -> list[str]:
    return [f"{label}: {amends.reason.rstrip('.')}."] if amends.reason else []


def _correction(doc: DecisionDocument, amends: Amendment) -> str:
    lines = [f"Sửa đổi {earlier_reference(doc, amends)} về việc công nhận {recognised(doc)} như sau:"]
    count = len(amends.changes)
    for i, change in enumerate(amends.changes, start=1):
        lines.append(f"{i}. {change.rstrip(';.')}{'.' if i == count else ';'}")
    if doc.annex:
        lines.append(f"Danh sách {doc.noun} sau khi sửa đổi kèm theo Quyết định này.")
    lines.extend(_reason(amends, "Lý do sửa đổi"))
    return "\n".join(lines)


def _still_valid(amends: Amendment, middle: str = "") -> str:
    return (
        f"Quyết định này có hiệu lực kể từ ngày ký. {middle}{' ' if middle else ''}Các nội dung khác của "
        f"{_earlier_short(amends)} {vn_date(amends.earlier_date)} giữ nguyên hiệu lực."
    )


def _revocation(doc: DecisionDocument, amends: Amendment) -> str:
    ref = earlier_reference(doc, amends)
    if doc.annex:
        first = (
            f"Thu hồi {recognised(doc)} của {thousands(len(doc.annex))} {doc.noun} đã được công nhận tại "
            f"{ref} (có danh sách kèm theo)."
        )
    else:
        first = f"Thu hồi {ref} về việc công nhận {recognised(doc)}."
    return "\n".join([first, *_reason(amends, "Lý do thu hồi")])


def _revocation_effect(doc: DecisionDocument, amends: Amendment) -> str:
    if doc.annex:
        void = f"Giấy chứng nhận đã cấp cho các {doc.noun} có tên tại Điều 1 không còn giá trị."
        return _still_valid(amends, void)
    return (
        "Quyết định này có hiệu lực kể từ ngày ký. Giấy chứng nhận đã cấp theo "
        f"{_earlier_short(amends)} không còn giá trị."
    )


def annex_heading(doc: DecisionDocument) -> tuple[str, str, str]:
    """'DANH SÁCH', who is listed and the title and year, in capitals, one line each."""
    noun = doc.noun.upper()
    if doc.amends is None:
        who = f"{noun} ĐƯỢC CÔNG NHẬN"
    elif doc.amends.kind == "correction":
        who = f"{noun} ĐƯỢC SỬA ĐỔI THÔNG TIN"
    else:
        who = f"{noun} BỊ THU HỒI"
    return ("DANH SÁCH", who, f"DANH HIỆU {quoted(doc.title.upper())} NĂM {doc.year}")


def annex_reference(doc: DecisionDocument) -> str:
    """'(Kèm theo Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 của ...)'."""
    of = f" của {doc.issuer_reference}" if doc.issuer_reference else ""
    return f"(Kèm theo Quyết định số {document_number(doc.number, doc.symbol)} {vn_date(doc.date)}{of})"


def punctuated(lines: list[str]) -> tuple[str, ...]:
    """Each line but the last ends with ';', the last with '.' (bases, recipients)."""
    bare = [line.rstrip(" ;.") for line in lines if line.strip(" ;.")]
    return tuple(f"{line}{'.' if i == len(bare) - 1 else ';'}" for i, line in enumerate(bare))
