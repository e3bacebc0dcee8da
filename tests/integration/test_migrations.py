"""Each service's Alembic migrations build exactly the schema its tables module declares, on SQLite
and (in CI's second leg) PostgreSQL, and upgrading twice is harmless."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.evaluation.adapters.identity_tables  # noqa: F401
from infra.migrate import upgrade
from services.awards.adapters import tables as awards_tables
from services.evaluation.adapters import tables as evaluation_tables
from services.notifications.adapters import tables as notifications_tables

pytestmark = pytest.mark.integration

METADATA = {
    "evaluation": evaluation_tables.metadata,
    "awards": awards_tables.metadata,
    "notifications": notifications_tables.metadata,
}


@pytest.mark.parametrize("service", sorted(METADATA))
def test_migrations_match_the_declared_tables(service: str, make_database_url: Callable[[str], str]) -> None:
    url = make_database_url(service)
    upgrade(service, url)
    upgrade(service, url)  # a second run finds nothing to do
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = [
            d
            for d in compare_metadata(context, METADATA[service])
            if d[0] != "remove_table" or d[1].name != "alembic_version"
        ]
    engine.dispose()
    assert diffs == []
