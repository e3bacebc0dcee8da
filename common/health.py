"""Dependency checks behind GET /health (adapter layer)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import Engine

from common.errors import DependencyUnavailable
from common.events import broker_connection

Check = Callable[[], None]


def database_check(engine: Engine) -> Check:
    """The database answers a trivial query."""

    def check() -> None:
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            raise DependencyUnavailable("database", str(exc)) from exc

    return check


def broker_check(broker_url: str) -> Check:
    """The broker accepts a connection."""

    def check() -> None:
        try:
            with broker_connection(broker_url, connect_timeout=3) as c:
                c.ensure_connection(max_retries=1, timeout=3)
        except Exception as exc:  # kombu raises transport-specific errors
            raise DependencyUnavailable("broker", str(exc)) from exc

    return check


def run_checks(checks: dict[str, Check]) -> dict[str, str]:
    """Run every check; the result maps each dependency to "ok" or the reason it failed."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except DependencyUnavailable as exc:
            results[name] = f"unavailable: {exc.errors.get('detail', '')}"[:300]
    return results
