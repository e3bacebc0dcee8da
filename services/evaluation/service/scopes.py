"""Where things sit in the admin tree, for the callers' scope checks: units, cases, evidence, subjects and
plans, each answered with the materialized path of its unit (service layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.errors import NotFound
from services.evaluation.domain.errors import CaseNotFound, EvidenceNotFound
from services.evaluation.domain.model import Case
from services.evaluation.domain.plans import Plan


def _path(uow: Any, code: str | None) -> str | None:
    unit = uow.admin_units.get(code) if code else None
    return None if unit is None else str(unit.path)


def unit_path(uow: Any, *, code: str) -> str | None:
    """The path of an admin unit, or None when there is no such unit."""
    with uow:
        return _path(uow, code)


def opening_place(uow: Any, *, code: str) -> tuple[str, str, str | None] | None:
    """Where a case named with the unit `code` is opened: (its commune's code, the commune's path, the
    village's code when `code` names a village); None when there is no such unit."""
    with uow:
        unit = uow.admin_units.get(code)
    if unit is None:
        return None
    if unit.level == "village" and unit.parent_code:
        return str(unit.parent_code), str(unit.path).rsplit("/", 1)[0], str(unit.code)
    return str(unit.code), str(unit.path), None


def subject_village(uow: Any, *, kind: str, subject_id: str) -> tuple[str | None, str | None]:
    """The code and path of the village a subject lives in ((None, None): none, as for a clan)."""
    with uow:
        code = uow.subjects.village_of(kind, subject_id)
        return code, _path(uow, code)


def _case_path(uow: Any, case_id: str) -> str | None:
    return _case_place(uow, case_id)[0]


@dataclass(frozen=True)
class PlacedCase:
    """A case, its progress row, and the path of the unit it belongs to, read in one transaction."""

    case: Case
    progress: dict[str, Any] | None
    path: str | None


def _placed_case(uow: Any, case_id: str) -> PlacedCase:
    # A case known to belong to a village is scoped there; otherwise to its commune (one statement).
    found = uow.cases.placed(case_id)
    if found is None:
        raise CaseNotFound(case_id)
    return PlacedCase(*found)


def _case_place(uow: Any, case_id: str) -> tuple[str | None, str]:
    placed = _placed_case(uow, case_id)
    return placed.path, str(placed.case.subject_id)


def case_place_or_raise(uow: Any, *, case_id: str) -> tuple[str | None, str]:
    """The path of the unit a case belongs to and the case's subject (its household, for a household
    representative's check); CaseNotFound."""
    with uow:
        return _case_place(uow, case_id)


def placed_case_or_raise(uow: Any, *, case_id: str) -> PlacedCase:
    """The case with its progress row and its unit's path (one read); CaseNotFound."""
    with uow:
        return _placed_case(uow, case_id)


def evidence_place_or_raise(uow: Any, *, evidence_id: str) -> tuple[str | None, str]:
    """The path and the subject of the case an evidence file belongs to; EvidenceNotFound."""
    with uow:
        item = uow.evidence.get(evidence_id)
        if item is None:
            raise EvidenceNotFound(evidence_id)
        return _case_place(uow, item.case_id)


def case_path_or_raise(uow: Any, *, case_id: str) -> str | None:
    """The path of the unit a case belongs to (None if that unit is unknown); CaseNotFound."""
    with uow:
        return _case_path(uow, case_id)


def evidence_path_or_raise(uow: Any, *, evidence_id: str) -> str | None:
    """The path of the unit of the case an evidence file belongs to; EvidenceNotFound."""
    with uow:
        item = uow.evidence.get(evidence_id)
        if item is None:
            raise EvidenceNotFound(evidence_id)
        return _case_path(uow, item.case_id)


def subject_path_or_raise(uow: Any, *, kind: str, subject_id: str) -> str | None:
    """The path of a subject's village (or commune when it has none); NotFound."""
    with uow:
        subject = uow.subjects.get(kind, subject_id)
        if subject is None:
            raise NotFound(f"Không tìm thấy đối tượng {subject_id}.", f"Subject {subject_id} not found.")
        return _path(uow, subject.get("village_code")) or _path(uow, subject.get("commune_code"))


def plan_path(uow: Any, plan: Plan) -> str | None:
    """The path of the nearest unit a plan names for its locality (itself, then its parents); None when
    it names none that is known."""
    codes = [plan.locality.code, *(parent.code for parent in plan.locality.parents)]
    with uow:
        for code in codes:
            if path := _path(uow, code):
                return path
    return None


def unit_level(uow: Any, *, code: str) -> str | None:
    """The level of an admin unit (province, district, commune, village), or None when unknown."""
    with uow:
        unit = uow.admin_units.get(code)
    return None if unit is None else str(unit.level)
