"""Notification domain records: recipient names of units and subscriptions, the event envelope (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from common.events import Event
from services.notifications.domain.model import WebhookSubscription, unit_recipient


def test_an_admin_unit_is_addressed_as_its_group_recipient() -> None:
    assert unit_recipient("26734") == "unit:26734"


def test_a_subscription_serves_its_user_or_its_unit() -> None:
    now = datetime.now(UTC)
    assert WebhookSubscription("s1", "user", "lan.nguyen", "http://x", "k", now).recipient == "lan.nguyen"
    assert WebhookSubscription("s2", "unit", "26734", "http://x", "k", now).recipient == "unit:26734"


def test_events_survive_the_broker_round_trip() -> None:
    event = Event(type="case.opened", source="evaluation", payload={"a": "Thôn Đông"})
    assert Event.from_message(event.to_message()) == event
