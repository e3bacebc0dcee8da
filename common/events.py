"""Domain event envelope and broker topology shared by producers and consumers (pure + kombu names)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from queue import Empty
from typing import Any

from kombu import Connection, Exchange, Queue
from kombu.transport.sqlalchemy import Channel as SqlChannel
from kombu.transport.sqlalchemy import Transport as SqlTransport
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import dumps, loads
from sqlalchemy import text

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


class _LeasedSqlChannel(SqlChannel):
    """kombu's SQL channel, made safe against a consumer killed mid-message.

    The stock channel hides a fetched row and relies on a clean close to put it back, so a SIGKILL
    loses the message; acked rows are never deleted either. Here an ack deletes its row, a clean
    restore deletes the hidden original (kombu re-puts a copy), and a consumer that starts makes the
    rows still hidden in its queues visible again: they belong to a consumer that died. A live peer's
    in-flight message may so be delivered twice; consumers dedupe on the event id.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: dict[str, int] = {}
        self._batch: dict[str, Any] | None = None  # queue name -> its id, while in `one_transaction`
        self._batch_rows: list[dict[str, Any]] = []

    @contextlib.contextmanager
    def one_transaction(self) -> Iterator[None]:
        """Messages published inside are written in one transaction of the broker's database: one
        commit (one fsync) and one queue lookup per queue for the whole batch instead of one each. All
        or none: an error rolls the whole batch back and propagates (the publisher sends it again)."""
        if self._batch is not None:  # nested: the outer batch commits
            yield
            return
        self._batch, self._batch_rows = {}, []
        try:
            yield
            if self._batch_rows:  # one multi-row INSERT (Core), not an ORM flush of N objects
                self.session.execute(self.message_cls.__table__.insert(), self._batch_rows)
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        finally:
            self._batch, self._batch_rows = None, []

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        if self._batch is None:
            super()._put(queue, payload, **kwargs)
            return
        queue_id = self._batch.get(queue)
        if queue_id is None:
            queue_id = self._batch[queue] = self._get_or_create(queue).id
        self._batch_rows.append({"payload": dumps(payload), "queue_id": queue_id})

    def _get(self, queue: str) -> Any:
        obj = self._get_or_create(queue)
        if self.session.bind.name == "sqlite":
            self.session.execute(text("BEGIN IMMEDIATE TRANSACTION"))
        try:
            m = self.message_cls
            msg = (
                self.session.query(m)
                .with_for_update()
                .filter(m.queue_id == obj.id)
                .filter(m.visible.is_not(False))
                .order_by(m.sent_at)
                .order_by(m.id)
                .limit(1)
                .first()
            )
            if msg is None:
                raise Empty()
            msg.visible = False
            payload = loads(bytes_to_str(msg.payload))
            self._rows[payload["properties"]["delivery_tag"]] = msg.id
            return payload
        finally:
            self.session.commit()

    def _forget_row(self, delivery_tag: str) -> None:
        row = self._rows.pop(delivery_tag, None)
        if row is not None:
            self.session.query(self.message_cls).filter(self.message_cls.id == row).delete()
            self.session.commit()

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple)
        self._forget_row(delivery_tag)

    def _restore(self, message: Any) -> None:
        super()._restore(message)
        self._forget_row(message.delivery_tag)

    def basic_consume(self, queue: str, *args: Any, **kwargs: Any) -> Any:
        obj = self._get_or_create(queue)
        m = self.message_cls
        self.session.query(m).filter(m.queue_id == obj.id, m.visible.is_(False)).update(
            {m.visible: True}, synchronize_session=False
        )
        self.session.commit()
        return super().basic_consume(queue, *args, **kwargs)


class _PollingSqlTransport(SqlTransport):
    """kombu's SQL transport polling five times a second instead of once, with leased messages.

    Its `polling_interval` transport option cannot be used: that transport hands every option to
    SQLAlchemy's create_engine, which refuses it.
    """

    Channel = _LeasedSqlChannel
    polling_interval = 0.2


def broker_connection(broker_url: str, *, confirm_each_publish: bool = True, **kwargs: Any) -> Connection:
    """A kombu connection: publisher confirms on AMQP, fast polling on the SQL transport.

    On AMQP every publish waits for the broker's confirm. `confirm_each_publish=False` is for a
    publisher that puts its channel in confirm mode and awaits the confirms itself: the outbox relay
    confirms a whole batch at once (common/outbox.py) before marking any row of it sent.
    """
    if broker_url.startswith("sqla+"):
        return Connection(broker_url.removeprefix("sqla+"), transport=_PollingSqlTransport, **kwargs)
    amqp = broker_url.startswith(("amqp", "pyamqp"))
    options = {"confirm_publish": True} if amqp and confirm_each_publish else {}
    return Connection(broker_url, transport_options=options, **kwargs)
