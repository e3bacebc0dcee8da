"""HTTP API: webhook subscriptions and deliveries (notifications service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from common.web import Blueprint
from services.notifications.api.access import administrator
from services.notifications.api.container import container, now
from services.notifications.api.schemas import (
    DeliveryQueryArgsSchema,
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookQueryArgsSchema,
    WebhookSchema,
    WebhookUpdateSchema,
)
from services.notifications.service import dispatch, webhooks

blp = Blueprint("webhooks", __name__, description="Webhook subscriptions and deliveries")


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.arguments(WebhookQueryArgsSchema(), location="query")
    @blp.response(200, WebhookSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Webhook subscriptions (without their secrets)."""
        administrator()
        return webhooks.list_subscriptions(container().uow(), **args)


@blp.route("/webhooks/<any(user,unit):scope>/<owner>")
class WebhookByOwner(MethodView):
    @blp.response(200, WebhookSchema)
    def get(self, scope: str, owner: str) -> Any:
        """The webhook of a user or an admin unit."""
        administrator()
        return webhooks.get_subscription_or_raise(container().uow(), scope=scope, owner=owner)

    @blp.arguments(WebhookUpdateSchema())
    @blp.response(200, WebhookCreatedSchema)
    def put(self, args: dict[str, Any], scope: str, owner: str) -> Any:
        """Set the webhook URL; answers a new signing secret (each call rotates it)."""
        administrator()
        c = container()
        return webhooks.subscribe(
            c.uow(), scope=scope, owner=owner, url=args["url"], now=now(), check_url=c.url_guard.check
        )

    @blp.response(204)
    def delete(self, scope: str, owner: str) -> None:
        """Remove the webhook."""
        administrator()
        webhooks.unsubscribe(container().uow(), scope=scope, owner=owner)


@blp.route("/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryQueryArgsSchema(), location="query")
    @blp.response(200, DeliverySchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """E-mail and webhook deliveries with their status and attempts, newest first."""
        administrator()
        return dispatch.list_deliveries(container().uow(), **args)


@blp.route("/deliveries/<delivery_id>/retry")
class DeliveryRetry(MethodView):
    @blp.response(200, DeliverySchema)
    def post(self, delivery_id: str) -> Any:
        """Send a failed delivery again (a fresh attempt budget, due now)."""
        administrator()
        return dispatch.retry_delivery(container().uow(), delivery_id=delivery_id, now=now())
