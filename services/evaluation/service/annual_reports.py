"""Use cases run by the AnnualReport workflow's activities: open a unit's report with its schedule from the
plan, snapshot and audit a submission, record reminders / overdue / escalation, roll the units below up
(service layer). Each is idempotent: a retried activity changes nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common.audit_entry import AuditEntry
from common.canonical import canonical_json
from common.errors import NotFound, ValidationFailed
from common.events import Event
from common.workdays import END_OF_DAY, VIETNAM_TZ
from services.evaluation.domain.deadline_reasons import deadline_reason
from services.evaluation.domain.plans import Plan
from services.evaluation.domain.report_stages import (
    REPORTER_ROLE,
    child_level,
    escalation_for,
    own_stage,
    tree_level,
)
from services.evaluation.service.plans import get_plan_version
from services.evaluation.service.progress import progress_report
from workflows import ids
from workflows.annual_report import contracts as c
from workflows.recognition.contracts import EscalationStep

_EVENT_NS = uuid.UUID("b6f1d2a4-8e3c-4f71-9c05-2a7d9e4b1c36")
_GRACE = timedelta(days=31)  # a report waits at least this long after its deadline before it closes


def report_chain(report_id: str) -> str:
    """The audit chain of one annual report."""
    return f"report:{report_id}"


def _event_id(*parts: object) -> str:
    return str(uuid.uuid5(_EVENT_NS, "/".join(str(p) for p in parts)))


def get_report_or_raise(uow: Any, report_id: str) -> dict[str, Any]:
    """The report row (inside an open unit of work); NotFound."""
    report = uow.annual_reports.get(report_id)
    if report is None:
        raise NotFound(f"Không tìm thấy báo cáo {report_id}.", f"Report {report_id} not found.")
    return report


def check_report_unit(plan: Plan, year: int, unit: Any) -> tuple[Any, str | None]:
    """The unit's own report stage and the level reporting to it; ValidationFailed when it has neither
    or the year is outside the plan."""
    if not plan.period.start_year <= year <= plan.period.end_year:
        raise ValidationFailed(
            "Năm nằm ngoài thời kỳ của kế hoạch.",
            "The year is outside the plan's period.",
            errors={
                "year": [
                    f"Năm phải từ {plan.period.start_year} đến {plan.period.end_year} (thời kỳ của kế hoạch {plan.code})."
                ]
            },
            errors_en={
                "year": [
                    f"The year must be from {plan.period.start_year} to {plan.period.end_year} (plan {plan.code}'s period)."
                ]
            },
        )
    stage, below = own_stage(plan, year, unit.level), child_level(plan, year, unit.level)
    if stage is None and below is None:
        raise ValidationFailed(
            "Kế hoạch không giao báo cáo cho cấp này.",
            "The plan asks no report of this level.",
            errors={
                "admin_unit": [
                    f"Kế hoạch {plan.code} không giao báo cáo năm {year} cho cấp của đơn vị '{unit.code}' ({unit.level})."
                ]
            },
            errors_en={
                "admin_unit": [
                    f"Plan {plan.code} asks no {year} report at the level of unit '{unit.code}' ({unit.level})."
                ]
            },
        )
    return stage, below


def _parent_code(uow: Any, unit: Any, to_level: str) -> str | None:
    for code in reversed(unit.path.split("/")[:-1]):
        ancestor = uow.admin_units.get(code)
        if ancestor is not None and ancestor.level == to_level:
            return str(ancestor.code)
    return None


def open_annual_report(uow: Any, *, inp: c.OpenReportInput) -> c.ReportSchedule:
    """The report's schedule from the plan; writes the report row and its first audit entry once."""
    _, plan = get_plan_version(uow, code=inp.plan_code)
    with uow:
        unit = uow.admin_units.get(inp.unit_code)
        if unit is None:
            raise ValidationFailed(
                "Không có đơn vị hành chính này.",
                "Unknown unit.",
                errors={"admin_unit": [f"Không có đơn vị hành chính mang mã '{inp.unit_code}'."]},
                errors_en={"admin_unit": [f"No administrative unit has the code '{inp.unit_code}'."]},
            )
        stage, below = check_report_unit(plan, inp.year, unit)
        deadline = datetime.combine(stage.last_day, END_OF_DAY, VIETNAM_TZ) if stage else None
        parent = _parent_code(uow, unit, tree_level(stage.to_level)) if stage else None
        children: list[str] = []
        if below:
            units, _ = uow.admin_units.list(
                level=below, parent_code=unit.code, name_contains=None, within=None, limit=100_000, offset=0
            )
            children = [u.code for u in units]
        below_rows = uow.annual_reports.children(plan.code, inp.year, unit.code)
        submitted = [
            r["unit_code"] for r in below_rows if r["status"] == c.SUBMITTED and r["unit_code"] in children
        ]
        now = datetime.now(UTC)
        created = uow.annual_reports.add_if_absent(
            {
                "id": inp.report_id,
                "workflow_id": inp.workflow_id,
                "plan_code": plan.code,
                "plan_version": plan.version,
                "year": inp.year,
                "unit_code": unit.code,
                "unit_level": unit.level,
                "parent_code": parent,
                "to_vi": stage.to_vi if stage else None,
                "due_at": deadline,
                "status": c.OPEN,
                "version": 1,
                "overdue": False,
                "escalation_step": -1,
                "children_expected": len(children),
                "created_at": now,
                "updated_at": now,
            }
        )
        if created:
            uow.record(
                AuditEntry(
                    chain=report_chain(inp.report_id),
                    action="report.opened",
                    actor=inp.started_by,
                    after={
                        "plan": plan.key,
                        "unit": unit.code,
                        "due_at": deadline,
                        "children": len(children),
                    },
                    workflow_id=inp.workflow_id,
                )
            )
            uow.commit()
    year_end = datetime.combine(date(inp.year, 12, 31), END_OF_DAY, VIETNAM_TZ)
    closes = max(year_end, deadline + _GRACE) if deadline else year_end
    steps = escalation_for(plan, unit.level) if stage else ()
    return c.ReportSchedule(
        report_id=inp.report_id,
        unit_level=unit.level,
        deadline=deadline.isoformat() if deadline else "",
        closes_at=closes.isoformat(),
        reminder_lead_days=plan.calendar.reminder_lead.days,
        reminder_working_days=plan.calendar.reminder_lead.working_days,
        reporter_role=REPORTER_ROLE.get(unit.level, "administrator"),
        escalation=[
            EscalationStep(
                role=s.role,
                level=s.level,
                after_days=s.after_days,
                working_days=s.working_days,
                action=s.action,
            )
            for s in steps
        ],
        days_off=[d.isoformat() for d in plan.calendar.days_off],
        parent_workflow_id=ids.annual_report_workflow_id(plan.code, inp.year, parent) if parent else None,
        children=children,
        children_submitted=submitted,
    )


