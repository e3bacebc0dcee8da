"""Awards unit of work and its repositories (adapter layer)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from common.unit_of_work import SqlUnitOfWorkBase
from services.awards.adapters import tables as t
from services.awards.adapters.nomination_repository import (
    CouncilRepository,
    DecisionRepository,
    NominationRepository,
)
from services.awards.domain.model import AwardForm, AwardRound


def _round(row: Any) -> AwardRound:
    data = dict(row)
    data["forms"] = tuple(AwardForm(**f) for f in data["forms"] or [])
    data["recipients"] = tuple(data["recipients"] or ())
    return AwardRound(**data)


def _round_values(item: AwardRound) -> dict[str, Any]:
    values = asdict(item)
    values["forms"] = [asdict(f) for f in item.forms]
    values["recipients"] = list(item.recipients)
    return values


class RoundRepository:
    """Award rounds."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, round_id: str, *, for_update: bool = False) -> AwardRound | None:
        """One round by id."""
        q = sa.select(t.award_rounds).where(t.award_rounds.c.id == round_id)
        if for_update and self._conn.dialect.name == "postgresql":
            q = q.with_for_update()
        row = self._conn.execute(q).mappings().first()
        return _round(row) if row else None

    def find(self, *, plan_code: str, kind: str, year: int, admin_unit_code: str) -> AwardRound | None:
        """A round by its natural key."""
        r = t.award_rounds.c
        q = sa.select(t.award_rounds).where(
            r.plan_code == plan_code, r.kind == kind, r.year == year, r.admin_unit_code == admin_unit_code
        )
        row = self._conn.execute(q).mappings().first()
        return _round(row) if row else None

    def add(self, item: AwardRound) -> None:
        """Insert a round."""
        self._conn.execute(t.award_rounds.insert().values(**_round_values(item)))

    def set_status(self, round_id: str, status: str) -> None:
        """Move a round to another phase (its version counts the changes)."""
        r = t.award_rounds.c
        self._conn.execute(
            t.award_rounds.update().where(r.id == round_id).values(status=status, version=r.version + 1)
        )

    def list(self, *, year: int | None = None, unit_path: str | None = None) -> list[AwardRound]:
        """Rounds, newest year first; with `unit_path`, only rounds of units within it."""
        r = t.award_rounds.c
        q = sa.select(t.award_rounds).order_by(r.year.desc(), r.created_at)
        if year is not None:
            q = q.where(r.year == year)
        if unit_path:
            q = q.where(sa.or_(r.admin_unit_path == unit_path, r.admin_unit_path.startswith(unit_path + "/")))
        return [_round(row) for row in self._conn.execute(q).mappings()]

    def parent_of(self, item: AwardRound, level: str) -> AwardRound | None:
        """An open round of the same plan kind and year at `level` whose unit contains this round's."""
        r = t.award_rounds.c
        q = sa.select(t.award_rounds).where(
            r.kind == item.kind, r.year == item.year, r.level == level, r.status == "nominating"
        )
        for row in self._conn.execute(q).mappings():
            found = _round(row)
            path = found.admin_unit_path
            if not path or item.admin_unit_path.startswith(path + "/") or item.admin_unit_path == path:
                return found
        return None


class SqlUnitOfWork(SqlUnitOfWorkBase):
    """The awards service's transaction boundary."""

    rounds: RoundRepository
    nominations: NominationRepository
    council: CouncilRepository
    decisions: DecisionRepository

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, t.outbox, t.audit_log)

    def _bind(self, conn: Connection) -> None:
        self.rounds = RoundRepository(conn)
        self.nominations = NominationRepository(conn)
        self.council = CouncilRepository(conn)
        self.decisions = DecisionRepository(conn)
