"""Use cases: webhook subscriptions of users and admin units (service layer)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from common.errors import not_one_of
from services.notifications.domain.errors import SubscriptionNotFound, ValidationFailed
from services.notifications.domain.model import WebhookSubscription
from services.notifications.domain.webhooks import SCOPES
from services.notifications.service.ports import UnitOfWork


def subscribe(
    uow: UnitOfWork,
    *,
    scope: str,
    owner: str,
    url: str,
    now: datetime,
    check_url: Callable[[str], None] | None = None,
) -> WebhookSubscription:
    """Set the webhook of a user or an admin unit; every call issues a new signing secret.
    `check_url` refuses a target this service may not reach (the SSRF guard; ValidationFailed)."""
    parts = urlsplit(url)
    if scope not in SCOPES:
        raise not_one_of(
            "scope",
            scope,
            SCOPES,
            noun_vi="phạm vi",
            noun_en="scope",
            message_vi="Phạm vi không hợp lệ.",
            message_en="Invalid scope.",
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationFailed(
            "Địa chỉ webhook không hợp lệ.",
            "Invalid webhook URL.",
            errors={"url": ["Phải là địa chỉ http(s) đầy đủ, ví dụ https://example.vn/hook."]},
            errors_en={"url": ["Must be a full http(s) URL, e.g. https://example.vn/hook."]},
        )
    if check_url is not None:
        check_url(url)
    with uow:
        existing = uow.subscriptions.for_owner(scope, owner)
        sub = WebhookSubscription(
            id=existing.id if existing else str(uuid.uuid4()),
            scope=scope,
            owner=owner,
            url=url,
            secret=secrets.token_hex(32),
            created_at=existing.created_at if existing else now,
        )
        uow.subscriptions.put(sub)
        uow.commit()
    return sub


def get_subscription_or_raise(uow: UnitOfWork, *, scope: str, owner: str) -> WebhookSubscription:
    """The webhook of a user or an admin unit, or SubscriptionNotFound."""
    with uow:
        sub = uow.subscriptions.for_owner(scope, owner)
    if sub is None:
        raise SubscriptionNotFound(f"{scope}/{owner}")
    return sub  # type: ignore[no-any-return]


def unsubscribe(uow: UnitOfWork, *, scope: str, owner: str) -> None:
    """Remove a webhook; its pending deliveries then fail instead of being sent."""
    with uow:
        if not uow.subscriptions.remove(scope, owner):
            raise SubscriptionNotFound(f"{scope}/{owner}")
        uow.commit()


def list_subscriptions(
    uow: UnitOfWork, *, scope: str | None = None, limit: int = 50, offset: int = 0
) -> list[WebhookSubscription]:
    """Webhook subscriptions, oldest first."""
    with uow:
        return list(uow.subscriptions.list(scope=scope, limit=limit, offset=offset))
