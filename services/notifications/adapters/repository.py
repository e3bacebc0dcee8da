"""Notifications repositories: inbox items, processed events, dead letters (adapter layer)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.notifications.adapters import tables as t
from services.notifications.domain.model import DeadLetter, InboxItem

IN_CHUNK = 500  # ids per IN (...) list: well under every backend's limit on bound parameters


def chunks(values: Sequence[str], size: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    """The values in slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


class InboxRepository:
    """Each recipient's in-app notices."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, item: InboxItem) -> None:
        """Insert one item."""
        self._conn.execute(t.inbox_items.insert().values(**asdict(item)))

    def add_many(self, items: Sequence[InboxItem]) -> None:
        """Insert several items in one statement (executemany)."""
        if items:
            self._conn.execute(t.inbox_items.insert(), [asdict(item) for item in items])

    def get(self, item_id: str) -> InboxItem | None:
        """One item by id."""
        row = self._conn.execute(sa.select(t.inbox_items).where(t.inbox_items.c.id == item_id)).mappings()
        found = row.first()
        return InboxItem(**found) if found else None

    def list(self, recipient: str, *, limit: int, offset: int, unread_only: bool = False) -> list[InboxItem]:
        """A recipient's items, newest first."""
        q = sa.select(t.inbox_items).where(t.inbox_items.c.recipient == recipient)
        if unread_only:
            q = q.where(t.inbox_items.c.read_at.is_(None))
        q = q.order_by(t.inbox_items.c.created_at.desc(), t.inbox_items.c.id).limit(limit).offset(offset)
        return [InboxItem(**r) for r in self._conn.execute(q).mappings()]

    def unread_count(self, recipient: str) -> int:
        """How many items a recipient has not read."""
        q = sa.select(sa.func.count()).where(
            t.inbox_items.c.recipient == recipient, t.inbox_items.c.read_at.is_(None)
        )
        return int(self._conn.execute(q).scalar_one())

    def mark_read(self, item_id: str, now: datetime) -> None:
        """Mark one item read; an item read before keeps its first read time."""
        i = t.inbox_items
        self._conn.execute(i.update().where(i.c.id == item_id, i.c.read_at.is_(None)).values(read_at=now))

    def mark_all_read(self, recipient: str, now: datetime) -> int:
        """Mark every unread item of a recipient read; returns how many changed."""
        i = t.inbox_items
        result = self._conn.execute(
            i.update().where(i.c.recipient == recipient, i.c.read_at.is_(None)).values(read_at=now)
        )
        return int(result.rowcount)


class ProcessedEventRepository:
    """The consumer's idempotency record: every event id handled once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def seen(self, event_id: str) -> bool:
        """Whether an event was handled already."""
        p = t.processed_events
        return self._conn.execute(sa.select(p.c.event_id).where(p.c.event_id == event_id)).first() is not None

    def seen_among(self, event_ids: Iterable[str]) -> set[str]:
        """Which of these events were handled already (one query per chunk of ids)."""
        p = t.processed_events
        found: set[str] = set()
        for chunk in chunks(list(event_ids)):
            found.update(self._conn.execute(sa.select(p.c.event_id).where(p.c.event_id.in_(chunk))).scalars())
        return found

    def add(self, event_id: str, event_type: str, now: datetime) -> None:
        """Record an event as handled (the primary key refuses a second record)."""
        self._conn.execute(
            t.processed_events.insert().values(event_id=event_id, event_type=event_type, processed_at=now)
        )

    def add_many(self, events: Sequence[tuple[str, str]], now: datetime) -> None:
        """Record several (event id, event type) as handled in one statement."""
        if events:
            self._conn.execute(
                t.processed_events.insert(),
                [{"event_id": i, "event_type": k, "processed_at": now} for i, k in events],
            )


class DeadLetterRepository:
    """Messages given up on."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, **values: object) -> None:
        """Insert one dead letter."""
        self._conn.execute(t.dead_letters.insert().values(**values))

    def get(self, dead_letter_id: int) -> DeadLetter | None:
        """One dead letter by id."""
        d = t.dead_letters
        row = self._conn.execute(sa.select(d).where(d.c.id == dead_letter_id)).mappings().first()
        return DeadLetter(**row) if row else None

    def list(self, *, replayed: bool | None, limit: int, offset: int) -> list[DeadLetter]:
        """Dead letters, newest first; optionally only replayed or only waiting ones."""
        d = t.dead_letters
        q = sa.select(d)
        if replayed is not None:
            q = q.where(d.c.replayed_at.is_not(None) if replayed else d.c.replayed_at.is_(None))
        q = q.order_by(d.c.id.desc()).limit(limit).offset(offset)
        return [DeadLetter(**r) for r in self._conn.execute(q).mappings()]

    def mark_replayed(self, dead_letter_id: int, now: datetime) -> bool:
        """Mark a dead letter replayed unless it already is (the row lock orders two concurrent replays)."""
        d = t.dead_letters
        result = self._conn.execute(
            d.update().where(d.c.id == dead_letter_id, d.c.replayed_at.is_(None)).values(replayed_at=now)
        )
        return result.rowcount == 1
