"""Notifications repositories: deliveries and their claims, digest entries (adapter layer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.notifications.adapters import tables as t
from services.notifications.domain.model import PENDING, SENT, Delivery, DigestEntry

d = t.deliveries


class DeliveryRepository:
    """Deliveries on the sending channels: pending rows are claimed, sent, then marked."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, delivery: Delivery) -> None:
        """Insert one delivery (the unique key refuses a second one of the same notice)."""
        self._conn.execute(d.insert().values(**asdict(delivery)))

    def add_many(self, deliveries: Sequence[Delivery]) -> None:
        """Insert several deliveries in one statement (executemany)."""
        if deliveries:
            self._conn.execute(d.insert(), [asdict(delivery) for delivery in deliveries])

    def get(self, delivery_id: str) -> Delivery | None:
        """One delivery by id."""
        row = self._conn.execute(sa.select(d).where(d.c.id == delivery_id)).mappings().first()
        return Delivery(**row) if row else None

    def exists(self, event_id: str, recipient: str, channel: str) -> bool:
        """Whether this notice has a delivery on this channel already."""
        q = sa.select(d.c.id).where(
            d.c.event_id == event_id, d.c.recipient == recipient, d.c.channel == channel
        )
        return self._conn.execute(q).first() is not None

    def due(
        self,
        now: datetime,
        *,
        channels: Sequence[str],
        limit: int,
        event_id: str | None = None,
        event_ids: Sequence[str] | None = None,
    ) -> list[str]:
        """Ids of pending deliveries whose time has come, oldest first (of one event, or of some)."""
        q = sa.select(d.c.id).where(
            d.c.status == PENDING, d.c.next_attempt_at <= now, d.c.channel.in_(channels)
        )
        if event_id is not None:
            q = q.where(d.c.event_id == event_id)
        if event_ids is not None:
            q = q.where(d.c.event_id.in_(list(event_ids)))
        q = q.order_by(d.c.next_attempt_at, d.c.id).limit(limit)
        return [r.id for r in self._conn.execute(q)]

    def claim(self, delivery_id: str, now: datetime, lease_until: datetime) -> Delivery | None:
        """Take a due delivery for sending: push its next attempt one lease ahead and count the attempt.

        Exactly one claimer's update matches (PostgreSQL re-checks the condition after the row lock;
        SQLite has one writer). If the sender dies, the row is due again when the lease ends.
        """
        result = self._conn.execute(
            d.update()
            .where(d.c.id == delivery_id, d.c.status == PENDING, d.c.next_attempt_at <= now)
            .values(next_attempt_at=lease_until, attempts=d.c.attempts + 1)
        )
        return self.get(delivery_id) if result.rowcount == 1 else None

    def finish(
        self,
        delivery_id: str,
        *,
        status: str,
        extra_attempts: int,
        next_attempt_at: datetime,
        error: str | None,
        now: datetime,
    ) -> None:
        """Record the outcome of a send: sent, failed, or pending again at `next_attempt_at`."""
        self._conn.execute(
            d.update()
            .where(d.c.id == delivery_id)
            .values(
                status=status,
                attempts=d.c.attempts + extra_attempts,
                next_attempt_at=next_attempt_at,
                last_error=error[:2000] if error else None,
                sent_at=now if status == SENT else None,
            )
        )

    def reset(self, delivery_id: str, now: datetime) -> bool:
        """Make a failed delivery pending again, due now, with its attempts counted afresh."""
        result = self._conn.execute(
            d.update()
            .where(d.c.id == delivery_id, d.c.status != SENT)
            .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None)
        )
        return result.rowcount == 1

    def list(self, *, limit: int, offset: int, **filters: str | None) -> list[Delivery]:
        """Deliveries filtered by event_id, recipient, channel or status; newest first."""
        q = sa.select(d)
        for column, value in filters.items():
            if value is not None:
                q = q.where(d.c[column] == value)
        q = q.order_by(d.c.created_at.desc(), d.c.id).limit(limit).offset(offset)
        return [Delivery(**r) for r in self._conn.execute(q).mappings()]


class DigestRepository:
    """Deadline notices waiting for a user's daily digest."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, entry: DigestEntry) -> None:
        """Hold one notice for the digest."""
        self._conn.execute(t.digest_entries.insert().values(**asdict(entry)))

    def add_many(self, entries: Sequence[DigestEntry]) -> None:
        """Hold several notices in one statement (executemany)."""
        if entries:
            self._conn.execute(t.digest_entries.insert(), [asdict(entry) for entry in entries])

    def waiting(self) -> list[DigestEntry]:
        """Every entry no digest has carried yet."""
        e = t.digest_entries
        q = sa.select(e).where(e.c.digest_day.is_(None)).order_by(e.c.recipient, e.c.created_at, e.c.id)
        return [DigestEntry(**r) for r in self._conn.execute(q).mappings()]

    def mark_carried(self, entry_ids: Iterable[str], day: str) -> None:
        """Record that a day's digest carried these entries."""
        e = t.digest_entries
        self._conn.execute(e.update().where(e.c.id.in_(list(entry_ids))).values(digest_day=day))
