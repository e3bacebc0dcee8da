"""Use cases: browse subjects (households, citizens, clans, units) by admin unit and kind (service layer)."""

from __future__ import annotations

from typing import Any

from common.errors import NotFound
from services.evaluation.service.admin_units import Page


def list_subjects(
    uow: Any,
    *,
    kind: str,
    within: str | None = None,
    village: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """A page of subjects of one kind, optionally within an admin unit or one village."""
    with uow:
        communes = None
        if within:
            unit = uow.admin_units.get(within)
            if unit is None:
                raise NotFound("Không tìm thấy đơn vị hành chính.", "Administrative unit not found.")
            communes = uow.subjects.communes_within(unit.path)
        items, total = uow.subjects.page(
            kind=kind,
            commune_codes=communes,
            village_code=village,
            name_contains=q,
            limit=limit,
            offset=offset,
        )
    return Page(items=items, total=total)


def get_subject_or_raise(uow: Any, *, kind: str, subject_id: str) -> dict[str, Any]:
    """One subject; a household comes with its members."""
    with uow:
        subject = uow.subjects.get(kind, subject_id)
        if subject is None:
            raise NotFound(f"Không tìm thấy đối tượng {subject_id}.", f"Subject {subject_id} not found.")
        if kind == "household":
            subject["members"] = uow.subjects.household_members(subject_id)
    return subject
