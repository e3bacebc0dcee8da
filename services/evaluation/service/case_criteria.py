"""Use case: the criteria set a case is assessed against, for forms that are generated from it
(service layer)."""

from __future__ import annotations

import dataclasses
from typing import Any

from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.service.cases import get_case_or_raise
from services.evaluation.service.ports import UnitOfWork


def case_criteria(uow: UnitOfWork, *, case_id: str) -> dict[str, Any]:
    """The case's criteria set key and the whole set (None until the workflow has recorded it)."""
    with uow:
        get_case_or_raise(uow, case_id=case_id)
        progress = uow.progress.get(case_id) or {}  # type: ignore[attr-defined]
    key = progress.get("criteria_set_key")
    if not key:
        return {"case_id": case_id, "criteria_set_key": None, "criteria_set": None}
    code, _, version = key.partition("@")
    return {
        "case_id": case_id,
        "criteria_set_key": key,
        "criteria_set": dataclasses.asdict(get_criteria_set(code, version)),
    }