def _children_figures(uow: Any, report: dict[str, Any]) -> dict[str, Any]:
    """The units below: their report status, and the sum of the totals they submitted, per title."""
    rows = uow.annual_reports.children(report["plan_code"], report["year"], report["unit_code"])
    subs = {s["report_id"]: s for s in uow.annual_reports.submissions([r["id"] for r in rows])}
    summed: dict[str, dict[str, int]] = {}
    children = []
    for row in rows:
        sub = subs.get(row["id"])
        children.append(
            {
                "unit_code": row["unit_code"],
                "status": row["status"],
                "on_time": row["on_time"],
                "sha256": sub["sha256"] if sub else None,
            }
        )
        for total in json.loads(sub["figures"])["totals"] if sub else []:
            into = summed.setdefault(total["title"], {"recognised": 0, "population": 0})
            into["recognised"] += total["recognised"]
            into["population"] += total["population"] or 0
    return {"children": children, "rolled_up": summed}


def record_report_submitted(uow: Any, *, inp: c.ReportSubmittedInput) -> bool:
    """Snapshot the unit's figures (progress and the units below), store them with their sha256, audit
    and announce the submission — once."""
    with uow:
        report = get_report_or_raise(uow, inp.report_id)
        if report["version"] >= inp.version:
            return False
    progress = progress_report(
        uow, year=report["year"], plan_code=report["plan_code"], admin_unit=report["unit_code"]
    )
    with uow:
        report = get_report_or_raise(uow, inp.report_id)
        if report["version"] >= inp.version:
            return False
        figures = {
            "totals": progress.totals,
            "rows": progress.rows,
            "titles": progress.titles,
            "level": progress.level,
            "plan": progress.plan,
            **_children_figures(uow, report),
        }
        body = canonical_json(figures)
        digest = hashlib.sha256(body.encode()).hexdigest()
        sub, at = inp.submission, datetime.fromisoformat(inp.submitted_at)
        uow.annual_reports.add_submission(
            {
                "id": _event_id(inp.workflow_id, "submission"),
                "report_id": inp.report_id,
                "figures": body,
                "sha256": digest,
                "submitted_by": sub.actor,
                "role": sub.role,
                "on_behalf_of": sub.on_behalf_of,
                "note": sub.note or None,
                "on_time": inp.on_time,
                "submitted_at": at,
            }
        )
        uow.annual_reports.update(
            inp.report_id,
            status=c.SUBMITTED,
            version=inp.version,
            submitted_at=at,
            submitted_by=sub.actor,
            on_time=inp.on_time,
            updated_at=datetime.now(UTC),
        )
        uow.record(
            AuditEntry(
                chain=report_chain(inp.report_id),
                action="report.submitted",
                actor=sub.actor,
                role=sub.role,
                on_behalf_of=sub.on_behalf_of,
                reason=sub.note or None,
                before={"status": report["status"], "version": report["version"]},
                after={
                    "status": c.SUBMITTED,
                    "version": inp.version,
                    "sha256": digest,
                    "on_time": inp.on_time,
                },
                workflow_id=inp.workflow_id,
                run_id=inp.run_id,
            )
        )
        uow.publish(
            Event(
                id=_event_id(inp.workflow_id, "submitted"),
                type="report.submitted",
                source="evaluation",
                payload={
                    "report_id": inp.report_id,
                    "admin_unit_code": report["unit_code"],
                    "parent_code": report["parent_code"],
                    "plan_code": report["plan_code"],
                    "year": report["year"],
                    "on_time": inp.on_time,
                    "sha256": digest,
                    "actor": sub.actor,
                },
            )
        )
        uow.commit()
    return True


