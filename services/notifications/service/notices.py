"""Use case: turn one event into inbox items, deliveries and digest entries, exactly once (service layer).

Recipients are asked of the owning service before the transaction opens (no transaction is held across
an HTTP call); then one transaction records the event as processed together with everything it causes,
so a redelivered event, a second consumer or a replay stores nothing twice. Sending happens later,
outside the transaction (service/dispatch.py).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime

from common.events import Event
from services.notifications.domain import routing
from services.notifications.domain.errors import Conflict
from services.notifications.domain.model import (
    PENDING,
    Delivery,
    DigestEntry,
    InboxItem,
    Recipient,
    WebhookSubscription,
)
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.templates import Rendered, render, subjects_for, with_footer
from services.notifications.domain.webhooks import webhook_body
from services.notifications.service.ports import RecipientResolver, UnitOfWork


def resolve_recipients(resolver: RecipientResolver, event: Event) -> list[Recipient]:
    """Everyone told of an event: the users of each role over the event's admin unit, each once, minus
    the user who caused it. Raises RecipientsUnavailable while the directory cannot be asked."""
    unit = routing.admin_unit_of(event)
    if unit is None:
        return []
    actor = routing.actor_of(event)
    found: dict[str, Recipient] = {}
    for role in routing.roles_for(event):
        for recipient in resolver.resolve(role, unit):
            if recipient.username != actor:
                found.setdefault(recipient.username, recipient)
    return list(found.values())


def handle_event(
    uow: UnitOfWork, *, event: Event, resolver: RecipientResolver, email_enabled: bool, now: datetime
) -> int:
    """Store what an event causes, once; returns how many recipients were told (0 for a duplicate)."""
    with uow:
        if uow.processed.seen(event.id):
            return 0
    recipients = resolve_recipients(resolver, event)
    try:
        with uow:
            if uow.processed.seen(event.id):
                return 0
            uow.processed.add(event.id, event.type, now)
            for recipient in recipients:
                _notify(uow, event, recipient, email_enabled=email_enabled, now=now)
            unit = routing.admin_unit_of(event)
            sub = uow.subscriptions.for_owner("unit", unit) if unit else None
            if sub is not None:
                _add_webhook(uow, event, sub, language="vi", now=now)
            uow.commit()
    except Conflict:
        return 0  # another consumer stored the same event between our check and our insert
    return len(recipients)


def _notify(
    uow: UnitOfWork, event: Event, recipient: Recipient, *, email_enabled: bool, now: datetime
) -> None:
    prefs: Preferences = uow.preferences.get(recipient.username) or Preferences(recipient.username)
    category = routing.category_of(event.type)
    if prefs.allows(category, "inbox"):
        vi, en = subjects_for(event)
        uow.inbox.add(
            InboxItem(
                id=str(uuid.uuid4()),
                event_id=event.id,
                recipient=recipient.username,
                event_type=event.type,
                subject_vi=vi,
                subject_en=en,
                case_id=_case_id(event),
                created_at=now,
            )
        )
    if email_enabled and recipient.email and prefs.allows(category, "email"):
        if prefs.digest and event.type in routing.DIGESTIBLE:
            uow.digests.add(
                DigestEntry(
                    id=str(uuid.uuid4()),
                    event_id=event.id,
                    recipient=recipient.username,
                    email=recipient.email,
                    event_type=event.type,
                    case_id=_case_id(event),
                    payload_json=json.dumps(event.payload, ensure_ascii=False, default=str),
                    created_at=now,
                )
            )
        else:
            notice = render(event, prefs.language)
            uow.deliveries.add(
                _delivery(event.id, recipient.username, "email", recipient.email, prefs.language, notice, now)
            )
    sub = uow.subscriptions.for_owner("user", recipient.username)
    if sub is not None and prefs.allows(category, "webhook"):
        _add_webhook(uow, event, sub, language=prefs.language, now=now)


def _add_webhook(
    uow: UnitOfWork, event: Event, sub: WebhookSubscription, *, language: str, now: datetime
) -> None:
    notice = render(event, language)
    delivery = _delivery(event.id, sub.recipient, "webhook", sub.url, language, notice, now)
    body = webhook_body(
        event, recipient=sub.recipient, delivery_id=delivery.id, language=language, notice=notice
    )
    uow.deliveries.add(replace(delivery, body=body, subscription_id=sub.id))


def _delivery(
    event_id: str, recipient: str, channel: str, target: str, language: str, notice: Rendered, now: datetime
) -> Delivery:
    """A pending delivery, due at once."""
    return Delivery(
        id=str(uuid.uuid4()),
        event_id=event_id,
        recipient=recipient,
        channel=channel,
        target=target,
        language=language,
        subject=notice.subject,
        body=with_footer(notice.body, language) if channel == "email" else notice.body,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def _case_id(event: Event) -> str | None:
    case_id = event.payload.get("case_id")
    return str(case_id)[:36] if case_id else None
