"""Use cases: keep, list and replay dead letters (service layer)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from services.notifications.domain.errors import AlreadyReplayed, DeadLetterNotFound
from services.notifications.domain.model import DeadLetter
from services.notifications.service.ports import EventPublisher, UnitOfWork


def record_dead_letter(
    uow: UnitOfWork,
    *,
    message_id: str | None,
    routing_key: str | None,
    body: str,
    error: str,
    attempts: int,
    now: datetime,
) -> None:
    """Keep a message that could not be handled, for inspection and replay."""
    with uow:
        uow.dead_letters.add(
            message_id=message_id,
            routing_key=routing_key,
            body=body,
            error=error[:4000],
            attempts=attempts,
            created_at=now,
        )
        uow.commit()


def list_dead_letters(
    uow: UnitOfWork, *, replayed: bool | None = None, limit: int = 50, offset: int = 0
) -> list[DeadLetter]:
    """Dead letters, newest first."""
    with uow:
        return list(uow.dead_letters.list(replayed=replayed, limit=limit, offset=offset))


def replay_dead_letter(
    uow: UnitOfWork, *, dead_letter_id: int, publisher: EventPublisher, now: datetime
) -> DeadLetter:
    """Publish a dead letter again (with a fresh retry budget) and mark it replayed, once.

    The mark and the publish share one transaction: if the broker refuses, nothing is marked. A crash
    after publishing but before the commit leaves it unmarked, and a second replay publishes it again;
    the consumer dedupes on the event id.
    """
    with uow:
        letter = uow.dead_letters.get(dead_letter_id)
        if letter is None:
            raise DeadLetterNotFound(dead_letter_id)
        if not uow.dead_letters.mark_replayed(dead_letter_id, now):
            raise AlreadyReplayed(dead_letter_id)
        body: Any = json.loads(letter.body)
        routing_key = (
            letter.routing_key or (body.get("type") if isinstance(body, dict) else None) or "unknown"
        )
        publisher.publish(body, routing_key=routing_key, message_id=letter.message_id)
        uow.commit()
        replayed = uow.dead_letters.get(dead_letter_id)
    assert replayed is not None
    return replayed  # type: ignore[no-any-return]
