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


def test_cases_opened_before_their_village_was_written_are_placed_in_it(
    make_database_url: Callable[[str], str],
) -> None:
    from datetime import UTC, datetime

    from alembic import command

    from infra.migrate import alembic_config

    t = evaluation_tables
    url = make_database_url("evaluation")
    command.upgrade(alembic_config("evaluation", url), "eval_0019")
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            t.admin_units.insert(),
            [
                {
                    "code": "38",
                    "name": "Thanh Hóa",
                    "level": "province",
                    "kind": "tinh",
                    "parent_code": None,
                    "path": "38",
                },
                {
                    "code": "15664",
                    "name": "Vạn Hòa",
                    "level": "commune",
                    "kind": "xa",
                    "parent_code": "38",
                    "path": "38/15664",
                },
                {
                    "code": "15664.T1",
                    "name": "Thôn 1",
                    "level": "village",
                    "kind": "thon",
                    "parent_code": "15664",
                    "path": "38/15664/15664.T1",
                },
                {
                    "code": "15664.T2",
                    "name": "Thôn 2",
                    "level": "village",
                    "kind": "thon",
                    "parent_code": "15664",
                    "path": "38/15664/15664.T2",
                },
            ],
        )
        conn.execute(
            t.households.insert(),
            [
                {
                    "id": "HH-1",
                    "commune_code": "15664",
                    "household_code": "H1",
                    "village_code": "15664.T1",
                    "head_name": "A",
                    "address": "x",
                },
                {
                    "id": "HH-2",
                    "commune_code": "15664",
                    "household_code": "H2",
                    "village_code": "15664.T2",
                    "head_name": "B",
                    "address": "y",
                },
            ],
        )
        conn.execute(
            t.citizens.insert().values(
                id="CD-1",
                citizen_key="001",
                full_name="C",
                household_id="HH-2",
                birth_year=1980,
                gender="male",
                citizen_group="adult",
            )
        )
        subjects = {
            "c1": ("learning_family", "HH-1"),
            "c2": ("learning_citizen", "CD-1"),
            "c3": ("learning_community_village", "15664.T2"),
            "c4": ("learning_clan", "DH-1"),
            "c5": ("learning_family", "HH-unregistered"),
        }
        conn.execute(
            t.cases.insert(),
            [
                {
                    "id": case_id,
                    "workflow_id": f"wf-{case_id}",
                    "run_id": "r",
                    "year": 2025,
                    "title": title,
                    "subject_id": subject,
                    "admin_unit_code": "15664",
                    "status": "draft",
                    "version": 1,
                    "opened_by": "t",
                    "created_at": now,
                    "updated_at": now,
                }
                for case_id, (title, subject) in subjects.items()
            ],
        )
        conn.execute(t.case_progress.insert(), [{"case_id": case_id} for case_id in subjects])
    upgrade("evaluation", url)
    with engine.connect() as conn:
        placed = dict(
            conn.execute(sa.select(t.case_progress.c.case_id, t.case_progress.c.village_code)).all()
        )
    engine.dispose()
    assert placed == {"c1": "15664.T1", "c2": "15664.T2", "c3": "15664.T2", "c4": None, "c5": None}
