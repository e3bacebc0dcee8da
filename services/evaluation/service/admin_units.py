"""Use cases: the administrative tree — sync the official units, create villages, browse (service layer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from common.errors import Conflict, NotFound, not_one_of
from services.evaluation.domain.admin_units import VILLAGE_KINDS, AdminUnit, village
from services.evaluation.domain.text import normalize_text


@dataclass(frozen=True)
class Page:
    """One page of a listing with the total."""

    items: list[Any]
    total: int


def sync_official_units(uow: Any, *, units: Iterable[AdminUnit]) -> tuple[int, int]:
    """Load the official provinces and communes; running it again changes nothing."""
    with uow:
        result = uow.admin_units.upsert_many(units)
        uow.commit()
        return result


def get_unit_or_raise(uow: Any, *, code: str) -> AdminUnit:
    """One unit, or NotFound."""
    with uow:
        unit = uow.admin_units.get(code)
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị hành chính {code}.", f"Administrative unit {code} not found.")
    return unit


def create_village(uow: Any, *, commune_code: str, local_code: str, name: str, kind: str) -> AdminUnit:
    """Create a village / residential group under a commune (once per local code)."""
    name = normalize_text(name)
    if kind not in VILLAGE_KINDS:
        raise not_one_of(
            "kind",
            kind,
            VILLAGE_KINDS,
            noun_vi="loại",
            noun_en="kind",
            message_vi="Loại thôn không hợp lệ.",
            message_en="Unknown village kind.",
        )
    with uow:
        parent = uow.admin_units.get(commune_code)
        if parent is None or parent.level != "commune":
            raise NotFound(f"Không tìm thấy xã {commune_code}.", f"Commune {commune_code} not found.")
        unit = village(local_code, name, kind, parent)
        if uow.admin_units.get(unit.code) is not None:
            raise Conflict(
                "Thôn này đã tồn tại.",
                "This village already exists.",
                errors={"code": [f"Đã có thôn mang mã '{unit.code}' trong xã {commune_code}."]},
                errors_en={
                    "code": [f"Commune {commune_code} already has a village with the code '{unit.code}'."]
                },
            )
        uow.admin_units.upsert_many([unit])
        uow.commit()
    return unit


def list_units(uow: Any, *, limit: int = 50, offset: int = 0, **filters: Any) -> Page:
    """Browse the tree: by level, parent, name fragment, or everything within a unit."""
    with uow:
        within = None
        if filters.get("within"):
            scope = uow.admin_units.get(filters["within"])
            if scope is None:
                raise NotFound("Không tìm thấy đơn vị hành chính.", "Administrative unit not found.")
            within = scope.path
        items, total = uow.admin_units.list(
            level=filters.get("level"),
            parent_code=filters.get("parent_code"),
            name_contains=filters.get("q"),
            within=within,
            limit=limit,
            offset=offset,
        )
    return Page(items=items, total=total)
