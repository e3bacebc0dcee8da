"""Shared Alembic environment: run one service's migrations online against its own database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, pool


def run(context: Any) -> None:
    """Run migrations in a transaction; the URL comes from the Config built by infra.migrate."""
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
