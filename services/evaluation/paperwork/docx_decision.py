"""DOCX of a decision and its annex in the layout of Nghị định 30/2020/NĐ-CP (paperwork layer)."""

from __future__ import annotations

import copy

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from common.typefaces import width_mm
from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import AnnexContent, DecisionContent, Header, SignatureBlock
from services.evaluation.paperwork.docx_common import (
    fixed_table,
    keep_row_on_one_page,
    new_document,
    page_numbers_from_second_page,
    paragraph,
    repeat_as_header,
    short_rule,
)

CELL_PADDING = 3.8  # Word's default cell margins, left and right together


def build_decision(content: DecisionContent) -> DocxDocument:
    """The python-docx document of a decision, its annex on a page of its own."""
    doc = new_document(L.A4, (L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT))
    page_numbers_from_second_page(doc)
    header(doc, content.header)
    _body(doc, content)
    _bottom(doc, content)
    if content.annex is not None:
        # "Page break before" on the spacer after the signature, not a page-break character: when the
        # signature block fills page 1, the spacer is already at the top of page 2 and no blank page
        # comes between.
        doc.paragraphs[-1].paragraph_format.page_break_before = True
        annex(doc, content.header, content.annex)
    return doc


def header(doc: DocxDocument, head: Header, *, with_number: bool = True) -> None:
    """Issuer (left) and national name and motto (right); then number and place-date on one row."""
    table = fixed_table(doc, 2 if with_number else 1, (L.HEADER_LEFT, L.HEADER_RIGHT))
    left, right = table.rows[0].cells
    issuer(left, head, L.HEADER_LEFT - CELL_PADDING, size=L.ISSUER_PT)
    national(right, head, size=(L.NATIONAL_NAME_PT, L.MOTTO_PT))
    if with_number:
        number, place = table.rows[1].cells
        paragraph(number, head.number_line, size=L.NUMBER_PT, align="center", before=6, reuse=True)
        paragraph(
            place, head.place_date, size=L.PLACE_DATE_PT, align="center", style="i", before=6, reuse=True
        )


def issuer(cell: _Cell, head: Header, available: float, *, size: float) -> None:
    """The parent body (plain), the issuer (bold capitals) and the short rule under it."""
    first = True
    if head.parent:
        paragraph(cell, head.parent.upper(), size=size, align="center", reuse=True)
        first = False
    for line in head.issuer_lines:
        paragraph(cell, line.upper(), size=size, align="center", style="b", reuse=first)
        first = False
    longest = max(width_mm(line.upper(), size, "b") for line in head.issuer_lines)
    short_rule(cell, width=longest * L.SHORT_RULE, available=available)


def national(cell: _Cell, head: Header, *, size: tuple[float, float]) -> None:
    """The national name (bold capitals) and the motto, bold and underlined over its whole length."""
    paragraph(cell, head.motto[0], size=size[0], align="center", style="b", reuse=True)
    paragraph(cell, head.motto[1], size=size[1], align="center", style="bu")


def _body(doc: DocxDocument, content: DecisionContent) -> None:
    paragraph(doc, content.doc_type, size=L.DOC_TYPE_PT, align="center", style="b", before=18, keep_next=True)
    paragraph(doc, content.subject, size=L.SUBJECT_PT, align="center", style="b", keep_next=True)
    subject_width = min(width_mm(content.subject, L.SUBJECT_PT, "b"), L.TEXT_WIDTH)
    short_rule(doc, width=subject_width * L.SHORT_RULE, available=L.TEXT_WIDTH, after=12)
    paragraph(doc, content.authority, size=L.BODY_PT, align="center", style="b", after=12, keep_next=True)
    for basis in content.bases:
        _body_paragraph(doc, basis, style="i")
    paragraph(
        doc, content.decides, size=L.BODY_PT, align="center", style="b", before=6, after=6, keep_next=True
    )
    for i, article in enumerate(content.articles):
        # The last article keeps with the signature block, so a signature never stands alone on a page.
        last = i == len(content.articles) - 1
        first, *rest = article.paragraphs
        _body_paragraph(doc, [(f"{article.label} ", "b"), (first, "")], keep_next=last)
        for text in rest:
            _body_paragraph(doc, text, keep_next=last)


