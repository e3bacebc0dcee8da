"""Awards unit of work and repository (adapter layer)."""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from common.unit_of_work import SqlUnitOfWorkBase
from services.awards.adapters import tables as t
from services.awards.domain.model import AwardRound


class RoundRepository:
    """Award rounds."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, round_id: str) -> AwardRound | None:
        """One round by id."""
        row = (
            self._conn.execute(sa.select(t.award_rounds).where(t.award_rounds.c.id == round_id))
            .mappings()
            .first()
        )
        return AwardRound(**row) if row else None

    def find(self, *, plan_code: str, kind: str, year: int, admin_unit_code: str) -> AwardRound | None:
        """A round by its natural key."""
        r = t.award_rounds.c
        q = sa.select(t.award_rounds).where(
            r.plan_code == plan_code, r.kind == kind, r.year == year, r.admin_unit_code == admin_unit_code
        )
        row = self._conn.execute(q).mappings().first()
        return AwardRound(**row) if row else None

    def add(self, item: AwardRound) -> None:
        """Insert a round."""
        self._conn.execute(t.award_rounds.insert().values(**asdict(item)))

    def list(self, *, year: int | None = None) -> list[AwardRound]:
        """Rounds, newest year first."""
        q = sa.select(t.award_rounds).order_by(t.award_rounds.c.year.desc(), t.award_rounds.c.created_at)
        if year is not None:
            q = q.where(t.award_rounds.c.year == year)
        return [AwardRound(**r) for r in self._conn.execute(q).mappings()]


class SqlUnitOfWork(SqlUnitOfWorkBase):
    """The awards service's transaction boundary."""

    rounds: RoundRepository

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, t.outbox)

    def _bind(self, conn: Connection) -> None:
        self.rounds = RoundRepository(conn)
