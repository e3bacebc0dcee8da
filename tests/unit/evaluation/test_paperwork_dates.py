"""Unit tests: dates and numbers as Nghị định 30/2020/NĐ-CP writes them (evaluation paperwork)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.evaluation.paperwork.dates import document_number, place_and_date, roman, thousands, vn_date


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2026, 12, 5), "ngày 05 tháng 12 năm 2026"),
        (dt.date(2026, 12, 15), "ngày 15 tháng 12 năm 2026"),
        (dt.date(2027, 1, 20), "ngày 20 tháng 01 năm 2027"),
        (dt.date(2027, 2, 1), "ngày 01 tháng 02 năm 2027"),
        (dt.date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (dt.date(2026, 9, 30), "ngày 30 tháng 9 năm 2026"),
        (dt.date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
        (dt.date(2026, 11, 1), "ngày 01 tháng 11 năm 2026"),
    ],
)
def test_day_below_ten_and_months_one_and_two_take_a_leading_zero(date: dt.date, expected: str) -> None:
    assert vn_date(date) == expected


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_follows_the_nd30_rule(date: dt.date) -> None:
    match = re.fullmatch(r"ngày (\d\d) tháng (\d+) năm (\d{4})", vn_date(date))
    assert match is not None
    day, month, year = match.groups()
    assert (int(day), int(month), int(year)) == (date.day, date.month, date.year)
    assert len(month) == (2 if date.month in (1, 2, 10, 11, 12) else 1)


def test_place_comes_before_the_date_with_a_comma() -> None:
    assert place_and_date("Triệu Sơn", dt.date(2026, 12, 15)) == "Triệu Sơn, ngày 15 tháng 12 năm 2026"


@pytest.mark.parametrize(
    ("number", "expected"), [(5, "05/QĐ-UBND"), (10, "10/QĐ-UBND"), (123, "123/QĐ-UBND")]
)
def test_document_number_below_ten_takes_a_leading_zero(number: int, expected: str) -> None:
    assert document_number(number, "QĐ-UBND") == expected


def test_thousands_are_grouped_with_dots_and_groups_numbered_in_roman() -> None:
    assert [thousands(n) for n in (12, 2000, 1234567)] == ["12", "2.000", "1.234.567"]
    assert [roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 1994)] == [
        "I",
        "IV",
        "IX",
        "XIV",
        "XL",
        "XC",
        "CD",
        "MCMXCIV",
    ]
