"""Webhook payloads and their HMAC-SHA256 signatures, as senders and receivers compute them (pure)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from common.events import Event
from services.notifications.domain.templates import Rendered

SIGNATURE_HEADER = "X-Learning-Signature-256"  # "sha256=" + hex HMAC-SHA256 of the raw body
DELIVERY_HEADER = "X-Learning-Delivery"  # the delivery id: the same on every re-send, for receivers to dedupe
EVENT_HEADER = "X-Learning-Event"  # the event type
SCOPES = ("user", "unit")


def webhook_body(event: Event, *, recipient: str, delivery_id: str, language: str, notice: Rendered) -> str:
    """The JSON a subscriber receives: the event itself and the notice as the recipient would read it."""
    document: dict[str, Any] = {
        "delivery_id": delivery_id,
        "recipient": recipient,
        "event": event.to_message(),
        "notice": {"language": language, "subject": notice.subject, "body": notice.body},
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver runs: does the header sign exactly these bytes with our shared secret?"""
    return header is not None and hmac.compare_digest(sign(secret, body), header)
