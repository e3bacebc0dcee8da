"""Use cases: open a case, record what its workflow did, read it (service layer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.evaluation.domain import events
from services.evaluation.domain.errors import CaseNotFound
from services.evaluation.domain.model import Case, case_id_for
from services.evaluation.service import audit
from services.evaluation.service.ports import UnitOfWork, WorkflowGateway
from services.evaluation.service.subjects import with_subject_labels
from workflows import ids
from workflows.recognition import contracts as c


@dataclass(frozen=True)
class OpenedCase:
    """The answer to a submit: the case id at once, and whether this call created it."""

    case_id: str
    workflow_id: str
    created: bool
    ready: bool = False  # the case accepts its first step now


OPEN_WAIT_SECONDS = 10.0


def open_case(
    uow: UnitOfWork,
    gateway: WorkflowGateway,
    *,
    year: int,
    title: str,
    subject_id: str,
    admin_unit_code: str,
    opened_by: str,
    plan_code: str | None = None,
) -> OpenedCase:
    """Start the case's workflow under the plan covering its unit; a second identical call opens nothing."""
    from services.evaluation.domain.errors import ValidationFailed
    from services.evaluation.service.plans import resolve_plan

    plan = resolve_plan(uow, admin_unit_code=admin_unit_code, plan_code=plan_code)
    if plan.title(title) is None:
        raise ValidationFailed(
            f"Kế hoạch {plan.code} không xét danh hiệu này.",
            f"Plan {plan.code} does not recognise this title.",
            errors={"title": [f"Danh hiệu '{title}' không có trong kế hoạch {plan.code}."]},
            errors_en={"title": [f"Title '{title}' is not in plan {plan.code}."]},
        )
    if not plan.period.start_year <= year <= plan.period.end_year:
        start, end = plan.period.start_year, plan.period.end_year
        raise ValidationFailed(
            f"Năm {year} nằm ngoài kế hoạch {plan.code}.",
            f"{year} is outside plan {plan.code}.",
            errors={"year": [f"Năm phải từ {start} đến {end} (thời kỳ của kế hoạch {plan.code})."]},
            errors_en={"year": [f"The year must be from {start} to {end} (plan {plan.code}'s period)."]},
        )
    workflow_id = ids.recognition_workflow_id(year, title, subject_id)
    case_id = case_id_for(workflow_id)
    arg = c.CaseInput(
        case_id=case_id,
        year=year,
        title=title,
        subject_id=subject_id,
        admin_unit_code=admin_unit_code,
        opened_by=opened_by,
        plan_code=plan.code,
        shape=c.CURRENT_SHAPE,
    )
    # Answer once the opening activities have run (case written, schedule known), so the first step
    # is accepted at once: the workflow is started with the `wait_opened` Update in its first task
    # (update-with-start). If they take longer than OPEN_WAIT_SECONDS (the evaluation worker is down,
    # Temporal is slow), the case is opened all the same and becomes ready later (`ready` False).
    started, opened = gateway.start_and_wait(
        c.WORKFLOW_NAME,
        arg,
        workflow_id=workflow_id,
        task_queue=ids.CASE_TASK_QUEUE,
        update=c.WAIT_OPENED,
        timeout=OPEN_WAIT_SECONDS,
        result_type=c.CaseStatus,
    )
    return OpenedCase(
        case_id=case_id, workflow_id=workflow_id, created=started.created, ready=opened is not None
    )


# The subject kinds the register holds, as a refusal names them (Vietnamese, English).
_REGISTERED_KIND_NAMES = {
    "household": ("hộ gia đình", "household"),
    "clan": ("dòng họ", "clan"),
    "unit": ("đơn vị", "unit"),
    "citizen": ("công dân", "citizen"),
}


def registered_subject_id(uow: Any, *, title: str, subject_id: str, admin_unit_code: str) -> str:
    """The register's id of the subject a case is opened for. Staff know households, clans, units and
    citizens by their register code ("H001"), the register keys them by id: a code of the title's kind
    in the case's commune is taken for that subject's id, so the case is the one its household
    representative sees and the decision names. The subject must lie in the case's unit: an id or code
    naming no subject of the title's kind there (unknown, of another commune, of another kind) is a 422
    naming `subject_id`. A village or commune community is named by its unit's code, which the register
    of subjects does not hold: kept as given."""
    from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE
    from services.evaluation.domain.errors import ValidationFailed

    kind = SUBJECT_KIND_BY_TITLE.get(title)
    if kind not in _REGISTERED_KIND_NAMES:
        return subject_id
    with uow:  # one statement: by id, else by code in the commune, either lying in the case's unit
        found = uow.subjects.registered_id(kind, admin_unit_code, subject_id)
    if found is not None:
        return str(found)
    kind_vi, kind_en = _REGISTERED_KIND_NAMES[kind]
    unit = admin_unit_code
    raise ValidationFailed(
        f"Không tìm thấy {kind_vi} '{subject_id}' trong sổ đăng ký của đơn vị hành chính {unit}.",
        f"No {kind_en} '{subject_id}' in the register of administrative unit {unit}.",
        errors={
            "subject_id": [
                f"Không có {kind_vi} nào mang mã hoặc định danh này trong đơn vị hành chính {unit}."
            ]
        },
        errors_en={"subject_id": [f"No {kind_en} in administrative unit {unit} has this id or code."]},
    )


