"""Use cases run by the recognition workflow's activities: the case's schedule from its plan, each step
of its lifecycle and each alarm, written once to the read model and the outbox (service layer)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, time
from typing import Any

from common.events import Event
from common.unit_of_work import reading
from common.workdays import END_OF_DAY, VIETNAM_TZ
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.deadline_reasons import deadline_reason
from services.evaluation.domain.errors import ValidationFailed
from services.evaluation.domain.plan_calendar import year_calendar
from services.evaluation.domain.plans import Plan
from services.evaluation.domain.score_checks import problems_as_field_errors, validate_scores
from services.evaluation.service.audit import case_entry
from services.evaluation.service.cases import (
    add_opened_case,
    case_progress_and_subject_or_raise,
    case_village,
)
from services.evaluation.service.plans import resolve_plan
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc

_EVENT_NS = uuid.UUID("8c9b7d1e-4f3a-4e55-b3c2-6a1f0e9d2c41")
_SCORE_COLUMN = {lc.VILLAGE_REVIEW: "village_score", lc.COMMUNE_REVIEW: "commune_score"}
_EVENT_OF = {
    "save_draft": "case.draft_saved",
    "submit": "case.submitted",
    "adjust_score": "case.score_adjusted",
    "request_evidence": "case.evidence_requested",
    "provide_evidence": "case.evidence_provided",
    "pass_review": "case.review_passed",
    "withdraw": "case.withdrawn",
}


def _event_id(*parts: object) -> str:
    """Deterministic event ids: a retried activity finds its event already written."""
    return str(uuid.uuid5(_EVENT_NS, "/".join(str(p) for p in parts)))


def case_schedule(uow: Any, *, inp: c.CaseInput) -> c.CaseSchedule:
    """The deadlines of a case from its plan, with the draft's due date written on its progress row
    (kept for workflow histories recorded before `open_case`)."""
    schedule = _schedule_of(reading(uow), inp)
    with uow:
        _write_draft_progress(uow, inp.case_id, schedule)
        uow.commit()
    return schedule


def open_case(uow: Any, *, inp: c.CaseOpenedInput) -> c.CaseSchedule:
    """Write the opened case (once) with its draft due date, and answer its deadlines from its plan.

    One activity, one transaction: the plan is checked before anything is written, so a case whose
    plan does not recognise its title leaves nothing behind; a retry writes nothing twice."""
    schedule = _schedule_of(reading(uow), inp)
    with uow:
        village = case_village(uow, inp)
        add_opened_case(uow, inp=inp, village_code=village)
        _write_draft_progress(uow, inp.case_id, schedule, village_code=village)
        uow.commit()
    return schedule


def _schedule_of(uow: Any, inp: c.CaseInput | c.CaseOpenedInput) -> c.CaseSchedule:
    """Self-assessment close, review limits, reminders and escalation, read from the case's plan."""
    plan = resolve_plan(uow, admin_unit_code=inp.admin_unit_code, plan_code=inp.plan_code)
    return plan_schedule(plan, inp.title, inp.year)


def plan_schedule(plan: Plan, title: str, year: int) -> c.CaseSchedule:
    """The schedule of a plan's cases of one title and year. A parsed plan version never changes
    (plans.parsed_plan), so it is computed once per process; the plan is kept beside it so that its id
    names it while cached."""
    key = (id(plan), title, year)
    cached = _schedules.get(key)
    if cached is not None and cached[0] is plan:
        return cached[1]
    schedule = _plan_schedule(plan, title, year)
    with _schedules_lock:
        if len(_schedules) >= _SCHEDULES_LIMIT:
            _schedules.clear()
        _schedules[key] = (plan, schedule)
    return schedule


_schedules: dict[tuple[int, str, int], tuple[Plan, c.CaseSchedule]] = {}
_schedules_lock = threading.Lock()
_SCHEDULES_LIMIT = 256


