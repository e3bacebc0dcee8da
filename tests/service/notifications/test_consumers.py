"""The consumer's decisions per message, with a fake message: a dependency outage puts the message back
without counting an attempt; the last failed attempt is dead-lettered; success acks then sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from common.events import Event
from services.notifications.consumers import ATTEMPTS_HEADER, EventConsumer
from services.notifications.domain.model import Recipient
from services.notifications.service import dead_letters, dispatch, inbox
from services.notifications.service.dispatch import Senders
from tests.unit.notifications.fakes import FakeMailer, FakeResolver

UNIT = "26734"
LAN = Recipient("lan", "", "lan@example.vn", "village_officer", UNIT)


@dataclass
class FakeMessage:
    headers: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    delivery_info: dict[str, Any] = field(default_factory=lambda: {"routing_key": "case.submitted"})
    acked: bool = False
    requeued: bool = False

    def ack(self) -> None:
        self.acked = True

    def requeue(self) -> None:
        self.requeued = True


def _consumer(engine: Engine, resolver: FakeResolver, mailer: FakeMailer | None = None) -> EventConsumer:
    return EventConsumer(
        None,
        engine,
        max_attempts=3,
        resolver=resolver,
        senders=Senders(mailer=mailer),  # type: ignore[arg-type]
        outage_pause=(0.01, 0.02),
    )


def _body() -> dict[str, Any]:
    return Event(type="case.submitted", source="e", payload={"admin_unit_code": UNIT}).to_message()


def test_a_handled_event_is_acked_then_its_email_sent(engine: Engine, uow: Any) -> None:
    mailer = FakeMailer()
    message = FakeMessage()
    _consumer(engine, FakeResolver(users=[LAN]), mailer).on_message(_body(), message)  # type: ignore[arg-type]
    assert message.acked and not message.requeued
    assert [m.to for m in mailer.sent] == ["lan@example.vn"]
    assert len(inbox.list_inbox(uow, recipient="lan")) == 1


def test_a_directory_outage_puts_the_message_back_uncounted(engine: Engine, uow: Any) -> None:
    message = FakeMessage()
    _consumer(engine, FakeResolver(users=[LAN], down=True)).on_message(_body(), message)  # type: ignore[arg-type]
    assert message.requeued and not message.acked
    assert dead_letters.list_dead_letters(uow) == []
    assert inbox.list_inbox(uow, recipient="lan") == []


def test_the_last_failed_attempt_is_dead_lettered_and_acked(engine: Engine, uow: Any) -> None:
    message = FakeMessage(headers={ATTEMPTS_HEADER: 2}, properties={"message_id": "m-1"})
    _consumer(engine, FakeResolver()).on_message({"type": "case.submitted"}, message)  # type: ignore[arg-type]
    assert message.acked
    [letter] = dead_letters.list_dead_letters(uow)
    assert (letter.message_id, letter.attempts, letter.routing_key) == ("m-1", 3, "case.submitted")
    assert "KeyError" in letter.error and dispatch.list_deliveries(uow) == []