def speaks_for(uow: Any, *, title: str, subject_id: str, admin_unit_code: str, on_behalf_of: str) -> bool:
    """Whether staff saying they act `on_behalf_of` someone act for this case's subject: the subject itself
    (its id, or its register code in the case's unit), or a citizen registered in the case's unit — for a
    household's case, one of that household's members (citizen id or key)."""
    from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE

    if on_behalf_of == subject_id:
        return True
    kind = SUBJECT_KIND_BY_TITLE.get(title)
    with uow:
        subjects = uow.subjects
        if (
            kind in _REGISTERED_KIND_NAMES
            and subjects.registered_id(kind, admin_unit_code, on_behalf_of) == subject_id
        ):
            return True
        citizen = subjects.registered_id("citizen", admin_unit_code, on_behalf_of)
        if citizen is None:
            return False
        return kind != "household" or subjects.household_of_citizen(citizen) == subject_id


def record_case_opened(uow: audit.AuditedUnitOfWork, *, inp: c.CaseOpenedInput) -> bool:
    """Write the case, its `case.opened` event and audit entry once; a retried activity changes nothing.

    Kept for workflow histories recorded before `open_case` (case_steps) did this and the schedule in
    one activity."""
    with uow:
        village = case_village(uow, inp)
        added = add_opened_case(uow, inp=inp, village_code=village)
        if added and village is not None:
            uow.progress.upsert(inp.case_id, village_code=village)
        uow.commit()
        return added


def case_village(uow: Any, inp: c.CaseOpenedInput) -> str | None:
    """The village a case's subject lives in when it opens (the inbox's village filter and the
    progress report by village count the case there); None for a subject of no village."""
    from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE

    return uow.subjects.village_of(SUBJECT_KIND_BY_TITLE.get(inp.title, ""), inp.subject_id)


def add_opened_case(
    uow: audit.AuditedUnitOfWork, *, inp: c.CaseOpenedInput, village_code: str | None = None
) -> bool:
    """In the caller's transaction: the case in draft, its `case.opened` event (naming the subject's
    village, whose staff are told) and audit entry, unless it is there already (then nothing is written
    and the answer is False)."""
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
    if not uow.cases.add(case):
        return False
    (named,) = with_subject_labels(uow, [{"title": case.title, "subject_id": case.subject_id}])
    uow.publish(
        events.case_event(
            events.CASE_OPENED,
            case_id=case.id,
            workflow_id=case.workflow_id,
            year=case.year,
            title=case.title,
            subject_id=case.subject_id,
            subject_code=named["subject_code"],
            subject_name=named["subject_name"],
            admin_unit_code=case.admin_unit_code,
            village_code=village_code,
            actor=case.opened_by,
        )
    )
    opened = {
        **audit.case_state(case),
        "year": case.year,
        "title": case.title,
        "subject_id": case.subject_id,
        "admin_unit_code": case.admin_unit_code,
        "plan_code": inp.plan_code,
    }
    uow.record(audit.case_entry(case, action=events.CASE_OPENED, actor=case.opened_by, after=opened, at=now))
    return True


