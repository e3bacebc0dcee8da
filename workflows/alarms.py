"""When to remind and escalate: pure date arithmetic, run as a local activity of the workflow worker.

Working days need the holiday calendar (a library call); running it as a local activity records the
answer in the workflow's history, so replays never recompute it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio import activity

from common.workdays import VIETNAM_TZ, WorkCalendar
from workflows.recognition import contracts as c


def _calendar(days_off: list[str], working: bool) -> WorkCalendar:
    return WorkCalendar(
        extra_days_off=frozenset(date.fromisoformat(d) for d in days_off), working_days_only=working
    )


def _days_before(cal: WorkCalendar, day: date, n: int) -> date:
    """The n-th counted day before `day` (calendar days, or working days when the calendar says so)."""
    d = day
    while n > 0:
        d -= timedelta(days=1)
        if cal.is_working_day(d):
            n -= 1
    return d


def compute_alarms(inp: c.AlarmsInput) -> list[c.Alarm]:
    """The reminder, the deadline and each escalation step of one phase, in time order."""
    if inp.limit_days is not None:
        start = datetime.fromisoformat(inp.start)
        deadline = _calendar(inp.days_off, inp.limit_working_days).deadline(
            start, inp.limit_days, inp.limit_working_days
        )
    else:
        deadline = datetime.fromisoformat(inp.deadline)
    local = deadline.astimezone(VIETNAM_TZ)
    remind_day = _days_before(
        _calendar(inp.days_off, inp.reminder_working_days), local.date(), inp.reminder_lead_days
    )
    reminder = datetime.combine(
        remind_day, datetime.min.time().replace(hour=8), VIETNAM_TZ
    )  # 08:00 on that day
    alarms = [
        c.Alarm(at=reminder.isoformat(), kind="reminder"),
        c.Alarm(at=deadline.isoformat(), kind="overdue"),
    ]
    if inp.opens and datetime.fromisoformat(inp.opens) > datetime.fromisoformat(inp.start):
        # A draft opened before its window: the household is told when submits are taken.
        alarms.insert(0, c.Alarm(at=inp.opens, kind="opened"))
    for index, step in enumerate(inp.escalation):
        at = _calendar(inp.days_off, step.working_days).deadline(deadline, step.after_days, step.working_days)
        alarms.append(c.Alarm(at=max(at, deadline).isoformat(), kind="escalated", step=index))
    # Stable sort: at the same instant the deadline comes before its first escalation.
    return sorted(alarms, key=lambda a: datetime.fromisoformat(a.at))


@activity.defn(name=c.PLAN_ALARMS)
async def plan_alarms(inp: c.AlarmsInput) -> list[c.Alarm]:
    """Local activity wrapper of compute_alarms (fast and cached: it does not block the event loop long)."""
    return compute_alarms(inp)
