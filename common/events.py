"""Domain event envelope and broker topology shared by producers and consumers (pure + kombu names)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Exchange, Queue
from kombu.transport.sqlalchemy import Transport as SqlTransport

EXCHANGE_NAME = "learning.events"
NOTIFICATIONS_QUEUE = "notifications.events"


@dataclass(frozen=True)
class Event:
    """One domain event; `id` is the idempotency key every consumer dedupes on."""

    type: str  # routing key, past tense: "case.opened"
    payload: dict[str, Any]
    source: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def to_message(self) -> dict[str, Any]:
        """The JSON body put on the broker."""
        return asdict(self)

    @classmethod
    def from_message(cls, body: dict[str, Any]) -> Event:
        """Rebuild an event from a broker body; raises KeyError/TypeError on a malformed body."""
        return cls(
            type=str(body["type"]),
            payload=dict(body["payload"]),
            source=str(body["source"]),
            id=str(body["id"]),
            occurred_at=str(body["occurred_at"]),
        )


def exchange() -> Exchange:
    """The one durable topic exchange every service publishes to."""
    return Exchange(EXCHANGE_NAME, type="topic", durable=True)


def queues() -> list[Queue]:
    """Every durable consumer queue with its bindings.

    Producers declare these too: on RabbitMQ that keeps events published before the first consumer
    start, and kombu's SQLAlchemy transport keeps bindings per process, so a producer that has not
    declared the binding would route nothing.
    """
    return [Queue(NOTIFICATIONS_QUEUE, exchange(), routing_key="#", durable=True)]


class _PollingSqlTransport(SqlTransport):
    """kombu's SQL transport polling five times a second instead of once.

    Its `polling_interval` transport option cannot be used: that transport hands every option to
    SQLAlchemy's create_engine, which refuses it.
    """

    polling_interval = 0.2


def broker_connection(broker_url: str, **kwargs: Any) -> Connection:
    """A kombu connection: publisher confirms on AMQP, fast polling on the SQL transport."""
    if broker_url.startswith("sqla+"):
        return Connection(broker_url.removeprefix("sqla+"), transport=_PollingSqlTransport, **kwargs)
    options = {"confirm_publish": True} if broker_url.startswith(("amqp", "pyamqp")) else {}
    return Connection(broker_url, transport_options=options, **kwargs)
