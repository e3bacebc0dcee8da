"""Use cases: turn an event into inbox items exactly once; read and mark inboxes (service layer)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Engine

from common.events import Event
from services.notifications.adapters import tables as t
from services.notifications.domain.model import InboxItem, recipients_for, subjects_for


def handle_event(engine: Engine, event: Event) -> int:
    """Store the inbox items of an event in one transaction; a redelivered event stores nothing.

    Returns how many items were stored.
    """
    try:
        return _store(engine, event)
    except sa.exc.IntegrityError:
        # Another consumer stored the same event between our check and our insert.
        return 0


def _store(engine: Engine, event: Event) -> int:
    now = datetime.now(UTC)
    with engine.begin() as db:
        seen = db.execute(
            sa.select(t.processed_events.c.event_id).where(t.processed_events.c.event_id == event.id)
        )
        if seen.first():
            return 0
        db.execute(
            t.processed_events.insert().values(event_id=event.id, event_type=event.type, processed_at=now)
        )
        vi, en = subjects_for(event)
        recipients = recipients_for(event)
        for recipient in recipients:
            db.execute(
                t.inbox_items.insert().values(
                    id=str(uuid.uuid4()),
                    event_id=event.id,
                    recipient=recipient,
                    event_type=event.type,
                    subject_vi=vi,
                    subject_en=en,
                    case_id=event.payload.get("case_id"),
                    created_at=now,
                )
            )
        return len(recipients)


def list_inbox(engine: Engine, *, recipient: str, limit: int = 50, offset: int = 0) -> list[InboxItem]:
    """A recipient's inbox, newest first."""
    q = (
        sa.select(t.inbox_items)
        .where(t.inbox_items.c.recipient == recipient)
        .order_by(t.inbox_items.c.created_at.desc(), t.inbox_items.c.id)
        .limit(limit)
        .offset(offset)
    )
    with engine.connect() as db:
        return [InboxItem(**r) for r in db.execute(q).mappings()]


def unread_count(engine: Engine, *, recipient: str) -> int:
    """How many unread items a recipient has."""
    q = sa.select(sa.func.count()).where(
        t.inbox_items.c.recipient == recipient, t.inbox_items.c.read_at.is_(None)
    )
    with engine.connect() as db:
        return int(db.execute(q).scalar_one())


def record_dead_letter(
    engine: Engine, *, message_id: str | None, routing_key: str | None, body: str, error: str, attempts: int
) -> None:
    """Keep a message that could not be handled, for inspection and replay."""
    with engine.begin() as db:
        db.execute(
            t.dead_letters.insert().values(
                message_id=message_id,
                routing_key=routing_key,
                body=body,
                error=error[:4000],
                attempts=attempts,
                created_at=datetime.now(UTC),
            )
        )