def _plan_schedule(plan: Plan, title: str, year: int) -> c.CaseSchedule:
    """A plan's schedule for the cases of one title and year (shared by them: never mutated)."""
    scope = plan.title(title)
    if scope is None:
        raise ValidationFailed(
            f"Kế hoạch {plan.code} không xét danh hiệu này.",
            f"Plan {plan.code} does not recognise {title}.",
            errors={"title": [f"Danh hiệu '{title}' không có trong kế hoạch {plan.code}."]},
            errors_en={"title": [f"Title '{title}' is not in plan {plan.code}."]},
        )
    cal = year_calendar(plan, year)
    opens = datetime.combine(cal.self_assessment_opens, time(0, 0), VIETNAM_TZ)
    closes = datetime.combine(cal.self_assessment_closes, END_OF_DAY, VIETNAM_TZ)
    criteria = get_criteria_set(scope.criteria.code, scope.criteria.version)
    return c.CaseSchedule(
        plan_code=plan.code,
        plan_version=plan.version,
        criteria_set_key=criteria.key,
        self_assessment_closes=closes.isoformat(),
        review_days={r.level: r.days for r in plan.calendar.review_limits},
        review_working_days={r.level: r.working_days for r in plan.calendar.review_limits},
        reminder_lead_days=plan.calendar.reminder_lead.days,
        reminder_working_days=plan.calendar.reminder_lead.working_days,
        escalation=[
            c.EscalationStep(
                role=s.role,
                level=s.level,
                after_days=s.after_days,
                working_days=s.working_days,
                action=s.action,
            )
            for s in plan.escalation
        ],
        days_off=[d.isoformat() for d in plan.calendar.days_off],
        self_assessment_opens=opens.isoformat(),
    )


def _write_draft_progress(uow: Any, case_id: str, schedule: c.CaseSchedule, **extra: Any) -> None:
    """The progress row of a case in draft: its plan, criteria set, who it waits on and its due date
    (the self-assessment close: the draft's deadline, as the workflow's alarms count it)."""
    uow.progress.upsert(
        case_id,
        plan_code=schedule.plan_code,
        plan_version=schedule.plan_version,
        criteria_set_key=schedule.criteria_set_key,
        waiting_on_role=lc.WAITING_ON[lc.DRAFT],
        due_at=datetime.fromisoformat(schedule.self_assessment_closes),
        **extra,
    )


def _check_scores(criteria_key: str | None, scores: dict[str, float], *, partial: bool) -> None:
    if not criteria_key:
        return
    code, _, version = criteria_key.partition("@")
    problems = validate_scores(get_criteria_set(code, version), scores, partial=partial)
    if problems:
        raise ValidationFailed(
            "Điểm không hợp lệ.",
            "Invalid scores.",
            errors=problems_as_field_errors(problems, english=False),
            errors_en=problems_as_field_errors(problems),
        )


