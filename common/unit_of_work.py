"""SQL unit of work base: one transaction plus the events and audit entries it will write (adapter layer)."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from common.audit import AuditTrail, append_many
from common.audit_entry import AuditEntry, normalized
from common.db import read_only_connection
from common.errors import AlreadyExists, DependencyUnavailable
from common.events import Event
from common.outbox import add_event


def reading(uow: Any) -> Any:
    """The read-only sibling of a unit of work when it offers one (`reader()`), else the unit itself:
    for a use case's reads that come before (not inside) its writing transaction."""
    reader = getattr(uow, "reader", None)
    return reader() if callable(reader) else uow


class SqlUnitOfWorkBase(abc.ABC):
    """`with uow:` opens a transaction; `commit()` writes collected events to the outbox and collected
    audit entries to their chains inside it.

    Subclasses build their repositories in `_bind(conn)`. A service without an audit table passes none,
    and then cannot `record`.

    A `read_only` unit of work is for use cases that only read (scope checks, GETs): on SQLite it does
    not take the database's write lock, so it neither waits for nor holds up the writers; `commit()`
    on it is refused.
    """

    def __init__(
        self, engine: Engine, outbox: sa.Table, audit: sa.Table | None = None, *, read_only: bool = False
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._outbox = outbox
        self._audit = audit
        self._conn: Connection | None = None
        self._events: list[Event] = []
        self._entries: list[AuditEntry] = []

    @abc.abstractmethod
    def _bind(self, conn: Connection) -> None:
        """Build this service's repositories on the transaction's connection."""

    def __enter__(self) -> SqlUnitOfWorkBase:
        try:
            self._conn = read_only_connection(self._engine) if self._read_only else self._engine.connect()
            self._conn.begin()
        except sa.exc.OperationalError as exc:
            raise DependencyUnavailable("database", str(exc)) from exc
        self._bind(self._conn)
        self._events = []
        self._entries = []
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
        if isinstance(exc, sa.exc.IntegrityError):  # e.g. PostgreSQL's INSERT that waited on a racing one
            raise AlreadyExists() from exc

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

    def record(self, entry: AuditEntry) -> None:
        """Collect an audit entry; it is appended to its chain only if the transaction commits."""
        if self._audit is None:
            raise RuntimeError("this unit of work has no audit table")
        self._entries.append(normalized(entry))  # a malformed entry fails here, at the call site

    @property
    def audit(self) -> AuditTrail:
        """Read and verify the audit chains on this transaction."""
        if self._audit is None:
            raise RuntimeError("this unit of work has no audit table")
        return AuditTrail(self.connection, self._audit)

    def commit(self) -> None:
        """Write the outbox rows and the audit entries, then commit everything atomically."""
        assert self._conn is not None
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        for event in self._events:
            add_event(self._conn, self._outbox, event)
        self._events = []
        if self._entries:
            # Last before the commit: the chain heads stay locked only for the commit itself.
            assert self._audit is not None
            append_many(self._conn, self._audit, self._entries)
        self._entries = []
        try:
            self._conn.commit()
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists() from exc
