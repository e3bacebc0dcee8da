"""Access to the composition root's dependencies from views (entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request


def container() -> Any:
    """The Container built by create_app."""
    return current_app.extensions["evaluation"]


def actor() -> str:
    """Who is acting. Until sign-in lands (issue #5) the caller names itself in X-Actor."""
    return (request.headers.get("X-Actor") or "anonymous")[:120]
