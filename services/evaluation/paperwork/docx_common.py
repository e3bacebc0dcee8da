"""python-docx helpers: fonts, paragraphs, borderless tables, rules, reproducible saving (paperwork layer)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from services.evaluation.paperwork import layout

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

Container = DocxDocument | _Cell


def new_document(page: tuple[float, float], margins: tuple[float, float, float, float]) -> DocxDocument:
    """A document with one section (width, height; top, bottom, left, right in mm), Times New Roman 14."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if page[0] > page[1] else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page[0]), Mm(page[1])
    top, bottom, left, right = margins
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = section.footer_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name = layout.FONT_FAMILY
    normal.font.size = Pt(layout.BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    # Word picks the font by script; Vietnamese letters fall under hAnsi, but set every slot so no
    # character falls back to a theme font.
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), layout.FONT_FAMILY)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing = 1.0
    return doc


def paragraph(
    where: Container,
    runs: Iterable[tuple[str, str]] | str,
    *,
    size: float,
    align: str = "left",
    style: str = "",
    indent: bool = False,
    before: float = 0.0,
    after: float = 0.0,
    spacing: float = 1.0,
    keep_next: bool = False,
    reuse: bool = False,
) -> Paragraph:
    """Add a paragraph of runs (text, style letters 'b', 'i', 'u'); `reuse` fills a cell's empty first one."""
    p = where.paragraphs[0] if reuse else where.add_paragraph()
    for text, run_style in [(runs, style)] if isinstance(runs, str) else runs:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = "b" in run_style or None
        run.italic = "i" in run_style or None
        run.underline = "u" in run_style or None
    fmt = p.paragraph_format
    fmt.alignment = ALIGN[align]
    fmt.first_line_indent = Mm(layout.FIRST_LINE_INDENT) if indent else None
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = spacing
    fmt.keep_with_next = keep_next or None
    return p


def short_rule(where: Container, *, width: float, available: float, after: float = 0.0) -> Paragraph:
    """A centred horizontal rule `width` mm long: an empty paragraph with a bottom border, indented."""
    p = where.add_paragraph()
    side = Mm(max(0.0, (available - width) / 2))
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = side
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    fmt.line_spacing = 1.0
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.insert_element_before(borders, "w:spacing", "w:ind", "w:jc", "w:rPr")
    # The empty paragraph's mark sets its height: keep it small so the rule hugs the text above.
    mark, size = OxmlElement("w:rPr"), OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    p_pr.append(mark)
    return p


def fixed_table(
    where: DocxDocument | _Cell, rows: int, widths: Iterable[float], *, grid: bool = False
) -> Table:
    """A table of fixed column widths (mm); without borders unless `grid`."""
    widths = list(widths)
    table = where.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if grid:
        table.style = "Table Grid"
    tbl_pr = table._tbl.tblPr
    layout_el = OxmlElement("w:tblLayout")
    layout_el.set(qn("w:type"), "fixed")
    tbl_pr.append(layout_el)
    for col, width in zip(table.columns, widths, strict=True):
        col.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
    return table


def repeat_as_header(row_element: CT_Row) -> None:
    """Repeat a table row at the top of every page the table runs onto."""
    tr_pr = row_element.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def keep_row_on_one_page(row_element: CT_Row) -> None:
    """Never split a table row across pages (the signature block moves whole)."""
    row_element.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def page_numbers_from_second_page(doc: DocxDocument) -> None:
    """A centred page number in the top margin from page 2 on (ND 30); page 1 has none."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(layout.PAGE_NUMBER_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def finish(doc: DocxDocument, *, title: str, subject: str, date: dt.date) -> bytes:
    """The .docx bytes, reproducible: core properties and every zip entry dated from `date`."""
    stamp = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    props = doc.core_properties
    props.title, props.subject, props.language = title, subject, "vi-VN"
    props.author = props.last_modified_by = props.comments = ""
    props.created = props.modified = stamp
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return _restamp(raw.getvalue(), (date.year, date.month, date.day, 0, 0, 0))


def _restamp(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    # zipfile stamps each entry with the time of writing; rewrite the archive with one fixed time.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
