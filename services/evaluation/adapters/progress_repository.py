"""Case progress and scores repository (adapter layer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from common.db import row_binds, upsert_statement
from services.evaluation.adapters import tables as t

cp, cs = t.case_progress, t.case_scores
# Built once (hot paths: every scope check and activity): a lookup only binds the case id.
_PROGRESS_OF = sa.select(cp).where(cp.c.case_id == sa.bindparam("case_id"))


_UPSERTS: dict[tuple[str, ...], Any] = {}
_DEFAULTED = ("case_id", "overdue", "escalation_step")  # in every inserted row


def _upsert_statement(keys: tuple[str, ...]) -> Any:
    """INSERT ... ON CONFLICT (case_id) DO UPDATE of `keys` (PostgreSQL and SQLite alike), built once per
    set of columns (a few fixed sets) and cacheable: each call only binds its values."""
    stmt = _UPSERTS.get(keys)
    if stmt is None:
        columns = ("case_id", "overdue", "escalation_step", *(k for k in keys if k not in _DEFAULTED))
        stmt = _UPSERTS[keys] = upsert_statement(cp, ["case_id"], columns, keys)
    return stmt


_SCORE_UPSERTS: dict[tuple[str, int], Any] = {}


def _scores_statement(column: str, rows: int) -> Any:
    """One INSERT of `rows` indicators' scores at one level (`column`) ... ON CONFLICT (case_id,
    indicator_code) DO UPDATE of that level only; built once per (level, number of indicators)."""
    key = (column, rows)
    stmt = _SCORE_UPSERTS.get(key)
    if stmt is None:
        written = ("case_id", "indicator_code", column, "updated_by", "updated_at")
        stmt = _SCORE_UPSERTS[key] = upsert_statement(
            cs, ["case_id", "indicator_code"], written, written[2:], rows=rows
        )
    return stmt


class ProgressRepository:
    """The lifecycle read model of cases: who the case waits on, deadlines, escalation, scores."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, case_id: str) -> dict[str, Any] | None:
        """The progress row of a case."""
        row = self._conn.execute(_PROGRESS_OF, {"case_id": case_id}).mappings().first()
        return dict(row) if row else None

    def upsert(self, case_id: str, **values: Any) -> None:
        """Create or update the progress row, in one statement (INSERT ... ON CONFLICT DO UPDATE on
        both PostgreSQL and SQLite): a new row gets the defaults, an existing one only `values`."""
        row = {"case_id": case_id, "overdue": False, "escalation_step": -1, **values}
        stmt = _upsert_statement(tuple(sorted(values)))
        self._conn.execute(stmt, row)

    def scores(self, case_id: str) -> list[dict[str, Any]]:
        """Every indicator's scores of a case."""
        q = sa.select(cs).where(cs.c.case_id == case_id).order_by(cs.c.indicator_code)
        return [dict(r) for r in self._conn.execute(q).mappings()]

    def set_scores(
        self, case_id: str, column: str, scores: dict[str, float], actor: str, now: datetime
    ) -> None:
        """Write one level's scores (self, village or commune) for the given indicators, in one statement:
        a new indicator's row is inserted, an existing one has only this level's score (and who wrote it,
        when) replaced."""
        if not scores:
            return
        rows = [
            {"case_id": case_id, "indicator_code": c, column: v, "updated_by": actor, "updated_at": now}
            for c, v in scores.items()
        ]
        self._conn.execute(_scores_statement(column, len(rows)), row_binds(rows))
