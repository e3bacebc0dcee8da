"""Unit tests of common.workdays: the Vietnamese working-day calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.workdays import VIETNAM_TZ, WorkCalendar

CAL = WorkCalendar()

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
counts = st.integers(min_value=0, max_value=120)
local_days_off = st.frozensets(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), max_size=20
)


def test_tet_2026_is_five_days_off() -> None:
    for day in range(16, 21):
        assert not CAL.is_working_day(date(2026, 2, day))
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


def test_deadline_across_tet_2026_skips_the_holiday_week() -> None:
    # Friday 13 Feb + 1 working day: the weekend and Tết (16-20 Feb) pass, then the weekend again.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_hung_kings_2026_falls_on_sunday_and_is_observed_on_monday() -> None:
    assert not CAL.is_working_day(date(2026, 4, 26))
    assert not CAL.is_working_day(date(2026, 4, 27))
    assert CAL.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)


def test_national_day_is_off() -> None:
    assert not CAL.is_working_day(date(2026, 9, 2))
    assert not CAL.is_working_day(date(2025, 9, 2))
    assert not CAL.is_working_day(date(2031, 9, 2))


def test_lunar_holidays_move_with_the_year() -> None:
    # Tết 2025 fell in late January; the same weekday dates are ordinary in 2026.
    assert not CAL.is_working_day(date(2025, 1, 29))
    assert CAL.is_working_day(date(2026, 1, 29))
    assert not CAL.is_working_day(date(2025, 4, 7))  # Hùng Kings 2025
    assert CAL.is_working_day(date(2026, 4, 7))


def test_weekends_are_off_and_weekdays_work() -> None:
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 8))  # Sunday
    assert CAL.is_working_day(date(2026, 3, 9))
    assert CAL.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert CAL.add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)


def test_local_extra_days_off_are_skipped() -> None:
    local = WorkCalendar(extra_days_off=frozenset({date(2026, 3, 10)}))
    assert not local.is_working_day(date(2026, 3, 10))
    assert local.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 11)
    assert CAL.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)


def test_zero_days_returns_the_start_day() -> None:
    assert CAL.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    assert CAL.working_days_between(date(2026, 3, 7), date(2026, 3, 7)) == 0


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 9), -1)


def test_between_is_negated_when_reversed() -> None:
    assert CAL.working_days_between(date(2026, 3, 16), date(2026, 3, 9)) == -5


def test_calendar_days_mode_counts_every_day() -> None:
    plain = WorkCalendar(extra_days_off=frozenset({date(2026, 2, 17)}), working_days_only=False)
    assert plain.is_working_day(date(2026, 2, 17))
    assert plain.add_working_days(date(2026, 2, 13), 7) == date(2026, 2, 20)
    assert plain.working_days_between(date(2026, 2, 13), date(2026, 2, 20)) == 7


def test_deadline_is_end_of_day_in_vietnam_and_aware() -> None:
    # 20:00 UTC on Friday 13 Feb 2026 is already Saturday 14 Feb in Hanoi.
    due = CAL.deadline(datetime(2026, 2, 13, 20, 0, tzinfo=UTC), 1, working_days=True)
    assert due == datetime(2026, 2, 23, 23, 59, 59, tzinfo=VIETNAM_TZ)
    assert due.utcoffset() == timedelta(hours=7)


def test_deadline_in_calendar_days() -> None:
    start = datetime(2026, 2, 13, 9, 0, tzinfo=VIETNAM_TZ)
    assert CAL.deadline(start, 5, working_days=False) == datetime(2026, 2, 18, 23, 59, 59, tzinfo=VIETNAM_TZ)


def test_deadline_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        CAL.deadline(datetime(2026, 2, 13, 9, 0), 1, working_days=True)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=120), off=local_days_off)
def test_result_is_always_a_working_day(start: date, n: int, off: frozenset[date]) -> None:
    cal = WorkCalendar(extra_days_off=off)
    assert cal.is_working_day(cal.add_working_days(start, n))


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts)
def test_result_is_monotonic_in_n(start: date, n: int) -> None:
    assert start <= CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=counts, off=local_days_off)
def test_n_working_days_lie_between_start_and_result(start: date, n: int, off: frozenset[date]) -> None:
    cal = WorkCalendar(extra_days_off=off)
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@settings(max_examples=100, deadline=None)
@given(start=starts, n=counts)
def test_calendar_days_mode_is_plain_addition(start: date, n: int) -> None:
    assert WorkCalendar(working_days_only=False).add_working_days(start, n) == start + timedelta(days=n)
