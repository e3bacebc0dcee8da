"""SQLAlchemy engine factory shared by every service (adapter layer)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, bindparam, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator

from common import sqlite_gate

READ_ONLY_OPTION = "app_read_only"
BUSY_TIMEOUT = 30.0  # seconds a SQLite writer waits for the write lock
# FULL (the default): every commit is on disk before it returns (an fsync of the WAL per commit).
# NORMAL: in WAL mode still safe from corruption and from a process crash, but the last commits may be
# lost on a power cut or an OS crash; opt in with SQLITE_SYNCHRONOUS=NORMAL where that is acceptable.
SQLITE_SYNCHRONOUS = {"FULL": "FULL", "NORMAL": "NORMAL"}.get(
    os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper(), "FULL"
)


def read_only_connection(engine: Engine) -> Connection:
    """A connection for transactions that only read. On SQLite they begin deferred: no write lock, so
    they do not queue behind writers. On PostgreSQL (whose readers never wait for writers) they run in
    autocommit: under READ COMMITTED every statement reads its own snapshot even inside a transaction,
    so a BEGIN and a ROLLBACK would be two round trips that change nothing (the isolation level returns
    to the default when the connection goes back to the pool)."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        return conn.execution_options(**{READ_ONLY_OPTION: True})
    return conn.execution_options(isolation_level="AUTOCOMMIT")


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """Build an engine; SQLite gets WAL and a busy timeout so several processes can share one file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT, "check_same_thread": False},
            hide_parameters=True,
        )
        gate = sqlite_gate.gate_for(parsed.database)
        sqlite_gate.install(engine, gate)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # SQLAlchemy emits BEGIN itself (below) instead of the driver's implicit, deferred one.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):  # type: ignore[no-untyped-def]
            # A deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when
            # another process wrote in between (the busy timeout does not apply to that upgrade).
            # Taking the write lock up front makes concurrent writers wait their turn instead.
            # A connection marked read-only (`read_only_connection`) only reads: in WAL mode its
            # deferred transaction sees one consistent snapshot and neither waits for nor blocks writers.
            # Writers of this process queue on the in-process gate first (common/sqlite_gate.py).
            if conn.get_execution_options().get(READ_ONLY_OPTION):
                conn.exec_driver_sql("BEGIN")
                return
            dbapi_conn = conn.connection.dbapi_connection
            gate.acquire(dbapi_conn, BUSY_TIMEOUT)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                gate.release(dbapi_conn)
                raise

        return engine
    # hide_parameters: bound values (password hashes, personal data) never reach exception texts or logs
    return create_engine(url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, hide_parameters=True)


def is_postgres(engine: Engine) -> bool:
    """True when the engine talks to PostgreSQL (enables SKIP LOCKED and similar)."""
    return engine.dialect.name == "postgresql"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no offset: it is re-attached)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def upsert_statement(
    table: Table, conflict: Sequence[str], columns: Sequence[str], update: Sequence[str]
) -> Any:
    """INSERT of `columns` ... ON CONFLICT (`conflict`) DO UPDATE SET `update` (DO NOTHING when empty),
    as a text statement whose binds carry the columns' types.

    The same SQL runs on PostgreSQL and SQLite (≥ 3.24). SQLAlchemy's dialect upsert constructs are not
    cacheable (`inherit_cache = False`: recompiled on every execution, ≈ 0.35 ms each); a text statement
    is compiled once per engine."""
    names = ", ".join(columns)
    binds = ", ".join(f":{c}" for c in columns)
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update) if update else "DO NOTHING"
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({binds}) ON CONFLICT ({', '.join(conflict)}) {action}"
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
