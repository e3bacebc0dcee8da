"""Notifications repositories: user preferences and webhook subscriptions (adapter layer)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy import Connection

from services.notifications.adapters import tables as t
from services.notifications.adapters.repository import chunks
from services.notifications.domain.model import WebhookSubscription
from services.notifications.domain.preferences import Preferences, channel_matrix

p = t.preferences
w = t.webhook_subscriptions


def _preferences(row: sa.RowMapping) -> Preferences:
    return Preferences(
        username=row["username"],
        language=row["language"],
        digest=bool(row["digest"]),
        channels=channel_matrix(json.loads(row["channels"])),
        updated_at=row["updated_at"],
    )


class PreferenceRepository:
    """Users' stored choices (a user who never chose has none)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, username: str) -> Preferences | None:
        """One user's preferences, if stored."""
        row = self._conn.execute(sa.select(p).where(p.c.username == username)).mappings().first()
        return _preferences(row) if row is not None else None

    def get_many(self, usernames: Iterable[str]) -> dict[str, Preferences]:
        """The stored preferences of these users, by username (users who never chose are absent)."""
        found: dict[str, Preferences] = {}
        for chunk in chunks(sorted(set(usernames))):
            for row in self._conn.execute(sa.select(p).where(p.c.username.in_(chunk))).mappings():
                found[row["username"]] = _preferences(row)
        return found

    def put(self, prefs: Preferences) -> None:
        """Store a user's preferences, replacing what was there."""
        values = {
            "language": prefs.language,
            "digest": prefs.digest,
            "channels": json.dumps(prefs.channels, sort_keys=True),
            "updated_at": prefs.updated_at,
        }
        updated = self._conn.execute(p.update().where(p.c.username == prefs.username).values(**values))
        if updated.rowcount == 0:
            self._conn.execute(p.insert().values(username=prefs.username, **values))


class SubscriptionRepository:
    """Webhook subscriptions, one per user or admin unit."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, subscription_id: str) -> WebhookSubscription | None:
        """One subscription by id."""
        row = self._conn.execute(sa.select(w).where(w.c.id == subscription_id)).mappings().first()
        return WebhookSubscription(**row) if row else None

    def for_owner(self, scope: str, owner: str) -> WebhookSubscription | None:
        """The subscription of a user or an admin unit, if any."""
        q = sa.select(w).where(w.c.scope == scope, w.c.owner == owner)
        row = self._conn.execute(q).mappings().first()
        return WebhookSubscription(**row) if row else None

    def for_owners(self, scope: str, owners: Iterable[str]) -> dict[str, WebhookSubscription]:
        """The subscriptions of several users or admin units, by owner (one per owner at most)."""
        found: dict[str, WebhookSubscription] = {}
        for chunk in chunks(sorted(set(owners))):
            q = sa.select(w).where(w.c.scope == scope, w.c.owner.in_(chunk))
            for row in self._conn.execute(q).mappings():
                found[row["owner"]] = WebhookSubscription(**row)
        return found

    def put(self, sub: WebhookSubscription) -> None:
        """Store a subscription; one with the same id gets the new URL and secret."""
        updated = self._conn.execute(
            w.update().where(w.c.id == sub.id).values(url=sub.url, secret=sub.secret)
        )
        if updated.rowcount == 0:
            self._conn.execute(w.insert().values(**asdict(sub)))

    def remove(self, scope: str, owner: str) -> bool:
        """Delete the owner's subscription; False when there was none."""
        return self._conn.execute(w.delete().where(w.c.scope == scope, w.c.owner == owner)).rowcount == 1

    def list(self, *, scope: str | None, limit: int, offset: int) -> list[WebhookSubscription]:
        """Subscriptions, oldest first."""
        q = sa.select(w)
        if scope is not None:
            q = q.where(w.c.scope == scope)
        q = q.order_by(w.c.created_at, w.c.id).limit(limit).offset(offset)
        return [WebhookSubscription(**r) for r in self._conn.execute(q).mappings()]
