"""Use cases: the task inbox — cases waiting on my role in my scope; the case list — every case in my
scope; claim and reassign (service layer)."""

from __future__ import annotations

from typing import Any

from common.errors import Conflict, NotFound, ValidationFailed
from services.evaluation.adapters.task_query import case_page, task_page
from services.evaluation.domain.errors import CaseNotFound
from services.evaluation.domain.events import CASE_ASSIGNED, case_event
from services.evaluation.service.admin_units import Page
from services.evaluation.service.assignees import checked_assignee
from services.evaluation.service.audit import case_entry
from services.evaluation.service.steps import Actor
from services.evaluation.service.subjects import with_subject_labels


def list_tasks(
    uow: Any,
    *,
    role: str,
    scope_code: str | None,
    title: str | None = None,
    status: str | None = None,
    village: str | None = None,
    mine_only_for: str | None = None,
    subject_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Cases waiting on `role` (or escalated to it) within the scope, escalated first, then by due date;
    with `subject_id`, only that subject's cases (a household representative's own household)."""
    with uow:
        communes, village = _scope_filters(uow, scope_code, village)
        items, total = task_page(
            uow.connection,
            role=role,
            communes=communes,
            title=title,
            status=status,
            village=village,
            assignee=mine_only_for,
            subject_id=subject_id,
            limit=limit,
            offset=offset,
        )
        _labelled(uow, items)
    return Page(items=items, total=total)


def list_cases(
    uow: Any,
    *,
    scope_code: str | None,
    subject_id: str | None = None,
    year: int | None = None,
    title: str | None = None,
    status: str | None = None,
    village: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Every case within the scope, whatever it waits on, newest year first; with `subject_id`, only
    that subject's (a household representative's own household: its cases past its own steps too)."""
    with uow:
        communes, village = _scope_filters(uow, scope_code, village)
        items, total = case_page(
            uow.connection,
            communes=communes,
            subject_id=subject_id,
            year=year,
            title=title,
            status=status,
            village=village,
            limit=limit,
            offset=offset,
        )
        _labelled(uow, items)
    return Page(items=items, total=total)


def _scope_filters(
    uow: Any, scope_code: str | None, village: str | None
) -> tuple[list[str] | None, str | None]:
    """The communes a scope covers (None: the whole country) and the village a list keeps to: the one
    asked for (checked to lie within the scope), else a village officer's own."""
    communes, scope = None, None
    if scope_code:
        scope = uow.admin_units.get(scope_code)
        if scope is None:
            raise NotFound("Không tìm thấy phạm vi.", "Scope not found.")
        communes = uow.subjects.communes_within(scope.path)
    if village:
        _check_village_filter(uow, village, scope)
    elif scope is not None and scope.level == "village":
        village = scope.code  # staff of a village: its cases, not the whole commune's
    return communes, village


def _labelled(uow: Any, items: list[dict[str, Any]]) -> None:
    """Who each case is about, by name and register code, and where: its village's name (one statement
    per kind of subject and one for the villages of the page)."""
    with_subject_labels(uow, items)
    villages = {str(i["village_code"]) for i in items if i.get("village_code")}
    names = uow.subjects.labels({"village": villages}) if villages else {}
    for item in items:
        item["village_name"] = names.get(("village", str(item.get("village_code"))), (None, None))[1]


def _check_village_filter(uow: Any, village: str, scope: Any) -> None:
    """A `village` filter names a village (thôn, tổ dân phố, …) within the caller's scope, else 422 on
    `village`: a mistyped code would otherwise answer an empty inbox, as if nothing waited."""
    unit = uow.admin_units.get(village)
    if unit is None or unit.level != "village" or (scope is not None and not scope.contains(unit)):
        raise ValidationFailed(
            "Không có thôn này trong phạm vi của bạn.",
            "No such village within your scope.",
            errors={"village": [f"Không có thôn mang mã '{village}' trong phạm vi của bạn."]},
            errors_en={"village": [f"No village has the code '{village}' within your scope."]},
        )


def claim_task(
    uow: Any,
    *,
    case_id: str,
    username: str,
    actor: Actor,
    force: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Take a case into my hands (`username` is the actor's), or hand it to `username` (`force`: a
    supervisor's reassignment, to an active staff account covering the case's unit, else 422 on
    `username`). Someone else's claim is a Conflict unless reassigned. Each change is recorded in the
    case's audit chain (`case.claimed`, `case.reassigned`, with the reason given); a reassignment tells
    the new holder (`case.assigned`, addressed to them). Claiming a case one holds already changes
    nothing."""
    with uow:
        found = uow.cases.with_progress(case_id, lock=True)  # two claims at once take their turns
        if found is None:
            raise CaseNotFound(case_id)
        case = found[0]
        # Read after the lock is held, in a statement of its own: PostgreSQL rechecks only the locked row
        # of a joined read, so the progress row joined above may predate the claim we waited on.
        progress = uow.progress.get(case_id)
        holder = (progress or {}).get("assignee")
        if force:
            placed = uow.cases.placed(case_id)
            path = placed[2] if placed is not None else None
            assignee = checked_assignee(uow, username=username, unit_path=path, field="username")
            username, assignee_role = assignee.username, assignee.role
        else:
            assignee_role = actor.role
        if holder and holder != username and not force:
            raise Conflict(
                f"Hồ sơ đang do {holder} xử lý.",
                f"The case is claimed by {holder}.",
                errors={
                    "assignee": [
                        f"Hồ sơ đang do {holder} xử lý; chỉ giao cho người khác được bằng cách phân công lại."
                    ]
                },
                errors_en={
                    "assignee": [f"Claimed by {holder}; only a reassignment gives it to someone else."]
                },
            )
        if holder == username:
            return {"case_id": case_id, "assignee": username, "previous": holder}
        uow.progress.upsert(case_id, assignee=username)
        uow.record(
            case_entry(
                case,
                action="case.reassigned" if force else "case.claimed",
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
                reason=reason or None,
                before={"assignee": holder},
                after={"assignee": username},
                criteria_set_key=(progress or {}).get("criteria_set_key"),
            )
        )
        if force:
            (named,) = with_subject_labels(uow, [{"title": case.title, "subject_id": case.subject_id}])
            uow.publish(
                case_event(
                    CASE_ASSIGNED,
                    case_id=case.id,
                    admin_unit_code=case.admin_unit_code,
                    subject_id=case.subject_id,
                    subject_code=named["subject_code"],
                    subject_name=named["subject_name"],
                    title=case.title,
                    year=case.year,
                    status=case.status,
                    actor=actor.username,
                    reason=reason or "",
                    previous=holder,
                    assignee=username,
                    # told to the new holder alone (notifications: the account's own notice)
                    addressee=username,
                    role=assignee_role,
                )
            )
        uow.commit()
        return {"case_id": case_id, "assignee": username, "previous": holder}
