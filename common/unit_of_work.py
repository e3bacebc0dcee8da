"""SQL unit of work base: one transaction plus the events it will publish (adapter layer)."""

from __future__ import annotations

import abc
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from common.errors import Conflict, DependencyUnavailable
from common.events import Event
from common.outbox import add_event


class SqlUnitOfWorkBase(abc.ABC):
    """`with uow:` opens a transaction; `commit()` writes collected events to the outbox inside it.

    Subclasses build their repositories in `_bind(conn)`.
    """

    def __init__(self, engine: Engine, outbox: sa.Table) -> None:
        self._engine = engine
        self._outbox = outbox
        self._conn: Connection | None = None
        self._events: list[Event] = []

    @abc.abstractmethod
    def _bind(self, conn: Connection) -> None:
        """Build this service's repositories on the transaction's connection."""

    def __enter__(self) -> SqlUnitOfWorkBase:
        try:
            self._conn = self._engine.connect()
            self._conn.begin()
        except sa.exc.OperationalError as exc:
            raise DependencyUnavailable("database", str(exc)) from exc
        self._bind(self._conn)
        self._events = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._conn is not None
        if self._conn.in_transaction():
            self._conn.rollback()
        self._conn.close()
        self._conn = None
        if isinstance(exc, sa.exc.OperationalError):
            raise DependencyUnavailable("database", str(exc)) from exc

    @property
    def connection(self) -> Connection:
        """The open transaction's connection, for read queries that span repositories."""
        assert self._conn is not None
        return self._conn

    def has_event(self, event_id: str) -> bool:
        """Whether an event with this id was already written (deterministic ids make retries no-ops)."""
        assert self._conn is not None
        found = self._conn.execute(sa.select(self._outbox.c.seq).where(self._outbox.c.event_id == event_id))
        return found.first() is not None

    def publish(self, event: Event) -> None:
        """Collect an event; it is written to the outbox only if the transaction commits."""
        self._events.append(event)

    def commit(self) -> None:
        """Write the outbox rows and commit everything atomically."""
        assert self._conn is not None
        for event in self._events:
            add_event(self._conn, self._outbox, event)
        self._events = []
        try:
            self._conn.commit()
        except sa.exc.IntegrityError as exc:
            raise Conflict("Dữ liệu đã tồn tại.", "The record already exists.") from exc