def record_case_step(uow: Any, *, inp: c.CaseStepInput) -> bool:
    """Apply one lifecycle step to the read model once (a retried activity changes nothing)."""
    step, now = inp.step, datetime.now(UTC)
    with uow:
        # runs for every step; who the case is about comes in the same statement, for the notices
        case, progress, subject = case_progress_and_subject_or_raise(uow, case_id=inp.case_id)
        if case.version >= inp.version:
            return False
        if step.action in ("save_draft", "submit"):
            _check_scores(progress.get("criteria_set_key"), step.scores, partial=step.action == "save_draft")
            uow.progress.set_scores(case.id, "self_score", step.scores, step.actor, now)
        elif step.action == "adjust_score":
            _check_scores(progress.get("criteria_set_key"), step.scores, partial=True)
            uow.progress.set_scores(case.id, _SCORE_COLUMN[inp.from_status], step.scores, step.actor, now)
        updated = uow.cases.update_status(case, inp.to_status, now)
        uow.record(
            case_entry(
                case,
                action=_EVENT_OF[step.action],
                actor=step.actor,
                role=step.role,
                on_behalf_of=step.on_behalf_of,
                reason=step.reason or None,
                before={"status": case.status, "version": case.version},
                after={
                    "status": updated.status,
                    "version": updated.version,
                    "scores": step.scores,
                    "indicator_code": step.indicator_code,
                    "returned_to": inp.returned_to,
                },
                criteria_set_key=progress.get("criteria_set_key"),
                run_id=inp.run_id,
            )
        )
        changes: dict[str, Any] = {
            "waiting_on_role": lc.WAITING_ON.get(inp.to_status),
            "returned_to": inp.returned_to,
        }
        if inp.to_status != inp.from_status:
            # The new phase's due date comes with the step (histories before it: None, and a
            # "scheduled" alarm then wrote it).
            due_at = datetime.fromisoformat(inp.due_at) if inp.due_at else None
            changes.update(
                overdue=False, escalation_step=-1, escalated_to_role=None, assignee=None, due_at=due_at
            )
        uow.progress.upsert(case.id, **changes)
        uow.publish(
            Event(
                id=_event_id(inp.workflow_id, inp.version),
                type=_EVENT_OF[step.action],
                source="evaluation",
                payload={
                    "case_id": case.id,
                    "workflow_id": inp.workflow_id,
                    "run_id": inp.run_id,
                    "admin_unit_code": case.admin_unit_code,
                    "village_code": progress.get("village_code"),
                    "subject_id": case.subject_id,
                    **subject,
                    "from": inp.from_status,
                    "to": inp.to_status,
                    "actor": step.actor,
                    "role": step.role,
                    "on_behalf_of": step.on_behalf_of,
                    "reason": step.reason,
                    "scores": step.scores,
                    "version": inp.version,
                },
            )
        )
        uow.commit()
        return True


def record_case_alarm(uow: Any, *, inp: c.CaseAlarmInput) -> bool:
    """Record a window opening, a reminder, a missed deadline or an escalation step once, as an event for
    notifications."""
    event_id = _event_id(inp.workflow_id, inp.status, inp.kind, inp.step, inp.due_at)
    if inp.kind == "scheduled":  # a new phase's deadline: shown in the inbox, nobody is notified
        with uow:
            uow.progress.upsert(inp.case_id, due_at=datetime.fromisoformat(inp.due_at))
            uow.commit()
        return True
    with uow:
        if uow.has_event(event_id):
            return False
        case, progress, subject = case_progress_and_subject_or_raise(uow, case_id=inp.case_id)
        changes: dict[str, Any] = {"due_at": datetime.fromisoformat(inp.due_at)}
        if inp.kind in ("overdue", "escalated"):
            changes["overdue"] = True
        if inp.kind == "escalated":
            changes.update(escalation_step=inp.step, escalated_to_role=inp.role)
        uow.progress.upsert(case.id, **changes)
        uow.record(
            case_entry(
                case,
                action="self_assessment.opened" if inp.kind == "opened" else f"deadline.{inp.kind}",
                actor="system",
                role=inp.role,
                reason=deadline_reason(
                    inp.kind, inp.due_at, status=inp.status, step=inp.step, role=inp.role, action=inp.action
                ),
                after={"due_at": inp.due_at, "escalation_step": inp.step, "escalated_to_role": inp.role},
            )
        )
        event_type = {
            "opened": "case.self_assessment_opened",
            "reminder": "case.reminder_due",
            "overdue": "case.overdue",
            "escalated": "case.escalated",
        }
        uow.publish(
            Event(
                id=event_id,
                type=event_type[inp.kind],
                source="evaluation",
                payload={
                    "case_id": case.id,
                    "workflow_id": inp.workflow_id,
                    "admin_unit_code": case.admin_unit_code,
                    "village_code": progress.get("village_code"),
                    "subject_id": case.subject_id,
                    **subject,
                    "status": inp.status,
                    "due_at": inp.due_at,
                    "step": inp.step,
                    "role": inp.role,
                    "level": inp.level,
                    "action": inp.action,
                    "waiting_on_role": lc.WAITING_ON.get(inp.status),
                },
            )
        )
        uow.commit()
        return True
