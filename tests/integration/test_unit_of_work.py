"""Units of work on a migrated evaluation database (SQLite, or PostgreSQL with TEST_POSTGRES_URL): a
reading unit (on PostgreSQL in autocommit, common/db.py) leaves its pooled connection as it found it, so
the writing unit after it is one transaction again. On PostgreSQL, a pooled connection is pinged only
after it has been idle for a while, and one whose server process died is replaced (common/db.py)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from common.db import make_engine
from common.errors import DependencyUnavailable
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.domain.model import Case

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def _migrated(
    make_database_url: Callable[[str], str], name: str, **engine_options: Any
) -> Iterator[tuple[str, sa.Engine]]:
    """A new migrated evaluation database (SQLite, or PostgreSQL with TEST_POSTGRES_URL) and an engine on
    it, disposed after the block."""
    url = make_database_url(name)
    upgrade("evaluation", url)
    engine = make_engine(url, **engine_options)
    try:
        yield url, engine
    finally:
        engine.dispose()


def _outbox_rows(engine: sa.Engine) -> int:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return int(uow.connection.execute(sa.select(sa.func.count()).select_from(t.outbox)).scalar_one())


def test_a_writing_unit_after_a_reading_one_on_the_same_connection_is_one_transaction(
    make_database_url: Callable[[str], str],
) -> None:
    # one pooled connection: every unit below reuses it
    with _migrated(make_database_url, "uow", pool_size=1) as (_, engine):
        assert _outbox_rows(engine) == 0
        row = {"event_id": "e-1", "event_type": "case.opened", "body": "{}", "created_at": datetime.now(UTC)}
        with pytest.raises(RuntimeError), SqlUnitOfWork(engine) as uow:
            uow.connection.execute(t.outbox.insert(), row)
            raise RuntimeError("the use case fails before it commits")
        assert _outbox_rows(engine) == 0  # rolled back: the write was not autocommitted
        with SqlUnitOfWork(engine) as uow:
            uow.connection.execute(t.outbox.insert(), row)
            uow.commit()
        assert _outbox_rows(engine) == 1
        with engine.connect() as conn:  # back in the pool with the engine's own isolation level
            assert conn.get_isolation_level() == conn.default_isolation_level
        with pytest.raises(RuntimeError, match="read-only"), SqlUnitOfWork(engine, read_only=True) as uow:
            uow.commit()  # a reading unit cannot write


def test_one_level_of_scores_is_written_in_one_statement_and_leaves_the_others(
    make_database_url: Callable[[str], str],
) -> None:
    now = datetime(2027, 9, 20, 8, tzinfo=UTC)
    statements: list[str] = []
    with _migrated(make_database_url, "scores") as (_, engine):
        with SqlUnitOfWork(engine) as uow:
            case = Case(
                "c-1", "wf-1", "", 2027, "learning_family", "H001", "26506", "draft", 1, "u", now, now
            )
            uow.cases.add(case)
            uow.commit()
        event = sa.event.listen
        event(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with SqlUnitOfWork(engine) as uow:  # the self-assessment: two new rows
            uow.progress.set_scores("c-1", "self_score", {"1.1": 2.0, "1.2": 1.5}, "ho-gia-dinh", now)
            uow.commit()
        with SqlUnitOfWork(engine) as uow:  # the village adjusts one indicator and adds none
            uow.progress.set_scores("c-1", "village_score", {"1.2": 1.0}, "truong-thon", now)
            uow.progress.set_scores("c-1", "village_score", {}, "truong-thon", now)  # nothing to write
            uow.commit()
        writes = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO CASE_SCORES")]
        assert len(writes) == 2  # one statement per call that writes, whatever the number of indicators
        with SqlUnitOfWork(engine, read_only=True) as uow:
            rows = {r["indicator_code"]: r for r in uow.progress.scores("c-1")}
        assert (rows["1.1"]["self_score"], rows["1.1"]["village_score"]) == (2.0, None)
        assert (rows["1.2"]["self_score"], rows["1.2"]["village_score"]) == (1.5, 1.0)  # self kept
        assert rows["1.2"]["updated_by"] == "truong-thon"


def test_a_case_is_read_locked_with_whose_case_it_is_in_one_statement(
    make_database_url: Callable[[str], str],
) -> None:
    """The read of the activities whose events notify: the case, its progress row and its subject's
    register code and name, its row locked (PostgreSQL: FOR UPDATE OF cases beside the lookups)."""
    now = datetime(2027, 9, 20, 8, tzinfo=UTC)
    statements: list[str] = []
    with _migrated(make_database_url, "whose") as (_, engine):
        with SqlUnitOfWork(engine) as uow:
            for case_id, title, subject in (
                ("c-1", "learning_family", "HH-1"),
                ("c-2", "learning_clan", "DH-9"),
            ):
                uow.cases.add(
                    Case(
                        case_id, f"wf-{case_id}", "", 2027, title, subject, "26506", "draft", 1, "u", now, now
                    )
                )
            units = (("26506", "Phường Vũng Tàu", "commune", "phuong", None, "77/26506"),)
            units += (("26506.KP01", "Khu phố 1", "village", "khu_pho", "26506", "77/26506/KP01"),)
            for code, name, level, kind, parent, path in units:
                uow.connection.execute(
                    t.admin_units.insert().values(
                        code=code, name=name, level=level, kind=kind, parent_code=parent, path=path
                    )
                )
            uow.connection.execute(
                t.households.insert().values(
                    id="HH-1",
                    commune_code="26506",
                    household_code="H001",
                    village_code="26506.KP01",
                    head_name="Nguyễn Văn Hộ",
                    address="Khu phố 1",
                )
            )
            uow.commit()
        sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with SqlUnitOfWork(engine) as uow:
            case, progress, subject = uow.cases.with_progress_and_subject("c-1", lock=True)
            _, _, unknown = uow.cases.with_progress_and_subject("c-2")
            missing = uow.cases.with_progress_and_subject("c-404", lock=True)
        assert (case.id, progress, subject) == (
            "c-1",
            None,
            {"subject_code": "H001", "subject_name": "Nguyễn Văn Hộ"},
        )
        assert unknown == {"subject_code": None, "subject_name": None} and missing is None
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) == 3  # one statement per read, the lookups inside it


postgres_only = pytest.mark.skipif(
    not os.environ.get("TEST_POSTGRES_URL"), reason="pool pings are for server databases (PostgreSQL)"
)


def _counting_pings(engine: sa.Engine) -> list[int]:
    """Count the dialect's pings on this engine (the pool calls `dialect.do_ping`)."""
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_conn):  # type: ignore[no-untyped-def]
        pings.append(1)
        return ping(dbapi_conn)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


