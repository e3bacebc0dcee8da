"""PDF of a certificate (Giấy chứng nhận): landscape A4 or A5 with a double border (paperwork layer)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepInFrame, SimpleDocTemplate, Spacer

from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import CertificateContent
from services.evaluation.paperwork.pdf_common import (
    PageHook,
    issuer_block,
    layout_table,
    national_block,
    para,
    signature_block,
)


def certificate_story(content: CertificateContent, geo: L.CertificateGeometry) -> list[Flowable]:
    """The flowables of one certificate, shrunk if need be so that it always fits one page."""
    pt = geo.pt
    left = geo.text_width * 0.4
    head = layout_table(
        [
            [
                issuer_block(content.header, pt(L.CERT_ISSUER_PT)),
                national_block(content.header, (pt(L.CERT_NATIONAL_NAME_PT), pt(L.CERT_MOTTO_PT))),
            ]
        ],
        (left, geo.text_width - left),
    )
    text = pt(L.CERT_TEXT_PT)
    body: list[Flowable] = [
        head,
        para(content.heading, pt(L.CERT_HEADING_PT), style="b", align="center", before=pt(24)),
        para(content.title_line, pt(L.CERT_TITLE_PT), style="b", align="center", before=pt(4), after=pt(16)),
    ]
    if content.authority:
        body.append(para(content.authority, text, style="b", align="center"))
    body += [
        para(content.certifies, text, style="b" if content.authority else "", align="center"),
        para(
            content.subject_name, pt(L.CERT_NAME_PT), style="bi", align="center", before=pt(14), after=pt(8)
        ),
        para(content.address_line, text, align="center"),
        para(content.achievement, text, style="b", align="center", before=pt(6)),
        para(content.decision_line, pt(L.CERT_SMALL_PT), style="i", align="center"),
        Spacer(1, pt(16)),
    ]
    sign = [
        para(content.place_date, pt(L.PLACE_DATE_PT), style="i", align="center"),
        *signature_block(content.signature, pt(L.SIGNATURE_PT), L.SIGNING_SPACE * geo.scale),
    ]
    register = [para(content.register_line, pt(L.CERT_SMALL_PT), align="center")]
    bottom = layout_table([[register, sign]], (left, geo.text_width - left))
    # The register number sits at the foot, level with the signer's name.
    bottom.setStyle([("VALIGN", (0, 0), (0, 0), "BOTTOM")])
    body.append(bottom)
    height = geo.page[1] - 2 * geo.margin
    return [KeepInFrame(geo.text_width * mm, height * mm - 12, body, mode="shrink")]


def border(geo: L.CertificateGeometry) -> PageHook:
    """A page hook drawing the certificate's double frame inside the margins' outer part."""

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        width, height = doc.pagesize
        canvas.saveState()
        for inset, thickness in ((geo.margin * 0.45, 2.0), (geo.margin * 0.6, 0.6)):
            canvas.setLineWidth(thickness)
            canvas.rect(inset * mm, inset * mm, width - 2 * inset * mm, height - 2 * inset * mm)
        canvas.restoreState()

    return draw
