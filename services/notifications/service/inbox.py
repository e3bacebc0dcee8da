"""Use cases: read an inbox, mark items read (service layer)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from services.notifications.domain.errors import InboxItemNotFound
from services.notifications.domain.model import InboxItem
from services.notifications.service.ports import UnitOfWork


def list_inbox(
    uow: UnitOfWork, *, recipient: str, limit: int = 50, offset: int = 0, unread_only: bool = False
) -> list[InboxItem]:
    """A recipient's inbox, newest first."""
    with uow as tx:
        return list(tx.inbox.list(recipient, limit=limit, offset=offset, unread_only=unread_only))


def unread_count(uow: UnitOfWork, *, recipient: str) -> int:
    """How many unread items a recipient has."""
    with uow as tx:
        return int(tx.inbox.unread_count(recipient))


def read_inbox(
    uow: UnitOfWork, *, recipient: str, limit: int = 50, offset: int = 0, unread_only: bool = False
) -> dict[str, Any]:
    """A page of the inbox and the unread count, read in one transaction."""
    with uow:
        return {
            "items": uow.inbox.list(recipient, limit=limit, offset=offset, unread_only=unread_only),
            "unread": uow.inbox.unread_count(recipient),
        }


def mark_read(
    uow: UnitOfWork, *, item_id: str, now: datetime, recipients: Collection[str] | None = None
) -> InboxItem:
    """Mark one item read (again is harmless: the first read time stays). With `recipients`, an item of
    anyone else is not found."""
    with uow:
        found = uow.inbox.get(item_id)
        if found is None or (recipients is not None and found.recipient not in recipients):
            raise InboxItemNotFound(item_id)
        uow.inbox.mark_read(item_id, now)
        uow.commit()
        item = uow.inbox.get(item_id)
    assert item is not None
    return item  # type: ignore[no-any-return]


def mark_all_read(uow: UnitOfWork, *, recipient: str, now: datetime) -> int:
    """Mark every unread item of a recipient read; returns how many were unread."""
    with uow:
        marked = int(uow.inbox.mark_all_read(recipient, now))
        uow.commit()
    return marked
