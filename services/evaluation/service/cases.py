"""Use cases: open a case, record what its workflow did, read it (service layer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from services.evaluation.domain import events
from services.evaluation.domain.errors import CaseNotFound
from services.evaluation.domain.model import Case, case_id_for
from services.evaluation.service.ports import UnitOfWork, WorkflowGateway
from workflows import ids
from workflows.recognition import contracts as c


@dataclass(frozen=True)
class OpenedCase:
    """The answer to a submit: the case id at once, and whether this call created it."""

    case_id: str
    workflow_id: str
    created: bool


def open_case(
    gateway: WorkflowGateway, *, year: int, title: str, subject_id: str, admin_unit_code: str, opened_by: str
) -> OpenedCase:
    """Start the case's workflow; a second identical call finds the first and opens nothing."""
    workflow_id = ids.recognition_workflow_id(year, title, subject_id)
    case_id = case_id_for(workflow_id)
    arg = c.CaseInput(
        case_id=case_id,
        year=year,
        title=title,
        subject_id=subject_id,
        admin_unit_code=admin_unit_code,
        opened_by=opened_by,
    )
    started = gateway.start_workflow(
        c.WORKFLOW_NAME, arg, workflow_id=workflow_id, task_queue=ids.WORKFLOW_TASK_QUEUE
    )
    return OpenedCase(case_id=case_id, workflow_id=workflow_id, created=started.created)


def record_case_opened(uow: UnitOfWork, *, inp: c.CaseOpenedInput) -> bool:
    """Write the case and its `case.opened` event once; a retried activity changes nothing."""
    now = datetime.now(UTC)
    case = Case(
        id=inp.case_id,
        workflow_id=inp.workflow_id,
        run_id=inp.run_id,
        year=inp.year,
        title=inp.title,
        subject_id=inp.subject_id,
        admin_unit_code=inp.admin_unit_code,
        status="draft",
        version=1,
        opened_by=inp.opened_by,
        created_at=now,
        updated_at=now,
    )
    with uow:
        if not uow.cases.add(case):
            return False
        uow.publish(
            events.case_event(
                events.CASE_OPENED,
                case_id=case.id,
                workflow_id=case.workflow_id,
                year=case.year,
                title=case.title,
                subject_id=case.subject_id,
                admin_unit_code=case.admin_unit_code,
                actor=case.opened_by,
            )
        )
        uow.commit()
        return True


def record_case_withdrawn(uow: UnitOfWork, *, inp: c.CaseWithdrawnInput) -> bool:
    """Mark the case withdrawn once, with the actor and reason in its event."""
    with uow:
        case = get_case_or_raise(uow, case_id=inp.case_id)
        if case.status == "withdrawn":
            return False
        uow.cases.update_status(case, "withdrawn", datetime.now(UTC))
        uow.publish(
            events.case_event(
                events.CASE_WITHDRAWN,
                case_id=case.id,
                actor=inp.actor,
                reason=inp.reason,
                admin_unit_code=case.admin_unit_code,
            )
        )
        uow.commit()
        return True


def get_case_or_raise(uow: UnitOfWork, *, case_id: str) -> Case:
    """One case, or CaseNotFound."""
    case = uow.cases.get(case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return case


def get_case(uow: UnitOfWork, *, case_id: str) -> Case:
    """Read one case in its own transaction."""
    with uow:
        return get_case_or_raise(uow, case_id=case_id)