_ALARM_EVENT = {"reminder": "report.reminder_due", "overdue": "report.overdue", "escalated": "report.overdue"}


def record_report_alarm(uow: Any, *, inp: c.ReportAlarmInput) -> bool:
    """A reminder, the missed deadline or an escalation step: read model, audit and event — once."""
    event_id = _event_id(inp.workflow_id, inp.kind, inp.step, inp.due_at)
    with uow:
        if uow.has_event(event_id):
            return False
        report = get_report_or_raise(uow, inp.report_id)
        changes: dict[str, Any] = {"updated_at": datetime.now(UTC)}
        if inp.kind in ("overdue", "escalated"):
            changes["overdue"] = True
        if inp.kind == "escalated":
            changes.update(escalation_step=inp.step, escalated_to_role=inp.role)
        uow.annual_reports.update(inp.report_id, **changes)
        uow.record(
            AuditEntry(
                chain=report_chain(inp.report_id),
                action=f"deadline.{inp.kind}",
                actor="system",
                role=inp.role,
                reason=deadline_reason(inp.kind, inp.due_at, step=inp.step, role=inp.role, action=inp.action),
                after={"due_at": inp.due_at, "escalation_step": inp.step, "escalated_to_role": inp.role},
                workflow_id=inp.workflow_id,
            )
        )
        uow.publish(
            Event(
                id=event_id,
                type=_ALARM_EVENT[inp.kind],
                source="evaluation",
                payload={
                    "report_id": inp.report_id,
                    "workflow_id": inp.workflow_id,
                    "admin_unit_code": report["unit_code"],
                    "plan_code": report["plan_code"],
                    "year": report["year"],
                    "kind": inp.kind,
                    "due_at": inp.due_at,
                    "step": inp.step,
                    "role": inp.role,
                    "level": inp.level,
                    "action": inp.action,
                    "waiting_on_role": REPORTER_ROLE.get(report["unit_level"]),
                },
            )
        )
        uow.commit()
    return True


def record_report_rollup(uow: Any, *, inp: c.RollupInput) -> bool:
    """Sum the figures the units below submitted into this report (once), audited and announced."""
    with uow:
        report = get_report_or_raise(uow, inp.report_id)
        if report["rolled_up_at"] is not None:
            return False
        rolled = {**_children_figures(uow, report), "complete": inp.complete}
        now = datetime.now(UTC)
        uow.annual_reports.update(
            inp.report_id, rolled_up=canonical_json(rolled), rolled_up_at=now, updated_at=now
        )
        uow.record(
            AuditEntry(
                chain=report_chain(inp.report_id),
                action="report.rolled_up",
                actor="system",
                after={"complete": inp.complete, "children": inp.children, "rolled_up": rolled["rolled_up"]},
                workflow_id=inp.workflow_id,
            )
        )
        uow.publish(
            Event(
                id=_event_id(inp.workflow_id, "rolled_up"),
                type="report.rolled_up",
                source="evaluation",
                payload={
                    "report_id": inp.report_id,
                    "admin_unit_code": report["unit_code"],
                    "complete": inp.complete,
                    "children_submitted": len(inp.children),
                    "children_expected": report["children_expected"],
                },
            )
        )
        uow.commit()
    return True


def schedule_as_dict(schedule: c.ReportSchedule) -> dict[str, Any]:
    """A schedule as plain data (for logs and tests)."""
    return dataclasses.asdict(schedule)
