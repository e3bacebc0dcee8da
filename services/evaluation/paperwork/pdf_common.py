"""reportlab helpers: paragraph styles, rules, the reproducible document template (paperwork layer)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, HRFlowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from common import typefaces
from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import Header, SignatureBlock

ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "justify": TA_JUSTIFY}
PageHook = Callable[[Canvas, SimpleDocTemplate], None]


def para(
    text: str,
    size: float,
    *,
    style: str = "",
    align: str = "left",
    indent: bool = False,
    before: float = 0.0,
    after: float = 0.0,
    markup: bool = False,
) -> Paragraph:
    """A paragraph in the embedded font; `text` is escaped unless it is `markup` (then <b>, <i> work)."""
    return Paragraph(text if markup else escape(text), _style(size, style, align, indent, before, after))


@functools.lru_cache(maxsize=256)
def _style(size: float, style: str, align: str, indent: bool, before: float, after: float) -> ParagraphStyle:
    # Cached: a 2,000-row annex would otherwise build thousands of identical styles.
    return ParagraphStyle(
        name=f"p{size}{style}{align}{indent}{before}{after}",
        fontName=typefaces.face(style),
        fontSize=size,
        leading=size * L.LINE_SPACING,
        alignment=ALIGN[align],
        firstLineIndent=L.FIRST_LINE_INDENT * mm if indent else 0,
        spaceBefore=before,
        spaceAfter=after,
    )


def rule(width_mm: float, *, before: float = 1.0, after: float = 0.0) -> HRFlowable:
    """A centred solid rule `width_mm` long."""
    return HRFlowable(
        width=width_mm * mm,
        thickness=0.6,
        color=colors.black,
        spaceBefore=before,
        spaceAfter=after,
        hAlign="CENTER",
    )


def issuer_block(head: Header, size: float) -> list[Flowable]:
    """Parent body, issuer in bold capitals and the short rule under it."""
    out: list[Flowable] = []
    if head.parent:
        out.append(para(head.parent.upper(), size, align="center"))
    out += [para(line.upper(), size, style="b", align="center") for line in head.issuer_lines]
    longest = max(typefaces.width_mm(line.upper(), size, "b") for line in head.issuer_lines)
    out.append(rule(longest * L.SHORT_RULE, before=3))
    return out


def national_block(head: Header, sizes: tuple[float, float]) -> list[Flowable]:
    """The national name and the motto with a rule exactly as long as the motto (ND 30)."""
    return [
        para(head.motto[0], sizes[0], style="b", align="center"),
        para(head.motto[1], sizes[1], style="b", align="center"),
        rule(typefaces.width_mm(head.motto[1], sizes[1], "b"), before=2.5),
    ]


def signature_block(block: SignatureBlock, size: float, space_mm: float) -> list[Flowable]:
    """Capacity and title in bold capitals, the room to sign, then the signer's name."""
    out: list[Flowable] = [para(line.upper(), size, style="b", align="center") for line in block.lines]
    out.append(para(block.name, size, style="b", align="center", before=space_mm * mm))
    return out


def layout_table(rows: Sequence[Sequence[object]], widths_mm: Sequence[float]) -> Table:
    """An invisible table that places blocks side by side, top-aligned."""
    table = Table([list(r) for r in rows], colWidths=[w * mm for w in widths_mm])
    table.setStyle(
        TableStyle(
            [
                # Cells holding plain strings (even empty ones) set the cell font: keep it the embedded one.
                ("FONTNAME", (0, 0), (-1, -1), typefaces.face()),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # A cell places flowables by its own alignment, not theirs: centre the rules.
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _reproducible_canvas(seed: bytes) -> type[Canvas]:
    """A canvas class whose file ID is a digest of `seed` (the document's input) only.

    In invariant mode reportlab seeds the ID digest with a fixed time, unless SOURCE_DATE_EPOCH is
    set: the same document would then get a different digest on a machine that sets it.
    """

    class ReproducibleCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._doc.signature = hashlib.md5(seed, usedforsecurity=False)

    return ReproducibleCanvas


def render(
    story: list[Flowable],
    *,
    page: tuple[float, float],
    margins: tuple[float, float, float, float],
    title: str,
    subject: str,
    date: dt.date,
    first_page: PageHook | None = None,
    later_pages: PageHook | None = None,
    seed: bytes = b"",
) -> bytes:
    """The PDF bytes, reproducible: invariant mode, the document's date as creation date, ID from `seed`."""
    out = io.BytesIO()
    top, bottom, left, right = margins
    doc = SimpleDocTemplate(
        out,
        pagesize=(page[0] * mm, page[1] * mm),
        topMargin=top * mm,
        bottomMargin=bottom * mm,
        leftMargin=left * mm,
        rightMargin=right * mm,
        title=title,
        subject=subject,
        author="",
        creator="learning-society paperwork",
        lang="vi-VN",
        invariant=1,
        # Without it the canvas starts in Helvetica and lists that unembedded font on every page.
        initialFontName=typefaces.face(),
        initialFontSize=L.BODY_PT,
    )
    stamp = f"D:{date.year:04d}{date.month:02d}{date.day:02d}000000+07'00'"

    def on_first(canvas: Canvas, d: SimpleDocTemplate) -> None:
        # Invariant mode pins the date to 2000-01-01; the document's own date is the honest one.
        canvas.setDateFormatter(lambda *_: stamp)
        if first_page:
            first_page(canvas, d)

    doc.build(
        story,
        onFirstPage=on_first,
        onLaterPages=later_pages or (lambda c, d: None),
        canvasmaker=_reproducible_canvas(b"learning-society paperwork\n" + seed),
    )
    return out.getvalue()
