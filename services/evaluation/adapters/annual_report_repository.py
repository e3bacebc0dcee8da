"""Annual reports and their submitted snapshots (adapter layer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t

ar, rs, au = t.annual_reports, t.report_submissions, t.admin_units


class AnnualReportRepository:
    """Read and write the annual report read model."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, report_id: str) -> dict[str, Any] | None:
        """One report by id."""
        row = self._conn.execute(sa.select(ar).where(ar.c.id == report_id)).mappings().first()
        return dict(row) if row else None

    def add_if_absent(self, values: dict[str, Any]) -> bool:
        """Insert a report unless its id is already there; True when inserted."""
        if self.get(values["id"]) is not None:
            return False
        self._conn.execute(ar.insert().values(**values))
        return True

    def update(self, report_id: str, **values: Any) -> None:
        """Change some columns of a report."""
        self._conn.execute(ar.update().where(ar.c.id == report_id).values(**values))

    def children(self, plan_code: str, year: int, parent_code: str) -> list[dict[str, Any]]:
        """The reports of the units directly below a unit."""
        q = sa.select(ar).where(
            ar.c.plan_code == plan_code, ar.c.year == year, ar.c.parent_code == parent_code
        )
        return [dict(r) for r in self._conn.execute(q.order_by(ar.c.unit_code)).mappings()]

    def submission(self, report_id: str) -> dict[str, Any] | None:
        """The figures a report was submitted with."""
        row = self._conn.execute(sa.select(rs).where(rs.c.report_id == report_id)).mappings().first()
        return dict(row) if row else None

    def submissions(self, report_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The submissions of several reports."""
        if not report_ids:
            return []
        q = sa.select(rs).where(rs.c.report_id.in_(list(report_ids)))
        return [dict(r) for r in self._conn.execute(q).mappings()]

    def add_submission(self, values: dict[str, Any]) -> None:
        """Record a submission (once per report: the unique key refuses a second)."""
        self._conn.execute(rs.insert().values(**values))

    def page(
        self, *, plan_code: str | None, year: int | None, within: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Reports of units inside a subtree (by materialized path), filtered, with the total count."""
        q = sa.select(ar).select_from(ar.join(au, au.c.code == ar.c.unit_code))
        if plan_code:
            q = q.where(ar.c.plan_code == plan_code)
        if year:
            q = q.where(ar.c.year == year)
        if within:
            q = q.where(sa.or_(au.c.path == within, au.c.path.startswith(within + "/")))
        total = self._conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        rows = self._conn.execute(
            q.order_by(ar.c.year, ar.c.plan_code, ar.c.unit_code).limit(limit).offset(offset)
        )
        return [dict(r) for r in rows.mappings()], int(total)
