"""A plan's yearly calendar as concrete dates, and working-day arithmetic (evaluation, domain layer).

Working days are those of ``common.workdays`` (one calendar for the whole product): Monday to Friday
less Vietnamese public holidays, lunar ones included, less the days off a plan or a caller adds. The
same plan gives the same dates in tests, workflows and reports.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from common.workdays import WorkCalendar
from services.evaluation.domain.plans import Duration, Plan, ReportDeadline

_QUARTER_FIRST_MONTH = {1: 1, 2: 4, 3: 7, 4: 10}
_QUARTER_LAST_DAY = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass(frozen=True)
class ReportDue:
    """One report due in a given year."""

    from_vi: str
    from_level: str
    to_vi: str
    to_level: str
    deadline: date  # the date the plan states
    last_day: date  # the last day a report is on time: the day before when the plan says "trước ngày"
    remind_on: date


@dataclass(frozen=True)
class YearCalendar:
    """The concrete dates of one year's round under a plan."""

    year: int
    self_assessment_opens: date
    self_assessment_closes: date
    self_assessment_remind_on: date
    evidence_deadline: date
    evidence_remind_on: date
    decision_from: date
    decision_by: date
    reports: tuple[ReportDue, ...]
    days_off: tuple[date, ...]


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a quarter (1..4)."""
    if quarter not in _QUARTER_FIRST_MONTH:
        raise ValueError(f"quarter must be 1..4, got {quarter}")
    month, day = _QUARTER_LAST_DAY[quarter]
    return date(year, _QUARTER_FIRST_MONTH[quarter], 1), date(year, month, day)


def is_working_day(day: date, days_off: Collection[date] = ()) -> bool:
    """Monday to Friday, not a Vietnamese public holiday, and not one of ``days_off`` (local days off)."""
    return WorkCalendar(extra_days_off=frozenset(days_off)).is_working_day(day)


def shift_days(start: date, days: int, *, working_days: bool, days_off: Collection[date] = ()) -> date:
    """``start`` moved by ``days`` (negative: backwards), counting only working days if asked."""
    if not working_days:
        return start + timedelta(days=days)
    calendar = WorkCalendar(extra_days_off=frozenset(days_off))
    if days >= 0:
        return calendar.add_working_days(start, days)
    current, remaining = start, -days
    while remaining:
        current -= timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def reminder_date(deadline: date, lead: Duration, days_off: Collection[date] = ()) -> date:
    """When to send the reminder for a deadline, ``lead`` before it."""
    return shift_days(deadline, -lead.days, working_days=lead.working_days, days_off=days_off)


def year_calendar(plan: Plan, year: int, *, public_holidays: Collection[date] = ()) -> YearCalendar:
    """Turn the plan's yearly calendar into the concrete dates of ``year``. Vietnamese public holidays
    always count as days off; ``public_holidays`` adds more (kept for callers that pass their own).

    Raises ValueError when ``year`` is outside the plan's period.
    """
    if not plan.period.start_year <= year <= plan.period.end_year:
        raise ValueError(
            f"{year} is outside plan {plan.code} v{plan.version} "
            f"({plan.period.start_year}-{plan.period.end_year})"
        )
    cal = plan.calendar
    days_off = frozenset(public_holidays) | frozenset(cal.days_off)
    opens = cal.self_assessment.start.in_year(year)
    closes = cal.self_assessment.end.in_year(year)
    evidence = cal.evidence_deadline.day.in_year(year)
    decision_from, decision_by = quarter_bounds(year, cal.decision.quarter)
    reports = tuple(
        _report_due(deadline, year, cal.reminder_lead, days_off)
        for deadline in cal.report_deadlines
        if deadline.year in (None, year)
    )
    return YearCalendar(
        year=year,
        self_assessment_opens=opens,
        self_assessment_closes=closes,
        self_assessment_remind_on=reminder_date(closes, cal.reminder_lead, days_off),
        evidence_deadline=evidence,
        evidence_remind_on=reminder_date(evidence, cal.reminder_lead, days_off),
        decision_from=decision_from,
        decision_by=decision_by,
        reports=tuple(sorted(reports, key=lambda due: (due.deadline, due.from_vi))),
        days_off=tuple(sorted(day for day in cal.days_off if day.year == year)),
    )


def _report_due(deadline: ReportDeadline, year: int, lead: Duration, days_off: Collection[date]) -> ReportDue:
    stated = deadline.due.in_year(year)
    last_day = stated - timedelta(days=1) if deadline.before else stated
    return ReportDue(
        from_vi=deadline.from_vi,
        from_level=deadline.from_level,
        to_vi=deadline.to_vi,
        to_level=deadline.to_level,
        deadline=stated,
        last_day=last_day,
        remind_on=reminder_date(last_day, lead, days_off),
    )
