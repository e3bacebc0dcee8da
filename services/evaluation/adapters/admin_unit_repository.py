"""Administrative units repository (adapter layer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t
from services.evaluation.domain.admin_units import AdminUnit

au = t.admin_units
# Built once: a statement object caches its compiled form, so a lookup only binds the code.
_BY_CODE = sa.select(au).where(au.c.code == sa.bindparam("code"))


class AdminUnitRepository:
    """Read and upsert admin units."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, code: str) -> AdminUnit | None:
        """One unit by code."""
        row = self._conn.execute(_BY_CODE, {"code": code}).mappings().first()
        return AdminUnit(**row) if row else None

    def upsert_many(self, units: Iterable[AdminUnit]) -> tuple[int, int]:
        """Insert new units and rename changed ones; returns (inserted, updated). Parents come first."""
        existing = {r.code: r for r in self._conn.execute(sa.select(au.c.code, au.c.name, au.c.kind))}
        new, changed = [], []
        for unit in units:
            old = existing.get(unit.code)
            if old is None:
                new.append(asdict(unit))
            elif (old.name, old.kind) != (unit.name, unit.kind):
                changed.append({"b_code": unit.code, "name": unit.name, "kind": unit.kind})
        if new:
            self._conn.execute(au.insert(), new)
        if changed:
            self._conn.execute(
                au.update()
                .where(au.c.code == sa.bindparam("b_code"))
                .values(name=sa.bindparam("name"), kind=sa.bindparam("kind")),
                changed,
            )
        return len(new), len(changed)

    def list(
        self,
        *,
        level: str | None,
        parent_code: str | None,
        name_contains: str | None,
        within: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[AdminUnit], int]:
        """A page of units, filtered, ordered by code, with the total count."""
        q = sa.select(au)
        if level:
            q = q.where(au.c.level == level)
        if parent_code:
            q = q.where(au.c.parent_code == parent_code)
        if name_contains:
            q = q.where(au.c.name.ilike(f"%{name_contains}%"))
        if within:
            q = q.where(sa.or_(au.c.path == within, au.c.path.startswith(within + "/")))
        total = self._conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        rows = self._conn.execute(q.order_by(au.c.code).limit(limit).offset(offset)).mappings()
        return [AdminUnit(**r) for r in rows], int(total)
