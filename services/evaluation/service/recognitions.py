"""Use cases: read the recognition history (one row per recognised subject, title and year), kept inside
the caller's unit (service layer). Awards, reports and the web app read it through `GET /recognitions`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.evaluation.adapters import tables as t

ITEM_FIELDS = (
    "case_id",
    "subject_id",
    "subject_kind",
    "title",
    "year",
    "decision_id",
    "decision_number",
    "decided_on",
    "admin_unit_code",
    "village_code",
    "revoked",
)


def _unit_filter(uow: Any, unit_code: str | None) -> dict[str, Any]:
    """Which communes or villages a unit covers: a village itself, a commune itself, above that the
    communes under it; no unit: everything."""
    if unit_code is None:
        return {}
    unit = uow.admin_units.get(unit_code)
    if unit is None:
        return {"units": []}
    if unit.level == "village":
        return {"villages": [unit.code]}
    if unit.level == "commune":
        return {"units": [unit.code]}
    au = t.admin_units
    q = sa.select(au.c.code).where(au.c.level == "commune", au.c.path.startswith(unit.path + "/"))
    return {"units": list(uow.connection.execute(q).scalars())}


def list_recognitions(
    uow: Any,
    *,
    unit_code: str | None,
    subject_id: str | None = None,
    title: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    """A page of recognitions within `unit_code` (None: the whole country), newest year first."""
    with uow:
        filters = {
            "subject_id": subject_id,
            "title": title,
            "year_from": year_from,
            "year_to": year_to,
            **_unit_filter(uow, unit_code),
        }
        rows, total = uow.decisions.search(filters, offset=(page - 1) * page_size, limit=page_size)
    items = [{key: row[key] for key in ITEM_FIELDS} for row in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}
