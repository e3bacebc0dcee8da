"""Award papers as reproducible PDFs: the award decision, and per nominee the submission letter, the
achievement report and the council minutes (paperwork layer; patterns copied from the evaluation
service's paperwork, which this service may not import; the font comes from common/typefaces)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common import typefaces

BODY = 13.0
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
AUTHORITY_VI = {
    "commune_chairman": "Chủ tịch Ủy ban nhân dân",
    "agency_or_locality_head": "Thủ trưởng cơ quan, đơn vị",
    "province": "Ủy ban nhân dân tỉnh, thành phố",
    "ministry": "Bộ trưởng",
    "ministry_or_province": "Bộ, ngành, tỉnh",
    "prime_minister": "Thủ tướng Chính phủ",
}
KIND_VI = {"collective": "Tập thể", "household": "Hộ gia đình", "individual": "Cá nhân"}


def para(
    text: str, size: float = BODY, *, style: str = "", align: str = "left", after: float = 3.0
) -> Paragraph:
    """A paragraph in the embedded font (text escaped)."""
    alignment = {"left": TA_LEFT, "center": TA_CENTER, "justify": TA_JUSTIFY}[align]
    return Paragraph(
        escape(text),
        ParagraphStyle(
            name=f"p{size}{style}{align}",
            fontName=typefaces.face(style),
            fontSize=size,
            leading=size * 1.25,
            alignment=alignment,
            spaceAfter=after,
        ),
    )


def header(issuer: str, number: str, place_date: str) -> list[Flowable]:
    """Issuer and national motto side by side, then number and date (ND 30/2020 layout, simplified)."""
    left = [para(issuer.upper(), 12, style="b", align="center"), para(f"Số: {number}", 12, align="center")]
    right = [
        para(MOTTO[0], 12, style="b", align="center"),
        para(MOTTO[1], 13, style="b", align="center"),
        para(place_date, 13, style="i", align="center"),
    ]
    table = Table([[left, right]], colWidths=[70 * mm, 100 * mm])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), typefaces.face())])
    )
    return [table, Spacer(1, 6 * mm)]


def grid(rows: Sequence[Sequence[str]], widths_mm: Sequence[float]) -> Table:
    """A ruled table of plain text cells."""
    table = Table(
        [[para(c, 11, after=0) for c in r] for r in rows], colWidths=[w * mm for w in widths_mm], repeatRows=1
    )
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return table


def render(story: list[Flowable], *, title: str, on: date, seed: bytes) -> bytes:
    """PDF bytes, reproducible: invariant mode, the document's date, a file ID from `seed` only."""
    out = io.BytesIO()
    stamp = f"D:{on.year:04d}{on.month:02d}{on.day:02d}000000+07'00'"

    class _Canvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._doc.signature = hashlib.md5(b"awards\n" + seed, usedforsecurity=False)

    doc = SimpleDocTemplate(
        out,
        pagesize=(210 * mm, 297 * mm),
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        leftMargin=30 * mm,
        rightMargin=15 * mm,
        title=title,
        author="",
        creator="learning-society awards",
        lang="vi-VN",
        invariant=1,
        initialFontName=typefaces.face(),
        initialFontSize=BODY,
    )
    doc.build(story, onFirstPage=lambda c, d: c.setDateFormatter(lambda *_: stamp), canvasmaker=_Canvas)
    return out.getvalue()