def _body_paragraph(
    doc: DocxDocument, runs: list[tuple[str, str]] | str, *, style: str = "", keep_next: bool = False
) -> None:
    """A paragraph of the body: justified, first line indented, 6 pt after."""
    paragraph(
        doc,
        runs,
        size=L.BODY_PT,
        style=style,
        align="justify",
        indent=True,
        after=L.PARAGRAPH_AFTER_PT,
        spacing=L.LINE_SPACING,
        keep_next=keep_next,
    )


def _bottom(doc: DocxDocument, content: DecisionContent) -> None:
    table = fixed_table(doc, 1, (L.BOTTOM_LEFT, L.BOTTOM_RIGHT))
    keep_row_on_one_page(table.rows[0]._tr)
    left, right = table.rows[0].cells
    paragraph(left, content.recipients_label, size=L.RECIPIENTS_LABEL_PT, style="bi", before=6, reuse=True)
    for line in content.recipients:
        paragraph(left, line, size=L.RECIPIENTS_PT)
    signature(right, content.signature, size=L.SIGNATURE_PT, reuse=True)
    # Word needs a paragraph between two tables and at the end: keep it 1 pt high so it never spills.
    spacer = paragraph(doc, "", size=1)
    spacer.paragraph_format.line_spacing = Pt(1)


def signature(
    cell: _Cell, block: SignatureBlock, *, size: float, reuse: bool, space: float = L.SIGNING_SPACE
) -> None:
    """Capacity and title in bold capitals, the room to sign, then the signer's name in bold."""
    for i, line in enumerate(block.lines):
        paragraph(
            cell, line.upper(), size=size, align="center", style="b", before=6 if i == 0 else 0, reuse=reuse
        )
        reuse = False
    name = paragraph(cell, block.name, size=size, align="center", style="b", reuse=reuse)
    name.paragraph_format.space_before = Mm(space)


def annex(doc: DocxDocument, head: Header, content: AnnexContent) -> None:
    """The annex: header, 'DANH SÁCH', its name and reference, then the table grouped by village."""
    header(doc, head, with_number=False)
    for i, line in enumerate(content.heading):
        paragraph(
            doc, line, size=L.BODY_PT, align="center", style="b", before=18 if i == 0 else 0, keep_next=True
        )
    paragraph(doc, content.reference, size=L.BODY_PT, align="center", style="i", keep_next=True)
    ref_width = min(width_mm(content.reference, L.BODY_PT, "i"), L.TEXT_WIDTH)
    short_rule(doc, width=ref_width * L.SHORT_RULE, available=L.TEXT_WIDTH, after=12)
    _annex_table(doc, content)
    paragraph(doc, content.total, size=L.BODY_PT, style="i", before=6)


def _annex_table(doc: DocxDocument, content: AnnexContent) -> None:
    table = fixed_table(doc, 1, L.ANNEX_COLUMNS, grid=True)
    size = L.ANNEX_TABLE_PT
    head = table.rows[0]
    repeat_as_header(head._tr)
    for cell, title in zip(head.cells, content.columns, strict=True):
        paragraph(cell, title, size=size, align="center", style="b", before=3, after=3, reuse=True)
    # Build one group row and one data row with python-docx, then copy their XML for every row: the
    # high-level API costs ~2 ms a row, too slow for a commune's thousands of households.
    cells = table.add_row().cells
    paragraph(cells[0], "I", size=size, align="center", style="b", reuse=True)
    paragraph(cells[1].merge(cells[3]), "-", size=size, style="b", reuse=True)
    cells = table.add_row().cells
    for i, cell in enumerate(cells):
        p = paragraph(cell, "-", size=size, align="center" if i == 0 else "left", reuse=True)
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(1)
    group_row, data_row = table._tbl.tr_lst[-2:]
    table._tbl.remove(group_row)
    table._tbl.remove(data_row)
    for group in content.groups:
        _append_copy(table, group_row, (group.numeral, group.village))
        for row in group.rows:
            _append_copy(table, data_row, row)


def _append_copy(table: Table, template: BaseOxmlElement, texts: tuple[str, ...]) -> None:
    tr = copy.deepcopy(template)
    for t, text in zip(tr.iter(qn("w:t")), texts, strict=True):
        t.text = text
    table._tbl.append(tr)
