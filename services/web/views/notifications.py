"""The notification bell (htmx polls the unread count) and the inbox, from the notifications service."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.web.auth import call, login_required
from services.web.client import ApiError

bp = Blueprint("notifications", __name__)


@bp.route("/bell")
@login_required
def bell() -> Any:
    """The bell's unread count (a fragment); the page keeps working when the service is down."""
    try:
        inbox = call(
            "notifications",
            "GET",
            "/inbox",
            params={"recipient": g.user["username"], "unread_only": "true", "limit": 1},
        )
        unread = int(inbox.get("unread", 0))
    except ApiError as exc:
        if exc.status == 401:
            raise
        unread = None
    return render_template("_bell.html", unread=unread)


@bp.route("/notifications")
@login_required
def inbox() -> Any:
    problem = None
    items: list[dict[str, Any]] = []
    unread = 0
    try:
        page = call("notifications", "GET", "/inbox", params={"recipient": g.user["username"], "limit": 100})
        items, unread = page["items"], page["unread"]
    except ApiError as exc:
        if exc.status == 401:
            raise
        problem = exc.message
    return render_template("notifications.html", items=items, unread=unread, problem=problem)


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all() -> Any:
    try:
        call("notifications", "POST", "/inbox/read-all", json={"recipient": g.user["username"]})
    except ApiError as exc:
        if exc.status == 401:
            raise
    if request.headers.get("HX-Request"):
        return bell()
    return redirect(url_for("notifications.inbox"))
