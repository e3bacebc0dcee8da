"""Use cases behind the annual report API: start the reports of a plan's year, submit one, read them
(service layer). The workflow is the arbiter of a submission; this layer checks what it can first."""

from __future__ import annotations

import json
from typing import Any

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ActivityError, ApplicationError

from common.errors import Conflict, InvalidTransition, NotFound, PreconditionFailed, ValidationFailed
from services.evaluation.service.annual_reports import check_report_unit, get_report_or_raise
from services.evaluation.service.plans import get_plan_version
from workflows import ids
from workflows.annual_report import contracts as c


def start_reports(
    uow: Any, gateway: Any, *, plan_code: str, year: int, unit_code: str, cascade: bool, started_by: str
) -> list[dict[str, Any]]:
    """Start the unit's AnnualReport (and, with ``cascade``, those of the units reporting to it); a report
    already started is answered with ``created: false``, never started twice."""
    try:
        _, plan = get_plan_version(uow, code=plan_code)
    except NotFound as exc:
        raise ValidationFailed(
            "Không có kế hoạch này.",
            "Unknown plan.",
            errors={"plan": [f"Không có kế hoạch mang mã '{plan_code}'."]},
            errors_en={"plan": [f"No plan has the code '{plan_code}'."]},
        ) from exc
    with uow:
        unit = uow.admin_units.get(unit_code)
        if unit is None:
            raise ValidationFailed(
                "Không có đơn vị hành chính này.",
                "Unknown unit.",
                errors={"admin_unit": [f"Không có đơn vị hành chính mang mã '{unit_code}'."]},
                errors_en={"admin_unit": [f"No administrative unit has the code '{unit_code}'."]},
            )
        _, below = check_report_unit(plan, year, unit)
        codes = [unit.code]
        if cascade and below:
            units, _ = uow.admin_units.list(
                level=below, parent_code=unit.code, name_contains=None, within=None, limit=100_000, offset=0
            )
            codes += [u.code for u in units]
    started = []
    for code in codes:
        workflow_id = ids.annual_report_workflow_id(plan.code, year, code)
        result = gateway.start_workflow(
            c.WORKFLOW_NAME,
            c.ReportInput(plan_code=plan.code, year=year, unit_code=code, started_by=started_by),
            workflow_id=workflow_id,
            task_queue=ids.WORKFLOW_TASK_QUEUE,
        )
        started.append(
            {
                "report_id": c.report_id_for(workflow_id),
                "workflow_id": workflow_id,
                "unit_code": code,
                "created": result.created,
            }
        )
    return started


def _refusal(err: WorkflowUpdateFailedError) -> Exception:
    cause = err.cause
    if isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    kind = cause.type if isinstance(cause, ApplicationError) else None
    message = str(cause.message if isinstance(cause, ApplicationError) else err)
    if kind == "VersionConflict":
        return PreconditionFailed(message, "The report changed since you read it; reload and try again.")
    if kind == "InvalidTransition":
        return InvalidTransition(message, "The report was already submitted.")
    if kind == "ValidationFailed":
        return ValidationFailed(message, "Invalid input.", errors={"note": [message]})
    return Conflict(message, "The submission was refused.")


def submit_report(
    uow: Any, gateway: Any, *, report_id: str, actor: Any, expected_version: int, note: str
) -> c.SubmitResult:
    """Send the submission to the report's workflow; refusals become 409/412/422 with its reason."""
    with uow:
        report = get_report_or_raise(uow, report_id)
    if report["status"] != c.OPEN:
        raise InvalidTransition("Báo cáo đã được gửi.", "The report was already submitted.")
    if report["version"] != expected_version:
        raise PreconditionFailed(
            "Báo cáo vừa được người khác cập nhật.", "The report was changed by someone else."
        )
    inp = c.SubmitInput(
        actor=actor.username,
        role=actor.role,
        expected_version=expected_version,
        on_behalf_of=actor.on_behalf_of,
        note=note,
    )
    try:
        return gateway.execute_update(report["workflow_id"], "submit", inp, result_type=c.SubmitResult)
    except WorkflowUpdateFailedError as err:
        raise _refusal(err) from err


def _public(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in report.items() if k != "rolled_up"}
    out["rolled_up"] = json.loads(report["rolled_up"]) if report.get("rolled_up") else None
    return out


def get_report(uow: Any, *, report_id: str) -> dict[str, Any]:
    """One report with the figures it was submitted with (None before submission)."""
    with uow:
        report = get_report_or_raise(uow, report_id)
        sub = uow.annual_reports.submission(report_id)
    body = _public(report)
    body["submission"] = None
    if sub:
        body["submission"] = {
            **{k: v for k, v in sub.items() if k != "figures"},
            "figures": json.loads(sub["figures"]),
        }
    return body


def list_reports(
    uow: Any, *, plan_code: str | None, year: int | None, within: str | None, page: int, page_size: int
) -> dict[str, Any]:
    """A page of reports of units inside the subtree ``within`` (a materialized path)."""
    with uow:
        rows, total = uow.annual_reports.page(
            plan_code=plan_code, year=year, within=within, limit=page_size, offset=(page - 1) * page_size
        )
    return {"items": [_public(r) for r in rows], "total": total, "page": page, "page_size": page_size}


def report_unit_path(uow: Any, *, report_id: str) -> str | None:
    """The path of the report's unit, for scope checks; NotFound."""
    with uow:
        report = get_report_or_raise(uow, report_id)
        unit = uow.admin_units.get(report["unit_code"])
    return None if unit is None else str(unit.path)
