"""The council's minutes (Biên bản họp Hội đồng xét công nhận) as DOCX and PDF, in the administrative layout
the decision uses: issuer and motto header, title, time and place, attendance and absentees, each subject
voted with its votes and result, other opinions, who recorded the minutes, the secretary's and the
chair's signatures; and `merge_pdfs`, a decision's certificates in one printable PDF (paperwork layer).
Same input, same bytes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, LongTable, Spacer, TableStyle

from common import typefaces
from services.evaluation.domain.text import normalize_text
from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import MOTTO, Header, SignatureBlock, issuer_lines, nfc
from services.evaluation.paperwork.dates import place_and_date, thousands, vn_date
from services.evaluation.paperwork.docx_common import (
    finish,
    fixed_table,
    keep_row_on_one_page,
    new_document,
    page_numbers_from_second_page,
    paragraph,
    repeat_as_header,
    short_rule,
)
from services.evaluation.paperwork.docx_decision import header as docx_header
from services.evaluation.paperwork.docx_decision import signature as docx_signature
from services.evaluation.paperwork.model import PaperworkInvalid
from services.evaluation.paperwork.pdf_common import layout_table, para, render, rule, signature_block
from services.evaluation.paperwork.pdf_decision import header as pdf_header
from services.evaluation.paperwork.pdf_decision import page_number
from services.evaluation.paperwork.render import DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE, RenderedFile, sha256_hex

# Vote table: STT, subject, title, for, against, abstaining, result (165 mm, the text width).
VOTE_COLUMNS = (12.0, 45.0, 34.0, 17.0, 17.0, 17.0, 23.0)
VOTE_HEADINGS = ("STT", "Tên", "Danh hiệu", "Tán thành", "Không tán thành", "Không biểu quyết", "Kết quả")
VOTE_TABLE_PT = 12.0
PASSED, REJECTED = "Thông qua", "Không thông qua"


@dataclass(frozen=True)
class MinutesVote:
    """The council's vote on one subject of the list."""

    name: str
    title: str  # "Gia đình học tập"
    in_favour: int
    against: int
    abstain: int = 0

    @property
    def result(self) -> str:
        """The rule of `record_council`: as many votes against as for takes the subject off the list."""
        return REJECTED if self.against >= self.in_favour else PASSED


@dataclass(frozen=True)
class CouncilMinutesDocument:
    """Everything the minutes print: the commune ("ỦY BAN NHÂN DÂN XÃ …"), the council, the meeting."""

    parent_body: str  # "UBND XÃ TRIỆU SƠN" (the commune, above the council)
    place: str  # "Triệu Sơn", for the place and date line
    venue: str  # "Trụ sở Ủy ban nhân dân xã Triệu Sơn"
    met_on: dt.date
    year: int
    titles: tuple[str, ...]  # the titles on the list, "Gia đình học tập", …
    chair: str
    secretary: str
    attendance: tuple[str, ...]
    absent: tuple[str, ...]
    votes: tuple[MinutesVote, ...]
    notes: str = ""
    recorded_by: str = ""
    source_sha256: str = ""  # the stored minutes' digest (rounds.council), printed for traceability
    council_body: str = "HỘI ĐỒNG XÉT CÔNG NHẬN"


@dataclass(frozen=True)
class MinutesContent:
    """Every piece of text of the minutes, in reading order."""

    header: Header
    title: tuple[str, str]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # heading, paragraphs (before the vote table)
    votes_heading: str
    votes_intro: str
    vote_rows: tuple[tuple[str, ...], ...]
    after_votes: tuple[tuple[str, tuple[str, ...]], ...]
    signatures: tuple[SignatureBlock, SignatureBlock]
    metadata_title: str


def _titles(titles: tuple[str, ...]) -> str:
    quoted = ", ".join(f"“{t}”" for t in titles)
    return f"danh hiệu {quoted}" if titles else "danh hiệu học tập"


