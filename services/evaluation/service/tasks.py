"""Use cases: the task inbox — cases waiting on my role in my scope; claim and reassign (service layer)."""

from __future__ import annotations

from typing import Any

from common.errors import Conflict, NotFound
from services.evaluation.adapters.task_query import task_page
from services.evaluation.service.admin_units import Page
from services.evaluation.service.cases import get_case_or_raise
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
        communes = None
        if scope_code:
            scope = uow.admin_units.get(scope_code)
            if scope is None:
                raise NotFound("Không tìm thấy phạm vi.", "Scope not found.")
            communes = uow.subjects.communes_within(scope.path)
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
        with_subject_labels(uow, items)  # who each case is about, by name and register code
    return Page(items=items, total=total)


def claim_task(uow: Any, *, case_id: str, username: str, force: bool = False) -> dict[str, Any]:
    """Take a case into my hands; someone else's claim is a Conflict unless reassigned (`force`)."""
    with uow:
        get_case_or_raise(uow, case_id=case_id)
        progress = uow.progress.get(case_id) or {}
        holder = progress.get("assignee")
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
        uow.progress.upsert(case_id, assignee=username)
        uow.commit()
        return {"case_id": case_id, "assignee": username, "previous": holder}
