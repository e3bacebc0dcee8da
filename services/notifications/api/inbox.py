"""HTTP API: inboxes (notifications service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications.api.container import container, now
from services.notifications.api.schemas import (
    InboxItemSchema,
    InboxQueryArgsSchema,
    InboxSchema,
    ReadAllResultSchema,
    ReadAllSchema,
)
from services.notifications.service import inbox

blp = Blueprint("inbox", __name__, url_prefix="/inbox", description="In-app inbox")


@blp.route("")
class Inbox(MethodView):
    @blp.arguments(InboxQueryArgsSchema, location="query")
    @blp.response(200, InboxSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """A recipient's inbox, newest first, with the unread count."""
        return inbox.read_inbox(container().uow(), **args)


@blp.route("/<item_id>/read")
class InboxItemRead(MethodView):
    @blp.response(200, InboxItemSchema)
    def post(self, item_id: str) -> Any:
        """Mark one item read."""
        return inbox.mark_read(container().uow(), item_id=item_id, now=now())


@blp.route("/read-all")
class InboxReadAll(MethodView):
    @blp.arguments(ReadAllSchema)
    @blp.response(200, ReadAllResultSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Mark every unread item of a recipient read."""
        return {"marked": inbox.mark_all_read(container().uow(), recipient=args["recipient"], now=now())}
