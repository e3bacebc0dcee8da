"""Notifications unit of work: its repositories on one transaction (adapter layer)."""

from __future__ import annotations

from types import TracebackType

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from services.notifications.adapters.delivery_repository import DeliveryRepository, DigestRepository
from services.notifications.adapters.repository import (
    DeadLetterRepository,
    InboxRepository,
    ProcessedEventRepository,
)
from services.notifications.adapters.subscriber_repository import (
    PreferenceRepository,
    SubscriptionRepository,
)
from services.notifications.domain.errors import AlreadyExists, DependencyUnavailable


class SqlUnitOfWork:
    """`with uow:` opens a transaction; `commit()` commits it; leaving without commit rolls back.

    A unique-key clash becomes Conflict (a concurrent consumer stored the same thing first) and an
    unreachable or locked database becomes DependencyUnavailable, so callers see domain errors only.
    """

    inbox: InboxRepository
    processed: ProcessedEventRepository
    dead_letters: DeadLetterRepository
    deliveries: DeliveryRepository
    digests: DigestRepository
    preferences: PreferenceRepository
    subscriptions: SubscriptionRepository

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    def __enter__(self) -> SqlUnitOfWork:
        try:
            self._conn = self._engine.connect()
            self._conn.begin()
        except sa.exc.OperationalError as exc:
            raise DependencyUnavailable("database", str(exc)) from exc
        conn = self._conn
        self.inbox = InboxRepository(conn)
        self.processed = ProcessedEventRepository(conn)
        self.dead_letters = DeadLetterRepository(conn)
        self.deliveries = DeliveryRepository(conn)
        self.digests = DigestRepository(conn)
        self.preferences = PreferenceRepository(conn)
        self.subscriptions = SubscriptionRepository(conn)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
            self._conn.close()
        finally:
            self._conn = None
        if isinstance(exc, sa.exc.IntegrityError):
            raise AlreadyExists() from exc
        if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
            raise DependencyUnavailable("database", str(exc)) from exc

    def commit(self) -> None:
        """Commit the open transaction."""
        assert self._conn is not None
        self._conn.commit()