def _backend_pid(engine: sa.Engine) -> int:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return int(uow.connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    """What a server restart or an idle-connection killer does to one pooled connection."""
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


@postgres_only
def test_a_connection_reused_at_once_is_not_pinged_and_an_idle_one_is(
    make_database_url: Callable[[str], str],
) -> None:
    with _migrated(make_database_url, "ping", pool_size=1, ping_after_idle=0.3) as (_, engine):
        pings = _counting_pings(engine)
        first = _backend_pid(engine)  # a new connection: no ping
        assert _backend_pid(engine) == first  # reused within the window: no ping either
        assert pings == []
        time.sleep(0.4)
        assert _backend_pid(engine) == first  # idle past the window: pinged, alive, kept
        assert pings == [1]


@postgres_only
def test_an_idle_connection_whose_server_process_died_is_replaced_before_use(
    make_database_url: Callable[[str], str],
) -> None:
    with _migrated(make_database_url, "ping_dead", pool_size=1, ping_after_idle=0.2) as (url, engine):
        dead = _backend_pid(engine)
        _terminate(url, dead)
        time.sleep(0.3)
        assert _backend_pid(engine) != dead  # the ping failed: a new connection, and no error
        assert _outbox_rows(engine) == 0


@postgres_only
def test_a_connection_that_died_inside_the_window_fails_one_unit_with_503_then_recovers(
    make_database_url: Callable[[str], str],
) -> None:
    with _migrated(make_database_url, "ping_window", pool_size=1, ping_after_idle=60.0) as (url, engine):
        dead = _backend_pid(engine)
        _terminate(url, dead)
        with pytest.raises(DependencyUnavailable):  # not pinged: its statement meets the dead connection
            _backend_pid(engine)
        assert _backend_pid(engine) != dead  # the disconnect emptied the pool: the next unit reconnects
