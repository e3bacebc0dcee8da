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


def with_subject_labels(uow: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items naming a case's subject by `title` and `subject_id` (inbox rows, cases, decision lists), each
    with its `subject_code` and `subject_name` from the register (a village or commune community: its
    unit's), so people read "Nguyễn Văn An (H001)" rather than an id; None for a subject the register
    does not hold. A name the item carries already (a decision list's, as the decision recorded it) is
    kept. Inside the caller's transaction: one statement per kind of subject on the page."""
    from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE

    wanted: dict[str, set[str]] = {}
    for item in items:
        kind = SUBJECT_KIND_BY_TITLE.get(item["title"])
        if kind is not None:
            wanted.setdefault(kind, set()).add(str(item["subject_id"]))
    labels = uow.subjects.labels(wanted) if wanted else {}
    for item in items:
        key = (SUBJECT_KIND_BY_TITLE.get(item["title"], ""), str(item["subject_id"]))
        code, name = labels.get(key, (None, None))
        item["subject_code"] = code
        if not item.get("subject_name"):
            item["subject_name"] = name
    return items
