"""HTTP API: inboxes (notifications service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications.api.schemas import InboxQueryArgsSchema, InboxSchema
from services.notifications.service import inbox

blp = Blueprint("inbox", __name__, url_prefix="/inbox", description="In-app inbox")


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(InboxQueryArgsSchema, location="query")
    @blp.response(200, InboxSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """A recipient's inbox, newest first, with the unread count."""
        engine = current_app.extensions["notifications"].engine
        items = inbox.list_inbox(engine, **args)
        return {"items": items, "unread": inbox.unread_count(engine, recipient=args["recipient"])}
