"""Vietnamese wording of the progress report's table and charts (reports layer)."""

from __future__ import annotations

from typing import Any

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
COLUMNS = (
    "STT",
    "Đơn vị",
    "Danh hiệu",
    "Tổng số",
    "Đã công nhận",
    "Tỷ lệ đạt",
    "Chỉ tiêu",
    "Năm chỉ tiêu",
    "Còn thiếu",
    "Đánh giá",
)
POPULATION_VI = {
    "households": "hộ gia đình",
    "clans": "dòng họ",
    "villages": "thôn, tổ dân phố",
    "units": "đơn vị",
    "citizens": "công dân từ 15 tuổi",
    "communes": "xã, phường",
}
_BODY = {"province": "ỦY BAN NHÂN DÂN", "commune": "ỦY BAN NHÂN DÂN", "village": "ỦY BAN NHÂN DÂN XÃ"}


def issuing_body(unit: dict[str, Any] | None) -> tuple[str, str]:
    """The two lines of the issuing body in the top left corner (parent body, then the body itself)."""
    if unit is None:
        return ("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "")
    name = str(unit["name"]).upper()
    if unit["level"] == "village":
        return (_BODY["village"], f"BAN CÔNG TÁC {name}")
    return (_BODY.get(unit["level"], "ỦY BAN NHÂN DÂN"), name)


def unit_place(unit: dict[str, Any] | None) -> str:
    """The place written before the date: the unit's name without its kind ("Phường Vũng Tàu" -> "Vũng Tàu")."""
    if unit is None:
        return "Hà Nội"
    name = str(unit["name"])
    for prefix in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Thị trấn ", "Đặc khu ", "Thôn ", "Khu phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def report_title(year: int) -> str:
    """The table's title."""
    return f"BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU XÂY DỰNG CÁC MÔ HÌNH HỌC TẬP NĂM {year}"


def chart_title(report: Any) -> str:
    """The chart's title."""
    where = report.admin_unit["name"] if report.admin_unit else "Toàn quốc"
    return f"Tiến độ so với chỉ tiêu năm {report.year} — {where}"