def _people(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{i}. {n};" if i < len(names) else f"{i}. {n}." for i, n in enumerate(names, 1))


def minutes_content(doc: CouncilMinutesDocument) -> MinutesContent:
    """The text of the minutes; refuses minutes that cannot be drawn up (no member present, no chair)."""
    doc = nfc(doc)
    if not doc.attendance:
        raise PaperworkInvalid("attendance", "Biên bản không có thành viên dự họp.", "No member attended.")
    if not doc.chair.strip() or not doc.secretary.strip():
        raise PaperworkInvalid(
            "chair", "Biên bản thiếu chủ trì hoặc thư ký.", "The chair or secretary is missing."
        )
    present, absent = len(doc.attendance), len(doc.absent)
    members = present + absent
    what = _titles(doc.titles)
    head = Header(
        normalize_text(doc.parent_body),
        issuer_lines(doc.council_body),
        MOTTO,
        "",
        place_and_date(doc.place, doc.met_on),
    )
    sections: list[tuple[str, tuple[str, ...]]] = [
        (
            "I. THỜI GIAN, ĐỊA ĐIỂM",
            (f"Thời gian: {vn_date(doc.met_on)}.", f"Địa điểm: {doc.venue}."),
        ),
        (
            "II. THÀNH PHẦN THAM DỰ",
            (
                f"Chủ trì: {doc.chair}, Chủ tịch Hội đồng.",
                f"Thư ký: {doc.secretary}.",
                f"Thành viên có mặt: {thousands(present)}/{thousands(members)} thành viên, gồm:",
                *_people(doc.attendance),
                (
                    f"Thành viên vắng mặt: {thousands(absent)}/{thousands(members)} thành viên, gồm:"
                    if absent
                    else "Thành viên vắng mặt: không."
                ),
                *_people(doc.absent),
                f"Số thành viên có mặt ({thousands(present)}/{thousands(members)}) quá nửa tổng số thành viên, "
                "đủ điều kiện để Hội đồng tiến hành họp.",
            ),
        ),
    ]
    intro = (
        f"Hội đồng xem xét danh sách đề nghị công nhận {what} năm {doc.year} đã niêm yết công khai, "
        "và biểu quyết từng trường hợp như sau:"
        if doc.votes
        else f"Hội đồng xem xét danh sách đề nghị công nhận {what} năm {doc.year} đã niêm yết công khai; "
        "không có trường hợp nào phải biểu quyết riêng, danh sách giữ nguyên như đã niêm yết."
    )
    rows = tuple(
        (
            str(i),
            v.name,
            v.title,
            thousands(v.in_favour),
            thousands(v.against),
            thousands(v.abstain),
            v.result,
        )
        for i, v in enumerate(doc.votes, 1)
    )
    passed = sum(1 for v in doc.votes if v.result == PASSED)
    conclusion = (
        f"Hội đồng thông qua {thousands(passed)}/{thousands(len(doc.votes))} trường hợp biểu quyết; "
        f"{thousands(len(doc.votes) - passed)} trường hợp không được thông qua và không đưa vào quyết định công nhận."
        if doc.votes
        else "Hội đồng thống nhất đề nghị Chủ tịch Ủy ban nhân dân xem xét, quyết định công nhận theo danh sách."
    )
    closing = [
        f"Biên bản được lập {vn_date(doc.met_on)}, thông qua trước Hội đồng và được các thành viên nhất trí."
    ]
    if doc.recorded_by:
        closing.append(f"Người ghi biên bản vào hệ thống: {doc.recorded_by}.")
    if doc.source_sha256:
        closing.append(f"Mã kiểm tra (SHA-256) của biên bản lưu trong hệ thống: {doc.source_sha256}.")
    after = (
        ("IV. KẾT LUẬN", (conclusion,)),
        ("V. Ý KIẾN KHÁC", (doc.notes.strip() or "Không có.",)),
        ("", tuple(closing)),
    )
    return MinutesContent(
        header=head,
        title=("BIÊN BẢN HỌP HỘI ĐỒNG XÉT CÔNG NHẬN", f"{what} năm {doc.year}".upper()),
        sections=tuple(sections),
        votes_heading="III. NỘI DUNG VÀ KẾT QUẢ BIỂU QUYẾT",
        votes_intro=intro,
        vote_rows=rows,
        after_votes=after,
        signatures=(
            SignatureBlock(("THƯ KÝ",), normalize_text(doc.secretary)),
            SignatureBlock(("CHỦ TỊCH HỘI ĐỒNG",), normalize_text(doc.chair)),
        ),
        metadata_title=f"Biên bản họp Hội đồng xét công nhận {what} năm {doc.year}",
    )


# --- DOCX --------------------------------------------------------------------------------------------


def _docx_body(doc: DocxDocument, text: str, *, style: str = "", keep_next: bool = False) -> None:
    paragraph(
        doc,
        text,
        size=L.BODY_PT,
        style=style,
        align="justify",
        indent=not style.startswith("b"),
        after=L.PARAGRAPH_AFTER_PT,
        spacing=L.LINE_SPACING,
        keep_next=keep_next,
    )


def build_minutes(content: MinutesContent) -> DocxDocument:
    """The python-docx document of the minutes."""
    doc = new_document(L.A4, (L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT))
    page_numbers_from_second_page(doc)
    docx_header(doc, content.header)
    paragraph(doc, content.title[0], size=L.DOC_TYPE_PT, align="center", style="b", before=18, keep_next=True)
    paragraph(doc, content.title[1], size=L.SUBJECT_PT, align="center", style="b", keep_next=True)
    width = min(typefaces.width_mm(content.title[1], L.SUBJECT_PT, "b"), L.TEXT_WIDTH)
    short_rule(doc, width=width * L.SHORT_RULE, available=L.TEXT_WIDTH, after=12)
    for heading, paragraphs in content.sections:
        _docx_body(doc, heading, style="b", keep_next=True)
        for text in paragraphs:
            _docx_body(doc, text)
    _docx_body(doc, content.votes_heading, style="b", keep_next=True)
    _docx_body(doc, content.votes_intro, keep_next=bool(content.vote_rows))
    if content.vote_rows:
        table = fixed_table(doc, 1 + len(content.vote_rows), VOTE_COLUMNS, grid=True)
        repeat_as_header(table.rows[0]._tr)
        for cell, title in zip(table.rows[0].cells, VOTE_HEADINGS, strict=True):
            paragraph(
                cell, title, size=VOTE_TABLE_PT, align="center", style="b", before=2, after=2, reuse=True
            )
        for row, values in zip(table.rows[1:], content.vote_rows, strict=True):
            for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                align = "left" if i in (1, 2) else "center"
                paragraph(cell, value, size=VOTE_TABLE_PT, align=align, before=1, after=1, reuse=True)
        paragraph(doc, "", size=6)
    for heading, paragraphs in content.after_votes:
        if heading:
            _docx_body(doc, heading, style="b", keep_next=True)
        for i, text in enumerate(paragraphs):
            _docx_body(doc, text, keep_next=not heading and i == len(paragraphs) - 1)
    table = fixed_table(doc, 1, (L.TEXT_WIDTH / 2, L.TEXT_WIDTH / 2))
    keep_row_on_one_page(table.rows[0]._tr)
    for cell, block in zip(table.rows[0].cells, content.signatures, strict=True):
        docx_signature(cell, block, size=L.SIGNATURE_PT, reuse=True)
    return doc


def minutes_docx(doc: CouncilMinutesDocument) -> bytes:
    """The minutes as a .docx (Times New Roman, A4, ND 30 margins)."""
    content = minutes_content(doc)
    return finish(
        build_minutes(content), title=content.metadata_title, subject=content.title[0], date=doc.met_on
    )


# --- PDF ---------------------------------------------------------------------------------------------


def _pdf_body(text: str, *, style: str = "") -> Flowable:
    return para(
        text,
        L.BODY_PT,
        style=style,
        align="justify",
        indent=not style.startswith("b"),
        after=L.PARAGRAPH_AFTER_PT,
    )


def minutes_story(content: MinutesContent) -> list[Flowable]:
    """The flowables of the minutes."""
    width = min(typefaces.width_mm(content.title[1], L.SUBJECT_PT, "b"), L.TEXT_WIDTH)
    story: list[Flowable] = [
        pdf_header(content.header),
        Spacer(1, 6 * mm),
        para(content.title[0], L.DOC_TYPE_PT, style="b", align="center"),
        para(content.title[1], L.SUBJECT_PT, style="b", align="center"),
        rule(width * L.SHORT_RULE, before=4),
        Spacer(1, 4 * mm),
    ]
    for heading, paragraphs in content.sections:
        story.append(_pdf_body(heading, style="b"))
        story += [_pdf_body(text) for text in paragraphs]
    story += [_pdf_body(content.votes_heading, style="b"), _pdf_body(content.votes_intro)]
    if content.vote_rows:
        size = VOTE_TABLE_PT
        data: list[list[object]] = [[para(h, size, style="b", align="center") for h in VOTE_HEADINGS]]
        for values in content.vote_rows:
            data.append(
                [para(v, size, align="left" if i in (1, 2) else "center") for i, v in enumerate(values)]
            )
        table = LongTable(data, colWidths=[w * mm for w in VOTE_COLUMNS], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), typefaces.face()),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        story += [table, Spacer(1, 3 * mm)]
    tail: list[Flowable] = []
    for heading, paragraphs in content.after_votes:
        if heading:
            story.append(_pdf_body(heading, style="b"))
        flow = [_pdf_body(text) for text in paragraphs]
        if heading:
            story += flow
        else:
            tail = flow
    signatures = layout_table(
        [[signature_block(block, L.SIGNATURE_PT, L.SIGNING_SPACE) for block in content.signatures]],
        (L.TEXT_WIDTH / 2, L.TEXT_WIDTH / 2),
    )
    # The closing paragraphs and the signatures stay together, so the signatures never stand alone.
    story.append(KeepTogether([*tail, Spacer(1, 2 * mm), signatures]))
    return story


