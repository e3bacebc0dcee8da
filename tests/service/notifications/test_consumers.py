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


def _consumer(
    engine: Engine, resolver: FakeResolver, mailer: FakeMailer | None = None, batch_size: int = 1
) -> EventConsumer:
    return EventConsumer(
        None,
        engine,
        max_attempts=3,
        resolver=resolver,
        senders=Senders(mailer=mailer),  # type: ignore[arg-type]
        outage_pause=(0.01, 0.02),
        batch_size=batch_size,
    )


def _body(unit: str = UNIT) -> dict[str, Any]:
    return Event(type="case.submitted", source="e", payload={"admin_unit_code": unit}).to_message()


@dataclass
class PoisonResolver(FakeResolver):
    """Fails (not an outage) for one unit: the event of that unit is poison."""

    poison_unit: str = "99999"

    def resolve(self, role: str, admin_unit_code: str, subject_id: str | None = None) -> list[Recipient]:
        if admin_unit_code == self.poison_unit:
            raise ValueError("poison")
        return super().resolve(role, admin_unit_code, subject_id)


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


def test_a_batch_is_held_until_full_then_committed_and_each_message_acked(engine: Engine, uow: Any) -> None:
    mailer = FakeMailer()
    consumer = _consumer(engine, FakeResolver(users=[LAN]), mailer, batch_size=3)
    messages = [FakeMessage() for _ in range(3)]
    bodies = [_body() for _ in range(3)]
    consumer.on_message(bodies[0], messages[0])  # type: ignore[arg-type]
    consumer.on_message(bodies[1], messages[1])  # type: ignore[arg-type]
    assert not any(m.acked for m in messages)  # nothing acked before its batch commits
    assert inbox.list_inbox(uow, recipient="lan") == []
    consumer.on_message(bodies[2], messages[2])  # type: ignore[arg-type]
    assert all(m.acked and not m.requeued for m in messages)
    assert len(inbox.list_inbox(uow, recipient="lan")) == 3 and len(mailer.sent) == 3
    assert consumer.handled == 3


def test_a_redelivered_event_in_a_batch_changes_nothing(engine: Engine, uow: Any) -> None:
    mailer = FakeMailer()
    body = _body()
    consumer = _consumer(engine, FakeResolver(users=[LAN]), mailer, batch_size=3)
    first = [FakeMessage() for _ in range(3)]
    for message in first:  # the same event three times in one batch (duplicate deliveries)
        consumer.on_message(body, message)  # type: ignore[arg-type]
    again = FakeMessage()
    consumer.on_message(body, again)  # type: ignore[arg-type]
    consumer.flush()  # a partial batch, e.g. after `batch_wait`
    assert all(m.acked for m in [*first, again])
    assert len(inbox.list_inbox(uow, recipient="lan")) == 1 and len(mailer.sent) == 1


def test_a_poison_event_in_a_batch_fails_alone(engine: Engine, uow: Any) -> None:
    consumer = _consumer(engine, PoisonResolver(users=[LAN]), batch_size=3)
    good = [FakeMessage(), FakeMessage()]
    poison = FakeMessage(headers={ATTEMPTS_HEADER: 2}, properties={"message_id": "bad"})
    consumer.on_message(_body(), good[0])  # type: ignore[arg-type]
    consumer.on_message(_body("99999"), poison)  # type: ignore[arg-type]
    consumer.on_message(_body(), good[1])  # type: ignore[arg-type]
    assert all(m.acked for m in [*good, poison])
    assert len(inbox.list_inbox(uow, recipient="lan")) == 2
    [letter] = dead_letters.list_dead_letters(uow)
    assert (letter.message_id, letter.attempts) == ("bad", 3) and "poison" in letter.error


def test_an_outage_puts_the_whole_batch_back_uncounted(engine: Engine, uow: Any) -> None:
    consumer = _consumer(engine, FakeResolver(users=[LAN], down=True), batch_size=2)
    messages = [FakeMessage(), FakeMessage()]
    for message in messages:
        consumer.on_message(_body(), message)  # type: ignore[arg-type]
    assert all(m.requeued and not m.acked for m in messages)
    assert dead_letters.list_dead_letters(uow) == [] and inbox.list_inbox(uow, recipient="lan") == []


def test_a_partial_batch_is_committed_after_batch_wait_or_on_stop(engine: Engine, uow: Any) -> None:
    consumer = _consumer(engine, FakeResolver(users=[LAN]), batch_size=50)
    waiting = FakeMessage()
    consumer.on_message(_body(), waiting)  # type: ignore[arg-type]
    consumer.on_iteration()  # right away: still waiting for more
    assert not waiting.acked
    consumer._pending_since -= 1.0  # as if batch_wait had passed
    consumer.on_iteration()
    assert waiting.acked
    last = FakeMessage()
    consumer.on_message(_body(), last)  # type: ignore[arg-type]
    consumer.on_consume_end(None, None)
    assert last.acked and len(inbox.list_inbox(uow, recipient="lan")) == 2
