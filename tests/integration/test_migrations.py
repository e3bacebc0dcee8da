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


def test_the_accounts_search_key_is_filled_for_accounts_made_before_it(
    make_database_url: Callable[[str], str],
) -> None:
    from alembic import command

    from infra.migrate import alembic_config

    url = make_database_url("evaluation")
    command.upgrade(alembic_config("evaluation", url), "eval_0018")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, username, full_name, password_hash, role, active, created_at,"
                " updated_at) VALUES ('u1', 'ho-nguyen', 'Nguyễn Thị Đào', 'x', 'auditor', TRUE,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    upgrade("evaluation", url)
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT search_text FROM users")).scalar_one() == "ho nguyen nguyen thi dao"
        )
    engine.dispose()