def decision_pdf(
    rnd: dict[str, Any],
    decision: dict[str, Any],
    awarded: list[dict[str, Any]],
    forwarded: list[dict[str, Any]],
    unit_name: str,
) -> bytes:
    """Quyết định khen thưởng: who receives which form, and the proposals forwarded to the level above."""
    on = decision["decided_on"]
    story = header(
        f"Ủy ban nhân dân {unit_name}", decision["number"], f"ngày {on.day} tháng {on.month} năm {on.year}"
    )
    story += [
        para("QUYẾT ĐỊNH", 14, style="b", align="center"),
        para(f"Về việc khen thưởng {_round_name(rnd)}", 14, style="b", align="center", after=8),
        para("Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;", align="justify"),
        para(
            f"Căn cứ Kế hoạch {rnd['plan_code']} và đề nghị của Hội đồng Thi đua - Khen thưởng,",
            align="justify",
        ),
        para("QUYẾT ĐỊNH:", style="b", align="center"),
        para("Điều 1. Tặng thưởng cho các tập thể, hộ gia đình, cá nhân có tên sau:", align="justify"),
    ]
    rows = [["STT", "Tên", "Loại", "Hình thức"]]
    rows += [
        [str(i), a["name"], KIND_VI[a["nominee_kind"]], a["form_name"]] for i, a in enumerate(awarded, 1)
    ]
    story.append(grid(rows, [12, 75, 30, 48]))
    if forwarded:
        story.append(para("Điều 2. Đề nghị cấp trên xét khen thưởng:", align="justify"))
        rows = [["STT", "Tên", "Loại", "Hình thức đề nghị"]]
        rows += [
            [str(i), a["name"], KIND_VI[a["nominee_kind"]], a["form_name"]]
            for i, a in enumerate(forwarded, 1)
        ]
        story.append(grid(rows, [12, 75, 30, 48]))
    story += [
        para("Điều 3. Quyết định có hiệu lực kể từ ngày ký.", align="justify"),
        Spacer(1, 8 * mm),
        para(decision["signer_name"].upper(), style="b", align="center"),
    ]
    return render(story, title=f"Quyết định {decision['number']}", on=on, seed=decision["id"].encode())


def _round_name(rnd: dict[str, Any]) -> str:
    name = {
        "annual": "hằng năm",
        "so_ket": "sơ kết giai đoạn 2023-2025",
        "tong_ket": "tổng kết giai đoạn 2023-2030",
    }
    return f"đợt {name[rnd['kind']]} năm {rnd['year']} phong trào học tập suốt đời"


def dossier_pdf(
    rnd: dict[str, Any],
    nomination: dict[str, Any],
    form_name: str,
    minutes: dict[str, Any],
    evidence: list[dict[str, Any]],
    on: date,
) -> bytes:
    """The nominee's dossier: submission letter, achievement report, council minutes, evidence list."""
    who = f"{KIND_VI[nomination['nominee_kind']]} {nomination['name']}"
    story = header(
        f"Đơn vị đề nghị: {nomination['unit_code']}", "…/TTr", f"ngày {on.day} tháng {on.month} năm {on.year}"
    )
    story += [
        para("TỜ TRÌNH", 14, style="b", align="center"),
        para(f"Về việc đề nghị tặng {form_name}", 13, style="b", align="center", after=8),
        para(f"Đề nghị xét tặng {form_name} cho {who} trong {_round_name(rnd)}.", align="justify"),
        PageBreak(),
        para("BÁO CÁO THÀNH TÍCH", 14, style="b", align="center", after=8),
        para(nomination["achievements"], align="justify"),
    ]
    if nomination["initiatives"]:
        story.append(para("Sáng kiến: " + "; ".join(nomination["initiatives"]), align="justify"))
    recognitions = nomination["eligibility"].get("recognitions", [])
    rows = [["Năm", "Danh hiệu"]] + [
        [str(r["year"]), r["title"]] for r in sorted(recognitions, key=lambda r: r["year"])
    ]
    story += [
        para("Danh hiệu đã được công nhận:", style="b"),
        grid(rows, [25, 100]),
        PageBreak(),
        para("BIÊN BẢN HỌP HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", 14, style="b", align="center", after=8),
    ]
    rows = [["Thành viên", "Điểm", "Biểu quyết"]]
    rows += [
        [s["username"], str(s["score"]), "Đồng ý" if s["approve"] else "Không đồng ý"]
        for s in minutes["scores"]
    ]
    story += [
        grid(rows, [80, 25, 50]),
        para(f"Điểm bình quân: {minutes['average']}; đồng ý {minutes['approvals']}/{minutes['votes']}."),
    ]
    story += [
        para("Kết luận: " + minutes["conclusion"], align="justify"),
        PageBreak(),
        para("DANH MỤC MINH CHỨNG", 14, style="b", align="center", after=8),
    ]
    rows = [["Tệp", "SHA-256"]] + [[e["filename"], e["sha256"]] for e in evidence]
    story.append(grid(rows, [60, 105]))
    return render(story, title=f"Hồ sơ {nomination['name']}", on=on, seed=nomination["id"].encode())
