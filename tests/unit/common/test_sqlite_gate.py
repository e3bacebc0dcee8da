"""SQLite units of work: read-only ones take no write lock; writers of one process queue on the gate
and never lose an update; the gate is given back after a commit, a rollback and a failed BEGIN."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from common.db import make_engine, read_only_connection
from common.unit_of_work import SqlUnitOfWorkBase, reading

metadata = sa.MetaData()
counter = sa.Table(
    "counter", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer)
)
outbox = sa.Table("outbox", metadata, sa.Column("seq", sa.Integer, primary_key=True))


class CounterUnitOfWork(SqlUnitOfWorkBase):
    def __init__(self, engine: sa.Engine, *, read_only: bool = False) -> None:
        super().__init__(engine, outbox, read_only=read_only)

    def _bind(self, conn: sa.Connection) -> None:
        pass

    def reader(self) -> CounterUnitOfWork:
        return CounterUnitOfWork(self._engine, read_only=True)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(counter.insert().values(id=1, n=0))
    engine.dispose()
    return url


def _read(uow: CounterUnitOfWork) -> int:
    with uow:
        return int(uow.connection.execute(sa.select(counter.c.n)).scalar_one())


def test_a_read_only_unit_of_work_does_not_wait_for_a_writer(url: str) -> None:
    engine = make_engine(url)
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with engine.begin() as db:
            db.execute(counter.update().values(n=41))
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        started = time.monotonic()
        assert _read(CounterUnitOfWork(engine, read_only=True)) == 0  # the last committed state
        assert time.monotonic() - started < 1.0  # the busy timeout is 30 s: it did not wait
    finally:
        done.set()
        thread.join(10)
    assert _read(reading(CounterUnitOfWork(engine))) == 41
    engine.dispose()


def test_a_read_only_unit_of_work_refuses_to_commit_and_cannot_write(url: str) -> None:
    engine = make_engine(url)
    uow = CounterUnitOfWork(engine, read_only=True)
    with uow, pytest.raises(RuntimeError, match="read-only"):
        uow.commit()
    assert _read(CounterUnitOfWork(engine)) == 0
    engine.dispose()


def test_concurrent_writers_in_one_process_lose_no_update(url: str) -> None:
    """Read-modify-write from 8 threads over two engines on the same file: every increment lands."""
    engines = [make_engine(url), make_engine(url)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for _ in range(15):
                uow = CounterUnitOfWork(engines[i % 2])
                with uow:
                    n = uow.connection.execute(sa.select(counter.c.n)).scalar_one()
                    uow.connection.execute(counter.update().values(n=n + 1))
                    uow.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert _read(CounterUnitOfWork(engines[0])) == 8 * 15
    for e in engines:
        e.dispose()


def test_the_gate_is_given_back_after_rollback_and_failure(url: str) -> None:
    engine = make_engine(url)
    with pytest.raises(ZeroDivisionError):
        with engine.begin() as db:
            db.execute(counter.update().values(n=5))
            raise ZeroDivisionError
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as db:
            db.execute(counter.insert().values(id=1, n=1))  # duplicate primary key
    with engine.connect() as db:  # autobegin, closed without commit: rolled back on return
        db.execute(counter.update().values(n=6))

    finished = threading.Event()

    def writer() -> None:
        with engine.begin() as db:
            db.execute(counter.update().values(n=7))
        finished.set()

    threading.Thread(target=writer).start()
    assert finished.wait(5), "the gate stayed taken"
    with read_only_connection(engine) as db:
        assert db.execute(sa.select(counter.c.n)).scalar_one() == 7
    engine.dispose()
