"""Use case: turn one event into inbox items, deliveries and digest entries, exactly once (service layer).

Recipients are asked of the owning service before the transaction opens (no transaction is held across
an HTTP call); then one transaction records the event as processed together with everything it causes,
so a redelivered event, a second consumer or a replay stores nothing twice. Sending happens later,
outside the transaction (service/dispatch.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
    the user who caused it. Household representatives are told only of their own household's events (none
    when the event names no subject). An event that names its addressee (an account's owner told of a
    change to it) is told to that account alone, found by its username: locked or national accounts too.
    Raises RecipientsUnavailable while the directory cannot be asked."""
    actor = routing.actor_of(event)
    addressee = routing.addressee_of(event)
    if addressee is not None:
        owner = resolver.account(addressee) if addressee != actor else None
        return [owner] if owner is not None else []
    unit = routing.admin_unit_of(event)
    if unit is None:
        return []
    subject = routing.subject_of(event)
    found: dict[str, Recipient] = {}
    for role in routing.roles_for(event):
        if role == routing.HOUSEHOLD and subject is None:
            continue
        for code in routing.units_for(event, role):
            for recipient in resolver.resolve(role, code, subject if role == routing.HOUSEHOLD else None):
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
            _store(uow, [(event, recipients)], email_enabled=email_enabled, now=now)
            uow.commit()
    except Conflict:
        return 0  # another consumer stored the same event between our check and our insert
    return len(recipients)


@dataclass
class Handled:
    """What `handle_events` stored: the events handled now, and those of them with deliveries to send."""

    event_ids: list[str] = field(default_factory=list)
    to_send: list[str] = field(default_factory=list)


def handle_events(
    uow: UnitOfWork,
    *,
    events: Sequence[Event],
    resolver: RecipientResolver,
    email_enabled: bool,
    now: datetime,
) -> Handled:
    """Store what several events cause, once each, in ONE transaction.

    The same outcome as `handle_event` for each event in turn (duplicates, also within the batch, are
    skipped), at the cost of two transactions for the whole batch instead of two per event, and of a
    few statements per batch instead of several per event (ids checked, preferences and subscriptions
    read, rows inserted, each for the whole batch at once). Any error rolls the whole batch back and is
    raised: the caller then handles the events one by one, so a poison event fails alone. Conflict
    means another consumer stored one of them meanwhile.
    """
    with uow:
        seen = uow.processed.seen_among({event.id for event in events})
    todo: dict[str, Event] = {}
    for event in events:
        if event.id not in seen:
            todo.setdefault(event.id, event)
    recipients = {event_id: resolve_recipients(resolver, event) for event_id, event in todo.items()}
    with uow:
        seen = uow.processed.seen_among(todo)
        batch = [(event, recipients[event_id]) for event_id, event in todo.items() if event_id not in seen]
        to_send = _store(uow, batch, email_enabled=email_enabled, now=now)
        uow.commit()
    return Handled([event.id for event, _ in batch], to_send)


@dataclass
class _Rows:
    """The rows a batch of events causes, inserted together at the end."""

    inbox: list[InboxItem] = field(default_factory=list)
    digests: list[DigestEntry] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


def _store(
    uow: UnitOfWork,
    batch: Sequence[tuple[Event, list[Recipient]]],
    *,
    email_enabled: bool,
    now: datetime,
) -> list[str]:
    """Record each event as processed with everything it causes (inside the caller's transaction);
    returns the ids of the events that left deliveries to send."""
    if not batch:
        return []
    usernames = {r.username for _, recipients in batch for r in recipients}
    units = {unit for event, _ in batch if (unit := routing.admin_unit_of(event))}
    prefs = uow.preferences.get_many(usernames)
    user_subs = uow.subscriptions.for_owners("user", usernames)
    unit_subs = uow.subscriptions.for_owners("unit", units)
    rows = _Rows()
    uow.processed.add_many([(event.id, event.type) for event, _ in batch], now)
    for event, recipients in batch:
        for recipient in recipients:
            _notify(rows, event, recipient, prefs, user_subs, email_enabled=email_enabled, now=now)
        unit = routing.admin_unit_of(event)
        sub = unit_subs.get(unit) if unit else None
        if sub is not None and routing.addressee_of(event) is None:  # a personal notice stays personal
            _add_webhook(rows, event, sub, language="vi", now=now)
    uow.inbox.add_many(rows.inbox)
    uow.digests.add_many(rows.digests)
    uow.deliveries.add_many(rows.deliveries)
    return list(dict.fromkeys(d.event_id for d in rows.deliveries))


def _notify(
    rows: _Rows,
    event: Event,
    recipient: Recipient,
    prefs_by_user: dict[str, Preferences],
    subs_by_user: dict[str, WebhookSubscription],
    *,
    email_enabled: bool,
    now: datetime,
) -> None:
    prefs = prefs_by_user.get(recipient.username) or Preferences(recipient.username)
    category = routing.category_of(event.type)
    if prefs.allows(category, "inbox"):
        vi, en = subjects_for(event)
        rows.inbox.append(
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
            rows.digests.append(
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
            rows.deliveries.append(
                _delivery(event.id, recipient.username, "email", recipient.email, prefs.language, notice, now)
            )
    sub = subs_by_user.get(recipient.username)
    if sub is not None and prefs.allows(category, "webhook"):
        _add_webhook(rows, event, sub, language=prefs.language, now=now)


def _add_webhook(
    rows: _Rows, event: Event, sub: WebhookSubscription, *, language: str, now: datetime
) -> None:
    notice = render(event, language)
    delivery = _delivery(event.id, sub.recipient, "webhook", sub.url, language, notice, now)
    body = webhook_body(
        event, recipient=sub.recipient, delivery_id=delivery.id, language=language, notice=notice
    )
    rows.deliveries.append(replace(delivery, body=body, subscription_id=sub.id))


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
