"""The progress report as an official Excel table: national motto header, issuing body, place and date,
title, column headers, one block per title with its total, borders, Times New Roman (reports layer).

Deterministic: the same report and date give the same cells (the workbook's own timestamps are fixed).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from services.evaluation.paperwork.dates import place_and_date
from services.evaluation.reports.labels import (
    COLUMNS,
    MOTTO,
    NATION,
    POPULATION_VI,
    issuing_body,
    report_title,
    unit_place,
)
from services.evaluation.service.progress import ProgressReport

FONT = "Times New Roman"  # Nghị định 30/2020/NĐ-CP; Liberation Serif is metric-compatible
_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WIDTHS = (6, 34, 26, 12, 12, 11, 11, 10, 11, 10)
HEADER_ROW = 8
_FIXED = dt.datetime(2000, 1, 1)


def _font(size: int = 13, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _merged(ws: Any, row: int, first: int, last: int, value: str, font: Font) -> None:
    ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row=row, column=first, value=value)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header(ws: Any, report: ProgressReport, made_on: dt.date) -> None:
    upper, lower = issuing_body(report.admin_unit)
    _merged(ws, 1, 1, 3, upper, _font(12))
    _merged(ws, 2, 1, 3, lower, _font(12, bold=True))
    _merged(ws, 1, 4, 10, NATION, _font(12, bold=True))
    _merged(ws, 2, 4, 10, MOTTO, _font(13, bold=True))
    _merged(ws, 3, 4, 10, place_and_date(unit_place(report.admin_unit), made_on), _font(13, italic=True))
    _merged(ws, 5, 1, 10, report_title(report.year), _font(14, bold=True))
    _merged(ws, 6, 1, 10, f"(Theo {report.plan['name_vi']})", _font(12, italic=True))
    ws.row_dimensions[6].height = 48


def _table_cell(
    ws: Any, row: int, col: int, value: Any, *, bold: bool = False, fmt: str | None = None
) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.font = _font(12, bold=bold)
    cell.border = BORDER
    horizontal = "left" if col in (2, 3) else "center"
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    if fmt:
        cell.number_format = fmt


def _values(
    n: int | str, unit: str, title_vi: str, fig: dict[str, Any], target: dict[str, Any] | None
) -> list:
    met = fig["met"]
    return [
        n,
        unit,
        title_vi,
        fig["population"],
        fig["recognised"],
        fig["share"],
        fig["target_share"],
        target["year"] if target else None,
        fig["needed"],
        None if met is None else ("Đạt" if met else "Chưa đạt"),
    ]


_FORMATS = {4: "#,##0", 5: "#,##0", 6: "0.0%", 7: "0.0%", 9: "#,##0"}


def _write_row(ws: Any, row: int, values: list, *, bold: bool = False) -> None:
    for col, value in enumerate(values, start=1):
        _table_cell(ws, row, col, value, bold=bold, fmt=_FORMATS.get(col))


def render_xlsx(report: ProgressReport, *, made_on: dt.date) -> bytes:
    """The report as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"Tiến độ {report.year}"
    wb.properties.creator = "learning-society"
    wb.properties.created = wb.properties.modified = _FIXED
    _header(ws, report, made_on)
    for col, (label, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        _table_cell(ws, HEADER_ROW, col, label, bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45
    row = HEADER_ROW + 1
    totals = {t["title"]: t for t in report.totals}
    for info in report.titles:
        title = info["title"]
        kind = POPULATION_VI.get(info["population_kind"], info["population_kind"])
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=10)
        _table_cell(ws, row, 1, f"{info['name_vi']} (tính trên số {kind})", bold=True)
        for col in range(2, 11):
            ws.cell(row=row, column=col).border = BORDER
        row += 1
        number = 0
        for item in (r for r in report.rows if r["title"] == title):
            number += 1
            _write_row(ws, row, _values(number, item["unit_name"], info["name_vi"], item, info["target"]))
            row += 1
        total = _values("", "Cộng", info["name_vi"], totals[title], info["target"])
        _write_row(ws, row, total, bold=True)
        row += 1
    ws.cell(row=row + 1, column=2, value="NGƯỜI LẬP BIỂU").font = _font(12, bold=True)
    _merged(ws, row + 1, 6, 10, "THỦ TRƯỞNG ĐƠN VỊ", _font(12, bold=True))
    _merged(ws, row + 2, 6, 10, "(Ký, ghi rõ họ tên, đóng dấu)", _font(12, italic=True))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
