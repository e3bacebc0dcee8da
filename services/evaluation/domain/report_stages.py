"""Which report a unit owes under a plan, to whom, by when, who is chased, and whose reports roll up into
it (evaluation, domain layer). Pure: the calendar comes from plan_calendar."""

from __future__ import annotations

from services.evaluation.domain.admin_units import LEVELS
from services.evaluation.domain.plan_calendar import ReportDue, year_calendar
from services.evaluation.domain.plans import EscalationStep, Plan

# Who writes a unit's report: the village branch, the commune association, the province's department.
REPORTER_ROLE = {
    "village": "village_officer",
    "commune": "commune_association_officer",
    "district": "administrator",
    "province": "administrator",
}


def tree_level(party_level: str) -> str:
    """The admin level a report's party stands at: "agency" (the plan's "cơ quan, đơn vị, địa phương")
    is read as the localities below the province, i.e. communes."""
    return "commune" if party_level == "agency" else party_level


def own_stage(plan: Plan, year: int, unit_level: str) -> ReportDue | None:
    """The earliest report the plan asks of a unit at this level in ``year`` (None: it owes none)."""
    dues = [d for d in year_calendar(plan, year).reports if tree_level(d.from_level) == unit_level]
    return min(dues, key=lambda d: d.deadline) if dues else None


def child_level(plan: Plan, year: int, unit_level: str) -> str | None:
    """The level below whose reports go to a unit at this level (None: nobody reports to it)."""
    for due in year_calendar(plan, year).reports:
        below = tree_level(due.from_level)
        if tree_level(due.to_level) == unit_level and LEVELS.index(below) > LEVELS.index(unit_level):
            return below
    return None


def escalation_for(plan: Plan, unit_level: str) -> tuple[EscalationStep, ...]:
    """The plan's chain from the unit's own level up: a village officer is not chased for a commune's
    report."""
    return tuple(s for s in plan.escalation if LEVELS.index(s.level) <= LEVELS.index(unit_level))
