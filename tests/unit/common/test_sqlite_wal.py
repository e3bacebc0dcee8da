"""A new SQLite file is put in WAL mode by its first connection, even while another one is writing to it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa

from common.db import make_engine


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("PRAGMA journal_mode").fetchone()[0])


def test_the_switch_to_wal_waits_for_a_writer_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x INTEGER)")  # a new file, still in rollback-journal mode
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    # What SQLite does without the retry: it refuses the switch at once, busy timeout or not.
    with sqlite3.connect(path, timeout=5, isolation_level=None) as other:
        try:
            other.execute("PRAGMA journal_mode=WAL")
            raise AssertionError("SQLite switched a file another connection was writing to")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
    finished = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    finished.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:  # waits for the writer's commit, then switches
            assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
        assert _journal_mode(path) == "wal"
    finally:
        finished.join()
        writer.close()
        engine.dispose()


def test_a_file_already_in_wal_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x INTEGER)")
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        engine.dispose()
