"""Access to the composition root's dependencies from views (entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from common.web_auth import current_principal


def container() -> Any:
    """The Container built by create_app."""
    return current_app.extensions["evaluation"]


def current_actor() -> Any:
    """The signed-in caller as the actor of a case step: username, role, and the household or citizen a
    staff member acts for (X-On-Behalf-Of), so the record names both people."""
    from services.evaluation.service.steps import Actor

    principal = current_principal()
    return Actor(username=principal.username, role=principal.role, on_behalf_of=principal.on_behalf_of)