def record_case_withdrawn(uow: audit.AuditedUnitOfWork, *, inp: c.CaseWithdrawnInput) -> bool:
    """Mark the case withdrawn once, with the actor and reason in its event and audit entry."""
    with uow:
        case, progress, subject = case_progress_and_subject_or_raise(uow, case_id=inp.case_id)
        if case.status == "withdrawn":
            return False
        withdrawn = uow.cases.update_status(case, "withdrawn", datetime.now(UTC))
        uow.publish(
            events.case_event(
                events.CASE_WITHDRAWN,
                case_id=case.id,
                actor=inp.actor,
                reason=inp.reason,
                admin_unit_code=case.admin_unit_code,
                village_code=progress.get("village_code"),
                subject_id=case.subject_id,
                **subject,
            )
        )
        uow.record(
            audit.case_entry(
                case,
                action=events.CASE_WITHDRAWN,
                actor=inp.actor,
                reason=inp.reason or None,
                before=audit.case_state(case),
                after=audit.case_state(withdrawn),
                criteria_set_key=audit.criteria_set_key(uow, case.id),
                at=withdrawn.updated_at,
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


def case_and_progress_or_raise(uow: Any, *, case_id: str, lock: bool = False) -> tuple[Case, dict[str, Any]]:
    """One case and its progress row ({} before it has one), read in one statement; or CaseNotFound.
    `lock`: the case's row stays locked until the transaction ends."""
    found = uow.cases.with_progress(case_id, lock=lock)
    if found is None:
        raise CaseNotFound(case_id)
    return found[0], found[1] or {}


def case_progress_and_subject_or_raise(
    uow: Any, *, case_id: str, lock: bool = False
) -> tuple[Case, dict[str, Any], dict[str, Any]]:
    """As `case_and_progress_or_raise`, and who the case is about (`subject_code`, `subject_name` from
    the register; None when it holds no such subject), read in the same statement: for the events whose
    notices say whose case it is."""
    found = uow.cases.with_progress_and_subject(case_id, lock=lock)
    if found is None:
        raise CaseNotFound(case_id)
    return found[0], found[1] or {}, found[2]


def get_case(uow: UnitOfWork, *, case_id: str) -> Case:
    """Read one case in its own transaction."""
    with uow:
        return get_case_or_raise(uow, case_id=case_id)


def case_with_recognition(uow: UnitOfWork, *, case_id: str) -> dict[str, Any]:
    """One case and, once a decision recorded it as recognised, its recognition: the decision's number and
    date, and whether an amending decision revoked it (the case's status stays `recognised`: the decision
    happened; the revocation is a later act)."""
    with uow:
        case = get_case_or_raise(uow, case_id=case_id)
        found = uow.decisions.recognition_of_case(case_id)  # type: ignore[attr-defined]
        progress = uow.progress.get(case_id) or {}  # type: ignore[attr-defined]
        plan = _recorded_plan(uow, progress)
        (labelled,) = with_subject_labels(uow, [{"title": case.title, "subject_id": case.subject_id}])
        village_code = progress.get("village_code")
        village = uow.admin_units.get(village_code) if village_code else None  # type: ignore[attr-defined]
    recognition = None
    if found is not None:
        number = found["revoked_number"]
        recognition = {
            "decision_number": found["decision_number"],
            "decided_on": found["decided_on"],
            "revoked": bool(found["revoked"]),
            "revoked_by_number": f"{number:02d}/{found['revoked_symbol']}" if number else None,
        }
    return {
        **vars(case),
        "subject_code": labelled["subject_code"],
        "subject_name": labelled["subject_name"],
        "recognition": recognition,
        "self_assessment": _window(plan, case),
        "assignee": progress.get("assignee"),
        "village_code": village_code,
        "village_name": village.name if village else None,
        # who the case waits on and until when, as its workflow's alarms left it
        "waiting_on_role": progress.get("waiting_on_role"),
        "due_at": progress.get("due_at"),
        "overdue": bool(progress.get("overdue")),
        "escalated_to_role": progress.get("escalated_to_role"),
    }


def _recorded_plan(uow: UnitOfWork, progress: dict[str, Any]) -> Any:
    """The plan version the case's workflow recorded on its progress row (None until it has)."""
    from services.evaluation.service.plans import recorded_version

    if not progress.get("plan_code") or not progress.get("plan_version"):
        return None
    return recorded_version(uow, progress["plan_code"], int(progress["plan_version"]))


def _window(plan: Any, case: Case) -> dict[str, Any] | None:
    """The self-assessment window of the case's year under its plan version, from the schedule its
    workflow lives by (cached per plan, title and year): a submit is taken from `opens` on (late after
    `closes`)."""
    from services.evaluation.service.case_steps import plan_schedule

    if plan is None:
        return None
    schedule = plan_schedule(plan, case.title, case.year)
    return {
        "opens": datetime.fromisoformat(schedule.self_assessment_opens).date(),
        "closes": datetime.fromisoformat(schedule.self_assessment_closes).date(),
    }


def get_scores(uow: UnitOfWork, *, case_id: str) -> list[dict[str, object]]:
    """The scores of a case per indicator and level."""
    with uow:
        get_case_or_raise(uow, case_id=case_id)
        return uow.progress.scores(case_id)  # type: ignore[attr-defined, no-any-return]
