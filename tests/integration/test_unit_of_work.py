"""Units of work on a migrated evaluation database (SQLite, or PostgreSQL with TEST_POSTGRES_URL): a
reading unit (on PostgreSQL in autocommit, common/db.py) leaves its pooled connection as it found it, so
the writing unit after it is one transaction again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from common.db import make_engine
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork

pytestmark = pytest.mark.integration


def _outbox_rows(engine: sa.Engine) -> int:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return int(uow.connection.execute(sa.select(sa.func.count()).select_from(t.outbox)).scalar_one())


def test_a_writing_unit_after_a_reading_one_on_the_same_connection_is_one_transaction(
    make_database_url: Callable[[str], str],
) -> None:
    url = make_database_url("uow")
    upgrade("evaluation", url)
    engine = make_engine(url, pool_size=1)  # one pooled connection: every unit below reuses it
    try:
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
    finally:
        engine.dispose()
