"""HTTP API: inboxes (notifications service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.web import Blueprint
from services.notifications.api.access import current_principal, inbox_owner, own_recipients
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
    @blp.arguments(InboxQueryArgsSchema(), location="query")
    @blp.response(200, InboxSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """My inbox (or my unit's group inbox), newest first, with the unread count."""
        args["recipient"] = inbox_owner(args.get("recipient"))
        return inbox.read_inbox(container().uow(), **args)


@blp.route("/<item_id>/read")
class InboxItemRead(MethodView):
    @blp.response(200, InboxItemSchema)
    def post(self, item_id: str) -> Any:
        """Mark one of my items read (another user's item is not found)."""
        recipients = own_recipients(current_principal())
        return inbox.mark_read(container().uow(), item_id=item_id, now=now(), recipients=recipients)


@blp.route("/read-all")
class InboxReadAll(MethodView):
    @blp.arguments(ReadAllSchema())
    @blp.response(200, ReadAllResultSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Mark every unread item of my inbox (or my unit's group inbox) read."""
        recipient = inbox_owner(args.get("recipient"))
        return {"marked": inbox.mark_all_read(container().uow(), recipient=recipient, now=now())}
