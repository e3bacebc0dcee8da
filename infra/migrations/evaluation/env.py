"""Alembic environment of one service (delegates to the shared runner)."""

from alembic import context

from infra.migrations.env_common import run

run(context)
