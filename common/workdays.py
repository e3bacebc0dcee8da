"""Working-day calendar for Vietnamese deadlines (pure domain helper, no I/O beyond bundled data).

Counting rule: a deadline of ``n`` working days from ``start`` is the n-th working day strictly
after ``start``; the start day itself never counts (``n == 0`` returns ``start`` unchanged).
Working days are Monday to Friday minus Vietnamese public holidays (lunar ones included, taken
from the ``holidays`` package for any year it knows, with its observed and substituted days off)
minus the days off a plan adds. Known limit: a Saturday that the Government turns into a working
day in exchange for a bridge day off is still treated as a day off (``holidays`` lists only the
day off), so such a deadline ends one working day later, never earlier.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_DAY = time(23, 59, 59)
_SATURDAY = 5


@functools.lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    """Vietnamese public holidays (observed and substituted days included) of one year, cached."""
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_public_holiday(d: date) -> bool:
    """Whether ``d`` is a Vietnamese public holiday or an official day off in its place."""
    return d in _public_holidays(d.year)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days count towards a deadline.

    ``extra_days_off`` are a plan's local days off. With ``working_days_only=False`` the calendar
    counts every calendar day (weekends, holidays and extra days off included).
    """

    extra_days_off: frozenset[date] = frozenset()
    working_days_only: bool = True

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` counts: a weekday that is neither a public holiday nor a local day off."""
        if not self.working_days_only:
            return True
        return d.weekday() < _SATURDAY and not is_public_holiday(d) and d not in self.extra_days_off

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day strictly after ``start`` (``start`` itself when ``n == 0``)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if not self.working_days_only:
            return start + timedelta(days=n)
        d = start
        remaining = n
        while remaining:
            d += timedelta(days=1)
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b`` (negated when ``b < a``); inverse of add_working_days."""
        if b < a:
            return -self.working_days_between(b, a)
        if not self.working_days_only:
            return (b - a).days
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(days=i)))

    def deadline(self, start: datetime, days: int, working_days: bool) -> datetime:
        """End (23:59:59, Vietnam time, tz-aware) of the ``days``-th working or calendar day after ``start``.

        ``start`` must be timezone-aware; its day is taken in Asia/Ho_Chi_Minh. ``working_days=False``
        counts calendar days whatever this calendar's mode.
        """
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start must be timezone-aware (a naive datetime is ambiguous)")
        local_day = start.astimezone(VIETNAM_TZ).date()
        calendar = self if working_days else WorkCalendar(working_days_only=False)
        due = calendar.add_working_days(local_day, days)
        return datetime.combine(due, END_OF_DAY, tzinfo=VIETNAM_TZ)
