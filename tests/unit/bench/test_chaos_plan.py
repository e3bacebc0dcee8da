"""The chaos run's own plan for the ward (tools/chaos/plan.py): both versions are valid plans on any day of
the year, version 2 puts every date of the round before today, and the council's votes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from common.workdays import VIETNAM_TZ
from services.evaluation.documents.plans import load_plan
from services.evaluation.domain.plan_calendar import quarter_bounds, year_calendar
from tools.chaos.plan import CODE, plan_document, run_year
from tools.chaos.round import voted_down

DAYS = [date(2026, 11, 25), date(2027, 1, 1), date(2027, 1, 3), date(2027, 4, 1), date(2027, 12, 31)]


@pytest.mark.parametrize("on", DAYS)
def test_both_versions_are_valid_plans_of_the_ward(on: date) -> None:
    year = run_year(on)
    v1, v2 = (load_plan(plan_document(v, year, on)) for v in (1, 2))
    assert (v1.code, v1.version, v2.code, v2.version) == (CODE, 1, CODE, 2)
    assert v1.locality.code == "26506" and v1.calendar.public_posting is None
    assert (v2.calendar.public_posting.days, v2.calendar.public_posting.working_days) == (0, False)


@pytest.mark.parametrize("on", DAYS)
def test_version_2_puts_the_round_s_dates_before_today(on: date) -> None:
    year = run_year(on)
    now = datetime.combine(on, datetime.min.time(), VIETNAM_TZ)  # the earliest moment of the day
    cal = year_calendar(load_plan(plan_document(2, year, on)), year)
    closes = datetime.combine(cal.self_assessment_closes, datetime.max.time(), VIETNAM_TZ)
    assert closes < now
    first, _ = quarter_bounds(year, load_plan(plan_document(2, year, on)).calendar.decision.quarter)
    assert datetime.combine(first, datetime.min.time(), VIETNAM_TZ) + timedelta(hours=8) < now


def test_version_1_keeps_the_window_open_while_the_cases_are_driven() -> None:
    on = date(2026, 11, 25)
    cal = year_calendar(load_plan(plan_document(1, run_year(on), on)), run_year(on))
    assert cal.self_assessment_closes == date(2026, 12, 31) and cal.self_assessment_remind_on > on


def test_every_fourth_subject_is_voted_down() -> None:
    ids = [f"{i:02d}" for i in range(8)]
    assert voted_down(list(reversed(ids))) == {"03", "07"}
