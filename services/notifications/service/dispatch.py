"""Use cases: send due deliveries (e-mail, webhooks) outside any transaction, and inspect them (service layer).

Each delivery is claimed in a short transaction (its next attempt is pushed one lease ahead), sent with
no transaction open, then marked sent, failed, or pending again with backoff. A sender that dies between
sending and marking leaves a claimed row that is due again when the lease ends: that one notice is sent
a second time (at-least-once). E-mail carries a Message-ID and webhooks a delivery id that stay the
same on every re-send, so the receiving side can drop the duplicate.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from services.notifications.domain.errors import Conflict, NotFound, SendFailed
from services.notifications.domain.model import FAILED, PENDING, SENT, Delivery
from services.notifications.domain.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign
from services.notifications.service.ports import Mailer, OutgoingEmail, UnitOfWork, WebhookPoster

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class SendPolicy:
    """How hard to try: tries within one dispatch (webhooks), then durable backoff between dispatches."""

    max_attempts: int = 8
    lease: timedelta = timedelta(minutes=5)
    webhook_tries: int = 3
    webhook_wait: float = 0.2  # seconds before the second try, doubling
    webhook_wait_max: float = 2.0
    backoff: timedelta = timedelta(seconds=30)  # before the next dispatch of a failed delivery, doubling
    backoff_max: timedelta = timedelta(hours=1)
    message_id_domain: str = "notifications.hoc-tap.local"


@dataclass(frozen=True)
class Senders:
    """The sending channels this process has; a channel without a sender is left pending."""

    mailer: Mailer | None = None
    webhooks: WebhookPoster | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels that can be sent now."""
        return tuple(c for c, s in (("email", self.mailer), ("webhook", self.webhooks)) if s is not None)


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0


def message_id(delivery: Delivery, domain: str) -> str:
    """The e-mail Message-ID of a delivery: the same on every re-send of it."""
    return f"<{delivery.id}@{domain}>"


def dispatch_due(
    uow: UnitOfWork,
    *,
    senders: Senders,
    policy: SendPolicy,
    clock: Clock = utc_now,
    event_id: str | None = None,
    limit: int = 100,
    event_ids: Sequence[str] | None = None,
) -> DispatchReport:
    """Send the deliveries that are due (optionally only one event's, or some events'), each by one
    claimer only."""
    report = DispatchReport()
    if not senders.channels or (event_ids is not None and not event_ids):
        return report
    with uow:
        due = uow.deliveries.due(
            clock(), channels=senders.channels, limit=limit, event_id=event_id, event_ids=event_ids
        )
    for delivery_id in due:
        claimed = _claim(uow, delivery_id, policy, clock())
        if claimed is None:
            continue  # another dispatcher has it
        delivery, secret = claimed
        tries, error = _send(delivery, secret, senders, policy)
        _finish(uow, delivery, tries, error, policy, clock(), report)
    return report


def _claim(
    uow: UnitOfWork, delivery_id: str, policy: SendPolicy, now: datetime
) -> tuple[Delivery, str | None] | None:
    with uow:
        delivery = uow.deliveries.claim(delivery_id, now, now + policy.lease)
        if delivery is None:
            return None
        secret = None
        if delivery.channel == "webhook" and delivery.subscription_id:
            sub = uow.subscriptions.get(delivery.subscription_id)
            if sub is not None:  # the subscription's current URL and secret
                delivery, secret = replace(delivery, target=sub.url), sub.secret
        uow.commit()
    return delivery, secret


def _send(
    delivery: Delivery, secret: str | None, senders: Senders, policy: SendPolicy
) -> tuple[int, SendFailed | None]:
    """Send once (e-mail) or with a few quick retries (webhook); returns the tries made and the failure."""
    try:
        if delivery.channel == "email":
            assert senders.mailer is not None
            email = OutgoingEmail(
                to=delivery.target,
                subject=delivery.subject,
                body=delivery.body,
                message_id=message_id(delivery, policy.message_id_domain),
                language=delivery.language,
            )
            senders.mailer.send(email)
            return 1, None
        if secret is None:
            return 0, SendFailed("the webhook subscription was removed", permanent=True)
        return _post_webhook(delivery, secret, senders, policy)
    except SendFailed as exc:
        return 1, exc
    except Exception as exc:  # an adapter bug must not stop the other deliveries
        logger.exception("unexpected error sending delivery %s", delivery.id)
        return 1, SendFailed(repr(exc))


def _post_webhook(
    delivery: Delivery, secret: str, senders: Senders, policy: SendPolicy
) -> tuple[int, SendFailed | None]:
    assert senders.webhooks is not None
    body = delivery.body.encode("utf-8")
    headers = {
        SIGNATURE_HEADER: sign(secret, body),
        DELIVERY_HEADER: delivery.id,
        EVENT_HEADER: str(json.loads(delivery.body).get("event", {}).get("type", "")),
    }
    tries = 0
    retrying = Retrying(
        stop=stop_after_attempt(policy.webhook_tries),
        wait=wait_exponential(multiplier=policy.webhook_wait, max=policy.webhook_wait_max),
        retry=retry_if_exception(lambda e: isinstance(e, SendFailed) and not e.permanent),
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                tries += 1
                senders.webhooks.post(delivery.target, body, headers)
    except SendFailed as exc:
        return tries, exc
    return tries, None


def _finish(
    uow: UnitOfWork,
    delivery: Delivery,
    tries: int,
    error: SendFailed | None,
    policy: SendPolicy,
    now: datetime,
    report: DispatchReport,
) -> None:
    attempts = delivery.attempts - 1 + tries  # the claim counted one try already
    if error is None:
        status, next_at = SENT, now
        report.sent += 1
    elif error.permanent or attempts >= policy.max_attempts:
        status, next_at = FAILED, now
        report.failed += 1
        logger.warning("delivery %s failed for good after %s tries: %s", delivery.id, attempts, error)
    else:
        status = PENDING
        next_at = now + min(policy.backoff * 2 ** max(attempts - 1, 0), policy.backoff_max)
        report.retrying += 1
        logger.info("delivery %s failed (try %s), next at %s: %s", delivery.id, attempts, next_at, error)
    with uow:
        uow.deliveries.finish(
            delivery.id,
            status=status,
            extra_attempts=tries - 1,
            next_attempt_at=next_at,
            error=None if error is None else str(error),
            now=now,
        )
        uow.commit()


def list_deliveries(
    uow: UnitOfWork, *, limit: int = 50, offset: int = 0, **filters: str | None
) -> list[Delivery]:
    """Deliveries filtered by event_id, recipient, channel or status, newest first."""
    with uow:
        return list(uow.deliveries.list(limit=limit, offset=offset, **filters))


def retry_delivery(uow: UnitOfWork, *, delivery_id: str, now: datetime) -> Delivery:
    """Make a failed (or waiting) delivery due now with a fresh attempt budget; a sent one stays sent."""
    with uow:
        delivery = uow.deliveries.get(delivery_id)
        if delivery is None:
            raise NotFound(f"Không tìm thấy lượt gửi {delivery_id}.", f"Delivery {delivery_id} not found.")
        if not uow.deliveries.reset(delivery_id, now):
            raise Conflict("Thông báo này đã được gửi.", "This delivery was sent already.")
        uow.commit()
        updated = uow.deliveries.get(delivery_id)
    assert updated is not None
    return updated