def minutes_pdf(doc: CouncilMinutesDocument) -> bytes:
    """The minutes as a PDF with the Unicode font embedded."""
    content = minutes_content(doc)
    return render(
        minutes_story(content),
        page=L.A4,
        margins=(L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT),
        title=content.metadata_title,
        subject=content.title[0],
        date=doc.met_on,
        later_pages=page_number,
        seed=repr(doc).encode(),
    )


def minutes_files(doc: CouncilMinutesDocument) -> tuple[RenderedFile, RenderedFile]:
    """The minutes as DOCX and PDF, each with its digest, named after the meeting's date."""
    stem = f"bien-ban-hoi-dong-{doc.met_on.isoformat()}"
    return (
        RenderedFile(f"{stem}.docx", DOCX_MEDIA_TYPE, data := minutes_docx(doc), sha256_hex(data)),
        RenderedFile(f"{stem}.pdf", PDF_MEDIA_TYPE, pdf := minutes_pdf(doc), sha256_hex(pdf)),
    )


def merge_pdfs(parts: Iterable[bytes]) -> bytes:
    """One PDF of the given PDFs' pages, in order (the certificates of a decision, for printing). The
    pages are the issued files' own; objects repeated across them (fonts, frames) are kept once. The
    output depends only on the input."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in parts:
        writer.append(PdfReader(io.BytesIO(data)))
    if not writer.pages:
        raise PaperworkInvalid("parts", "Không có văn bản để ghép.", "Nothing to merge.")
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
