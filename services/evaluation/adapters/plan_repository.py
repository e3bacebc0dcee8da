"""Plan documents repository: every version kept, one active per code (adapter layer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t

p = t.plans
# Built once (every case opened and every phase's schedule reads them): a statement object caches its
# compiled form, so a lookup only binds its values; one built per call recomputes its cache key.
_ACTIVE_KEYS = sa.select(p.c.code, p.c.version, p.c.sha256).where(p.c.status == "active").order_by(p.c.code)
_ACTIVE_KEY = sa.select(p.c.code, p.c.version, p.c.sha256).where(
    p.c.code == sa.bindparam("code"), p.c.status == "active"
)


@dataclass(frozen=True)
class StoredPlan:
    """One stored plan version."""

    code: str
    version: int
    name_vi: str
    document: str
    sha256: str
    status: str  # validated | active | superseded
    uploaded_by: str
    uploaded_at: datetime
    activated_at: datetime | None


class PlanRepository:
    """Plan versions."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, code: str, version: int) -> StoredPlan | None:
        """One version."""
        row = (
            self._conn.execute(sa.select(p).where(p.c.code == code, p.c.version == version))
            .mappings()
            .first()
        )
        return StoredPlan(**row) if row else None

    def active(self, code: str) -> StoredPlan | None:
        """The active version of a plan, if any."""
        row = (
            self._conn.execute(sa.select(p).where(p.c.code == code, p.c.status == "active"))
            .mappings()
            .first()
        )
        return StoredPlan(**row) if row else None

    def add(self, plan: StoredPlan) -> None:
        """Store a new version."""
        self._conn.execute(p.insert().values(**plan.__dict__))

    def activate(self, code: str, version: int, now: datetime) -> None:
        """Make one version active and the previously active one superseded."""
        self._conn.execute(
            p.update().where(p.c.code == code, p.c.status == "active").values(status="superseded")
        )
        self._conn.execute(
            p.update()
            .where(p.c.code == code, p.c.version == version)
            .values(status="active", activated_at=now)
        )

    def key(self, code: str, version: int) -> tuple[str, int, str] | None:
        """(code, version, sha256) of one version, without its document."""
        row = self._conn.execute(
            sa.select(p.c.code, p.c.version, p.c.sha256).where(p.c.code == code, p.c.version == version)
        ).first()
        return (row.code, row.version, row.sha256) if row else None

    def active_key(self, code: str) -> tuple[str, int, str] | None:
        """(code, version, sha256) of a plan's active version, without its document."""
        row = self._conn.execute(_ACTIVE_KEY, {"code": code}).first()
        return (row.code, row.version, row.sha256) if row else None

    def active_keys(self) -> list[tuple[str, int, str]]:
        """(code, version, sha256) of every active version, without their documents."""
        return [(r.code, r.version, r.sha256) for r in self._conn.execute(_ACTIVE_KEYS)]

    def list(self) -> list[StoredPlan]:
        """Every version, by code then version."""
        return [
            StoredPlan(**r)
            for r in self._conn.execute(sa.select(p).order_by(p.c.code, p.c.version)).mappings()
        ]
