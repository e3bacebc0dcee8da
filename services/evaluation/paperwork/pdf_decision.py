"""PDF of a decision and its annex in the layout of Nghị định 30/2020/NĐ-CP (paperwork layer)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus.doctemplate import NotAtTopPageBreak

from common import typefaces
from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import AnnexContent, DecisionContent, Header
from services.evaluation.paperwork.pdf_common import (
    issuer_block,
    layout_table,
    national_block,
    para,
    rule,
    signature_block,
)

_CELL_PADDING_MM = 6 / mm  # reportlab's default cell padding, 6 pt each side


def decision_story(content: DecisionContent) -> list[Flowable]:
    """The flowables of a decision, then its annex on a new page."""
    story: list[Flowable] = [header(content.header), Spacer(1, 6 * mm)]
    story += [
        para(content.doc_type, L.DOC_TYPE_PT, style="b", align="center"),
        para(content.subject, L.SUBJECT_PT, style="b", align="center"),
        rule(
            min(typefaces.width_mm(content.subject, L.SUBJECT_PT, "b"), L.TEXT_WIDTH) * L.SHORT_RULE, before=4
        ),
        Spacer(1, 4 * mm),
        para(content.authority, L.BODY_PT, style="b", align="center", after=12),
    ]
    story += [_body_paragraph(basis, style="i") for basis in content.bases]
    story.append(para(content.decides, L.BODY_PT, style="b", align="center", before=6, after=6))
    articles: list[Flowable] = []
    for article in content.articles:
        first, *rest = article.paragraphs
        articles.append(_body_paragraph(f"<b>{escape(article.label)}</b> {escape(first)}", markup=True))
        articles += [_body_paragraph(text) for text in rest]
    # The last article stays on the page of the signature, so a signature never stands alone.
    story += articles[:-1]
    story.append(KeepTogether([articles[-1], Spacer(1, 2 * mm), _bottom(content)]))
    if content.annex is not None:
        # Not at top: when the signature block ends a page exactly, no blank page comes before the annex.
        story += [NotAtTopPageBreak(), *annex_story(content.header, content.annex)]
    return story


def _body_paragraph(text: str, *, style: str = "", markup: bool = False) -> Flowable:
    """A paragraph of the body: justified, first line indented, 6 pt after."""
    return para(
        text, L.BODY_PT, style=style, align="justify", indent=True, after=L.PARAGRAPH_AFTER_PT, markup=markup
    )


def header(head: Header, *, with_number: bool = True) -> Flowable:
    """Issuer and national name side by side; number and place-date on the same row under them."""
    rows: list[list[object]] = [
        [issuer_block(head, L.ISSUER_PT), national_block(head, (L.NATIONAL_NAME_PT, L.MOTTO_PT))]
    ]
    if with_number:
        rows.append(
            [
                para(head.number_line, L.NUMBER_PT, align="center", before=4),
                para(head.place_date, L.PLACE_DATE_PT, style="i", align="center", before=4),
            ]
        )
    return layout_table(rows, (L.HEADER_LEFT, L.HEADER_RIGHT))


def _bottom(content: DecisionContent) -> Flowable:
    recipients = [para(content.recipients_label, L.RECIPIENTS_LABEL_PT, style="bi", before=6)]
    recipients += [para(line, L.RECIPIENTS_PT) for line in content.recipients]
    sign = [Spacer(1, 6), *signature_block(content.signature, L.SIGNATURE_PT, L.SIGNING_SPACE)]
    return layout_table([[recipients, sign]], (L.BOTTOM_LEFT, L.BOTTOM_RIGHT))


def annex_story(head: Header, content: AnnexContent) -> list[Flowable]:
    """The annex: header, 'DANH SÁCH', its name and reference, the table by village, the total."""
    ref_width = min(typefaces.width_mm(content.reference, L.BODY_PT, "i"), L.TEXT_WIDTH)
    return [
        header(head, with_number=False),
        Spacer(1, 6 * mm),
        *(para(line, L.BODY_PT, style="b", align="center") for line in content.heading),
        para(content.reference, L.BODY_PT, style="i", align="center"),
        rule(ref_width * L.SHORT_RULE, before=4, after=8),
        _annex_table(content),
        para(content.total, L.BODY_PT, style="i", before=6),
    ]


def _annex_table(content: AnnexContent) -> Flowable:
    size = L.ANNEX_TABLE_PT
    data: list[list[object]] = [[para(c, size, style="b", align="center") for c in content.columns]]
    # Group rows leave out the inner vertical rules instead of using SPAN: LongTable recomputes every
    # span over the whole remaining table at each page break, which is quadratic in the row count.
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), typefaces.face()),
        ("FONTSIZE", (0, 1), (-1, -1), size),
        ("LEADING", (0, 1), (-1, -1), size * L.LINE_SPACING),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("BOX", (0, 0), (-1, -1), 0.5, colors.black),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.black),
        ("LINEAFTER", (0, 0), (0, -1), 0.5, colors.black),
        ("LINEAFTER", (1, 0), (2, 0), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for group in content.groups:
        commands.append(("FONTNAME", (0, len(data)), (1, len(data)), typefaces.face("b")))
        data.append([group.numeral, _cell(group.village, 1, "b"), "", ""])
        first = len(data)
        for stt, name, address, note in group.rows:
            data.append([stt, _cell(name, 1), _cell(address, 2), _cell(note, 3)])
        commands.append(("LINEAFTER", (1, first), (2, len(data) - 1), 0.5, colors.black))
    table = LongTable(data, colWidths=[w * mm for w in L.ANNEX_COLUMNS], repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _cell(text: str, column: int, style: str = "") -> object:
    # A plain string is drawn ten times faster than a Paragraph; only text too wide to fit needs wrapping.
    room = L.ANNEX_COLUMNS[column] - 2 * _CELL_PADDING_MM
    if typefaces.width_mm(text, L.ANNEX_TABLE_PT, style) <= room:
        return text
    return para(text, L.ANNEX_TABLE_PT, style=style)


def page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    """The page number, centred in the top margin, from page 2 on (ND 30)."""
    canvas.saveState()
    canvas.setFont(typefaces.face(), L.PAGE_NUMBER_PT)
    width, height = doc.pagesize
    x = (L.MARGIN_LEFT + L.TEXT_WIDTH / 2) * mm
    canvas.drawCentredString(x, height - (L.MARGIN_TOP / 2 + 2) * mm, str(doc.page))
    canvas.restoreState()
