"""Access to the composition root's dependencies from views (entrypoint layer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app


def container() -> Any:
    """The Container built by create_app."""
    return current_app.extensions["notifications"]


def now() -> datetime:
    """The request's time, in UTC."""
    return datetime.now(UTC)
