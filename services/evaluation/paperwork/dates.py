"""Dates and numbers as Nghị định 30/2020/NĐ-CP writes them in official documents (paperwork layer)."""

from __future__ import annotations

import datetime as dt


def vn_date(date: dt.date) -> str:
    """'ngày 05 tháng 3 năm 2026': a day below 10 and the months 1 and 2 take a leading zero (ND 30)."""
    # ND 30, Appendix I: "đối với những số thể hiện ngày nhỏ hơn 10 và tháng 1, 2 phải ghi thêm số 0
    # phía trước" - so "tháng 01", "tháng 02", but "tháng 3" ... "tháng 9" stay as they are.
    month = f"{date.month:02d}" if date.month in (1, 2) else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def place_and_date(place: str, date: dt.date) -> str:
    """'Triệu Sơn, ngày 15 tháng 12 năm 2026': the place, a comma, then the date."""
    return f"{place}, {vn_date(date)}"


def document_number(number: int, symbol: str) -> str:
    """'123/QĐ-UBND', '05/QĐ-UBND': a number below 10 takes a leading zero (ND 30)."""
    return f"{number:02d}/{symbol}"


def thousands(n: int) -> str:
    """'2.000': Vietnamese groups thousands with a dot."""
    return f"{n:,}".replace(",", ".")


def roman(n: int) -> str:
    """'IV': the Roman numeral of a group in an annex (1..3999)."""
    out = []
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)
