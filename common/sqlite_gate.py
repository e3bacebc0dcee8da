"""An in-process gate in front of SQLite's write lock (adapter layer).

SQLite lets one writer at a time into a database file; the others wait in its busy handler, which
sleeps in growing steps (up to 100 ms) and polls again, so a waiter often sleeps on long after the lock
was freed. With many threads of one process writing (activities, the outbox relay) that handoff
latency, not the work, set the pace. The gate makes the writers of one process queue on a
`threading.Lock` first, taken right before `BEGIN IMMEDIATE` and given back right after the commit
or rollback: the next one goes in at once. Other processes still meet at SQLite's own lock.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


class WriteGate:
    """One per database file in this process; it knows which DBAPI connection holds it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._guard = threading.Lock()
        self._holder: int | None = None

    def acquire(self, dbapi_conn: Any, timeout: float) -> None:
        """Wait for the gate (at most `timeout` seconds, like SQLite's busy timeout)."""
        if not self._lock.acquire(timeout=timeout):
            raise sa.exc.OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        with self._guard:
            self._holder = _raw_id(dbapi_conn)

    def release(self, dbapi_conn: Any) -> None:
        """Give the gate back if this connection holds it (a no-op otherwise)."""
        with self._guard:
            if self._holder != _raw_id(dbapi_conn):
                return
            self._holder = None
        self._lock.release()


def _raw_id(conn: Any) -> int:
    # The dialect is handed the pool's proxy or the driver's connection, depending on the caller.
    return id(getattr(conn, "dbapi_connection", None) or conn)


def gate_for(database: str | None) -> WriteGate:
    """The gate of one database file (an in-memory database gets its own)."""
    if not database or database == ":memory:":
        return WriteGate()
    import os

    key = os.path.realpath(database)
    with _gates_lock:
        return _gates.setdefault(key, WriteGate())


def install(engine: Engine, gate: WriteGate) -> None:
    """Release the gate after every commit, rollback or close of a connection of `engine`."""
    dialect = engine.dialect
    commit, rollback, close = dialect.do_commit, dialect.do_rollback, dialect.do_close

    def do_commit(dbapi_conn: Any) -> None:
        try:
            commit(dbapi_conn)
        finally:
            gate.release(dbapi_conn)

    def do_rollback(dbapi_conn: Any) -> None:
        try:
            rollback(dbapi_conn)
        finally:
            gate.release(dbapi_conn)

    def do_close(dbapi_conn: Any) -> None:
        try:
            close(dbapi_conn)
        finally:
            gate.release(dbapi_conn)

    dialect.do_commit = do_commit  # type: ignore[method-assign]
    dialect.do_rollback = do_rollback  # type: ignore[method-assign]
    dialect.do_close = do_close  # type: ignore[method-assign]
