"""Page geometry and type sizes of Nghị định 30/2020/NĐ-CP, Appendix I, shared by both renderers.

All lengths are in millimetres and all sizes in points, each within the range the decree allows:
paper A4; margins top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm; Times New Roman; national
name 12-13 pt bold capitals; motto 13-14 pt bold; issuer 12-13 pt bold capitals; "Số:" 13 pt;
place and date 13-14 pt italic; document type and subject 13-14 pt bold; body 13-14 pt, first line
indented 1-1.27 cm, at least 6 pt between paragraphs; "Nơi nhận:" 12 pt bold italic, recipients 11 pt;
signature block 13-14 pt bold.
"""

from __future__ import annotations

from dataclasses import dataclass

FONT_FAMILY = "Times New Roman"  # named in the DOCX; the PDF embeds the metric-compatible Liberation Serif

A4 = (210.0, 297.0)
A5 = (148.0, 210.0)

MARGIN_TOP = 20.0
MARGIN_BOTTOM = 20.0
MARGIN_LEFT = 30.0
MARGIN_RIGHT = 15.0
TEXT_WIDTH = A4[0] - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm

# The header is two columns: issuer and number on the left, national name, motto, place and date on the
# right; the right one is wide enough for the national name on one line at 12 pt (88 mm).
HEADER_LEFT = 65.0
HEADER_RIGHT = TEXT_WIDTH - HEADER_LEFT
# Bottom block: recipients on the left, signature on the right.
BOTTOM_LEFT = 75.0
BOTTOM_RIGHT = TEXT_WIDTH - BOTTOM_LEFT
SIGNING_SPACE = 25.0  # room for the hand signature and the seal

NATIONAL_NAME_PT = 12.0
MOTTO_PT = 13.0
ISSUER_PT = 12.0
NUMBER_PT = 13.0
PLACE_DATE_PT = 14.0
DOC_TYPE_PT = 14.0
SUBJECT_PT = 14.0
BODY_PT = 14.0
RECIPIENTS_LABEL_PT = 12.0
RECIPIENTS_PT = 11.0
SIGNATURE_PT = 14.0
ANNEX_TABLE_PT = 13.0
PAGE_NUMBER_PT = 13.0

FIRST_LINE_INDENT = 12.7
PARAGRAPH_AFTER_PT = 6.0
LINE_SPACING = 1.15  # between single (1.0) and 1.5 lines, as the decree allows
SHORT_RULE = 0.4  # the rule under the issuer and the subject: 1/3 to 1/2 of the text line above it

# Annex table columns: STT, name, address, note.
ANNEX_COLUMNS = (14.0, 58.0, 55.0, 38.0)


@dataclass(frozen=True)
class CertificateGeometry:
    """A certificate's landscape page, margins and type sizes; A5 scales A4 down by 1/sqrt(2)."""

    page: tuple[float, float]
    margin: float
    scale: float

    def pt(self, size: float) -> float:
        """A type size scaled to the paper, to the half point."""
        return round(size * self.scale * 2) / 2

    @property
    def text_width(self) -> float:
        """The width between the margins."""
        return self.page[0] - 2 * self.margin


CERTIFICATE = {
    "A4": CertificateGeometry(page=(A4[1], A4[0]), margin=18.0, scale=1.0),
    "A5": CertificateGeometry(page=(A5[1], A5[0]), margin=12.0, scale=0.72),
}

CERT_NATIONAL_NAME_PT = 13.0
CERT_MOTTO_PT = 14.0
CERT_ISSUER_PT = 13.0
CERT_HEADING_PT = 32.0
CERT_TITLE_PT = 20.0
CERT_TEXT_PT = 16.0
CERT_NAME_PT = 24.0
CERT_SMALL_PT = 13.0
