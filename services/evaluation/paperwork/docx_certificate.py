"""DOCX of a certificate (Giấy chứng nhận): landscape A4 or A5 with a double border (paperwork layer)."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import CertificateContent
from services.evaluation.paperwork.docx_common import fixed_table, new_document, paragraph
from services.evaluation.paperwork.docx_decision import CELL_PADDING, issuer, national, signature

_SECT_PR_AFTER_BORDERS = (
    *("w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg"),
    *("w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange"),
)


def build_certificate(content: CertificateContent, paper: str) -> DocxDocument:
    """The python-docx document of one certificate on one landscape page."""
    geo = L.CERTIFICATE[paper]
    m = geo.margin
    doc = new_document(geo.page, (m, m, m, m))
    _page_border(doc)
    pt = geo.pt
    left_width = geo.text_width * 0.4
    table = fixed_table(doc, 1, (left_width, geo.text_width - left_width))
    left, right = table.rows[0].cells
    issuer(left, content.header, left_width - CELL_PADDING, size=pt(L.CERT_ISSUER_PT))
    national(right, content.header, size=(pt(L.CERT_NATIONAL_NAME_PT), pt(L.CERT_MOTTO_PT)))

    text = pt(L.CERT_TEXT_PT)
    lines = [
        (content.heading, pt(L.CERT_HEADING_PT), "b", pt(24), 0.0),
        (content.title_line, pt(L.CERT_TITLE_PT), "b", pt(4), pt(16)),
        *([(content.authority, text, "b", 0.0, 0.0)] if content.authority else []),
        (content.certifies, text, "b" if content.authority else "", 0.0, 0.0),
        (content.subject_name, pt(L.CERT_NAME_PT), "bi", pt(14), pt(8)),
        (content.address_line, text, "", 0.0, 0.0),
        (content.achievement, text, "b", pt(6), 0.0),
        (content.decision_line, pt(L.CERT_SMALL_PT), "i", 0.0, pt(16)),
    ]
    for line, size, style, before, after in lines:
        paragraph(
            doc, line, size=size, style=style, align="center", before=before, after=after, keep_next=True
        )

    bottom = fixed_table(doc, 1, (left_width, geo.text_width - left_width))
    reg, sign = bottom.rows[0].cells
    # The register number sits at the foot, level with the signer's name.
    reg.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    paragraph(reg, content.register_line, size=pt(L.CERT_SMALL_PT), align="center", reuse=True)
    paragraph(sign, content.place_date, size=pt(L.PLACE_DATE_PT), align="center", style="i", reuse=True)
    signature(
        sign, content.signature, size=pt(L.SIGNATURE_PT), reuse=False, space=L.SIGNING_SPACE * geo.scale
    )
    return doc


def _page_border(doc: DocxDocument) -> None:
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "double"), ("w:sz", "12"), ("w:space", "24"), ("w:color", "000000")):
            edge.set(qn(key), value)
        borders.append(edge)
    doc.sections[0]._sectPr.insert_element_before(borders, *_SECT_PR_AFTER_BORDERS)
