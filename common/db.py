"""SQLAlchemy engine factory shared by every service (adapter layer)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, bindparam, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator
from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_exponential

from common import sqlite_gate

READ_ONLY_OPTION = "app_read_only"
BUSY_TIMEOUT = 30.0  # seconds a SQLite writer waits for the write lock
# FULL (the default): every commit is on disk before it returns (an fsync of the WAL per commit).
# NORMAL: in WAL mode still safe from corruption and from a process crash, but the last commits may be
# lost on a power cut or an OS crash; opt in with SQLITE_SYNCHRONOUS=NORMAL where that is acceptable.
SQLITE_SYNCHRONOUS = {"FULL": "FULL", "NORMAL": "NORMAL"}.get(
    os.environ.get("SQLITE_SYNCHRONOUS", "FULL").upper(), "FULL"
)


# A pooled PostgreSQL connection is pinged before use only when it has been idle this long (HikariCP's
# "alive bypass window" does the same, 500 ms): a busy pool pays no round trip per checkout, and after a
# server restart (seconds) every connection is idle past it, so each is checked before a request uses it.
PING_AFTER_IDLE = 1.0  # seconds
_CHECKED_IN_AT = "app_checked_in_at"


def read_only_connection(engine: Engine) -> Connection:
    """A connection for units of work that only read, each statement in its own implicit transaction
    (autocommit), as PostgreSQL's READ COMMITTED gives every statement its own snapshot anyway: a BEGIN
    and a ROLLBACK around them would be two more statements that change nothing. On SQLite no write lock
    is taken, so readers neither wait for nor hold up writers; on PostgreSQL the isolation level returns
    to the default when the connection goes back to the pool. A reader that compares two statements'
    results must allow for a write committed between them (as `common.audit.verify_chain` does)."""
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        return conn.execution_options(**{READ_ONLY_OPTION: True})
    return conn.execution_options(isolation_level="AUTOCOMMIT")


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def _switch_to_wal(cur: sqlite3.Cursor) -> None:
    """Put a SQLite file in WAL mode (the mode is kept in the file: only a new file switches). Switching
    a new file wants it to itself, and SQLite refuses at once, without waiting out the busy timeout,
    while another connection is writing to it ("database is locked": two processes opening a new
    database together), so the switch is retried until the busy timeout has passed."""
    for attempt in Retrying(
        retry=retry_if_exception(_is_locked),
        wait=wait_exponential(multiplier=0.01, max=0.5),
        stop=stop_after_delay(BUSY_TIMEOUT),
        reraise=True,
    ):
        with attempt:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")


def make_engine(url: str, *, pool_size: int = 5, ping_after_idle: float = PING_AFTER_IDLE) -> Engine:
    """Build an engine; SQLite gets WAL and a busy timeout so several processes can share one file, a
    server database a pool that checks connections idle longer than `ping_after_idle` seconds."""
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
            cur.execute("PRAGMA busy_timeout=30000")
            _switch_to_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):  # type: ignore[no-untyped-def]
            # A deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when
            # another process wrote in between (the busy timeout does not apply to that upgrade).
            # Taking the write lock up front makes concurrent writers wait their turn instead.
            # A connection marked read-only (`read_only_connection`) only reads: no BEGIN at all, each
            # statement reads in its own implicit transaction (WAL: it neither waits for nor blocks
            # writers). Writers of this process queue on the in-process gate first (common/sqlite_gate.py).
            if conn.get_execution_options().get(READ_ONLY_OPTION):
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
    engine = create_engine(url, pool_size=pool_size, max_overflow=10, hide_parameters=True)
    _ping_when_idle(engine, ping_after_idle)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """SQLAlchemy's `pool_pre_ping`, skipped for a connection checked in less than `idle_seconds` ago.

    Under load every checkout reuses a connection returned milliseconds before, and the ping was one
    round trip of every unit of work (≈ 13 per recognition case). A connection that dies inside the
    window (its backend terminated, not a restart) fails its statement instead: the unit of work
    answers DependencyUnavailable (503, a retried activity) and SQLAlchemy, seeing the disconnect,
    discards every pooled connection older than it."""

    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        # `info` lives as long as the DBAPI connection: a new connection has no stamp and needs no ping
        checked_in = record.info.get(_CHECKED_IN_AT)
        if checked_in is None or time.monotonic() - checked_in < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            # as the built-in pre-ping does: the pool drops its older connections and checks out a new one
            raise exc.InvalidatePoolError(str(error)) from error


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
    table: Table,
    conflict: Sequence[str],
    columns: Sequence[str],
    update: Sequence[str],
    *,
    rows: int | None = None,
) -> Any:
    """INSERT of `columns` ... ON CONFLICT (`conflict`) DO UPDATE SET `update` (DO NOTHING when empty),
    as a text statement whose binds carry the columns' types.

    With `rows` it inserts that many rows in one statement (one round trip, one statement for the
    server to run, instead of an executemany's one per row); row i's binds are named `{column}_{i}`
    (`row_binds` builds them).

    The same SQL runs on PostgreSQL and SQLite (≥ 3.24). SQLAlchemy's dialect upsert constructs are not
    cacheable (`inherit_cache = False`: recompiled on every execution, ≈ 0.35 ms each); a text statement
    is compiled once per engine."""
    names = ", ".join(columns)
    if rows is None:
        values = "(" + ", ".join(f":{c}" for c in columns) + ")"
        binds = [bindparam(c, type_=table.c[c].type) for c in columns]
    else:
        values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in columns) + ")" for i in range(rows))
        binds = [bindparam(f"{c}_{i}", type_=table.c[c].type) for i in range(rows) for c in columns]
    action = "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update) if update else "DO NOTHING"
    sql = f"INSERT INTO {table.name} ({names}) VALUES {values} ON CONFLICT ({', '.join(conflict)}) {action}"
    return text(sql).bindparams(*binds)


def row_binds(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The bound values of a many-row `upsert_statement` for these rows (each a column → value dict)."""
    return {f"{column}_{i}": value for i, row in enumerate(rows) for column, value in row.items()}
