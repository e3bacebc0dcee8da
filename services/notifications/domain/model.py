"""Notifications domain: recipients, inbox items, deliveries, subscriptions, dead letters (pure Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CHANNELS = ("inbox", "email", "webhook")
SENT_CHANNELS = ("email", "webhook")  # the channels a delivery row is sent on, outside any transaction
PENDING, SENT, FAILED = "pending", "sent", "failed"
DELIVERY_STATUSES = (PENDING, SENT, FAILED)
UNIT_PREFIX = "unit:"


@dataclass(frozen=True)
class Recipient:
    """A user the owning service says holds a role over an admin unit."""

    username: str
    full_name: str = ""
    email: str | None = None
    role: str = ""
    scope_code: str = ""
    subject_id: str | None = None  # a household representative's own household


def unit_recipient(admin_unit_code: str) -> str:
    """The recipient name of an admin unit as a whole (its group inbox, its unit webhook)."""
    return f"{UNIT_PREFIX}{admin_unit_code}"


@dataclass(frozen=True)
class InboxItem:
    """One notice in one recipient's inbox; (event_id, recipient) is unique."""

    id: str
    event_id: str
    recipient: str
    event_type: str
    subject_vi: str
    subject_en: str
    case_id: str | None
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """One send of one notice on one channel to one recipient; (event_id, recipient, channel) is unique.

    `event_id` is the event's id, or `digest:<date>` for a daily digest. `target` is the e-mail address
    or the webhook URL; `body` is exactly what is sent (the signed JSON for a webhook).
    """

    id: str
    event_id: str
    recipient: str
    channel: str
    target: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    language: str = "vi"
    subscription_id: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class WebhookSubscription:
    """Where a user's or an admin unit's notices are POSTed, signed with the subscription's secret."""

    id: str
    scope: str  # "user" | "unit"
    owner: str  # a username, or an admin unit code
    url: str
    secret: str
    created_at: datetime

    @property
    def recipient(self) -> str:
        """The delivery recipient this subscription serves."""
        return self.owner if self.scope == "user" else unit_recipient(self.owner)


@dataclass(frozen=True)
class DigestEntry:
    """A deadline notice held back for a user's daily digest e-mail."""

    id: str
    event_id: str
    recipient: str
    email: str  # the address the user had when the notice came
    event_type: str
    case_id: str | None
    payload_json: str
    created_at: datetime
    digest_day: str | None = None  # the day (YYYY-MM-DD, Vietnam time) of the digest that carried it


@dataclass(frozen=True)
class DeadLetter:
    """A message the consumer gave up on, kept for inspection and replay."""

    id: int
    message_id: str | None
    routing_key: str | None
    body: str
    error: str
    attempts: int
    created_at: datetime
    replayed_at: datetime | None = None
