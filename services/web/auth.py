"""The signed-in user of the web: the service token kept in the signed session cookie (entrypoint)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, flash, g, redirect, request, session, url_for

from services.web.client import ApiError, ServiceClient
from services.web.i18n import gettext as _
from services.web.i18n import lang


def clients() -> dict[str, ServiceClient]:
    """The service clients of this app."""
    return current_app.extensions["web_clients"]  # type: ignore[no-any-return]


def user() -> dict[str, Any] | None:
    """The signed-in user (username, role, full name, scope), or None."""
    return session.get("user")


def call(service: str, method: str, path: str, **kwargs: Any) -> Any:
    """Call a service as the signed-in user in the session's language; JSON answers decoded."""
    response = clients()[service].request(method, path, token=session.get("token"), lang=lang(), **kwargs)
    if response.status_code == 204 or not response.content:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return response


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous visitors to the login page; an expired token signs the session out."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not session.get("token"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        g.user = user()
        try:
            return view(*args, **kwargs)
        except ApiError as exc:
            if exc.status == 401:
                session.pop("token", None)
                session.pop("user", None)
                flash(_("Phiên đăng nhập đã hết hạn, hãy đăng nhập lại."), "error")
                return redirect(url_for("auth.login"))
            raise

    return wrapper
