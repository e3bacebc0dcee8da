"""The shipped Unicode font (Liberation Serif, SIL OFL 1.1) and its metrics, for every service that renders PDF or charts.

Liberation Serif is metric-compatible with Times New Roman, which Nghị định 30/2020/NĐ-CP
prescribes: text measured here has the width it will have in Word with Times New Roman, and the
PDF embeds it so that every Vietnamese letter renders without any font installed on the reader's
machine. Registration happens on first use, never at import.
"""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"  # the TTF files and their licence
FAMILY = "LiberationSerif"
FILES = {
    "": "LiberationSerif-Regular.ttf",
    "b": "LiberationSerif-Bold.ttf",
    "i": "LiberationSerif-Italic.ttf",
    "bi": "LiberationSerif-BoldItalic.ttf",
}


def face(style: str = "") -> str:
    """The registered reportlab font name for a style: '', 'b', 'i' or 'bi'."""
    register()
    key = "".join(sorted(set(style) & {"b", "i"}))
    return f"{FAMILY}{'-' + key if key else ''}"


@functools.cache
def register() -> None:
    """Register the four faces and their family with reportlab (once per process)."""
    for key, filename in FILES.items():
        name = f"{FAMILY}{'-' + key if key else ''}"
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        FAMILY, normal=FAMILY, bold=f"{FAMILY}-b", italic=f"{FAMILY}-i", boldItalic=f"{FAMILY}-bi"
    )


def width_mm(text: str, size: float, style: str = "") -> float:
    """The width of one line of text, in millimetres."""
    return pdfmetrics.stringWidth(text, face(style), size) / mm
