"""Transactional outbox: events are rows written with the state change, then relayed to the broker."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from amqp.exceptions import MessageNacked
from kombu import Connection, Producer
from kombu.common import maybe_declare
from sqlalchemy import Connection as DbConnection
from sqlalchemy import Engine

from common import events as ev
from common.db import UTCDateTime, read_only_connection

logger = logging.getLogger(__name__)
JSON = "application/json"
CONFIRM_TIMEOUT = 30.0  # seconds the relay waits for the broker to confirm a published batch


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The outbox table, identical in every producing service's schema."""
    return sa.Table(
        "outbox",
        metadata,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True, index=True),
    )


def add_event(conn: DbConnection, table: sa.Table, event: ev.Event) -> None:
    """Write an event inside the caller's transaction; it leaves only if that transaction commits."""
    # Parameters beside the statement, not `.values(...)`: the same statement for every event, so
    # SQLAlchemy compiles it once instead of building and caching a new construct per event.
    conn.execute(
        table.insert(),
        {
            "event_id": event.id,
            "event_type": event.type,
            "body": json.dumps(event.to_message(), ensure_ascii=False),
            "created_at": datetime.now(UTC),
        },
    )


_relay_locks: dict[str, threading.Lock] = {}
_relay_locks_guard = threading.Lock()


def _sqlite_relay_lock(engine: Engine) -> threading.Lock:
    """One lock per SQLite database in this process, shared by every relay on it."""
    key = str(engine.url.database)
    with _relay_locks_guard:
        return _relay_locks.setdefault(key, threading.Lock())


class OutboxRelay:
    """Publishes unsent outbox rows in order and marks them sent; safe to run in several processes."""

    def __init__(self, engine: Engine, table: sa.Table, broker_url: str, *, batch_size: int = 200) -> None:
        self._engine = engine
        self._table = table
        self._broker_url = broker_url
        self._batch_size = batch_size
        self._confirms: _BatchConfirms | None = None

    def relay_once(self, connection: Connection) -> int:
        """Publish one batch; returns how many rows were sent."""
        if not self._has_pending():
            return 0  # idle: checked without taking SQLite's write lock
        if self._engine.dialect.name == "sqlite":
            with _sqlite_relay_lock(self._engine):
                return self._relay_sqlite(connection)
        t = self._table
        with self._engine.begin() as db:
            query = sa.select(t.c.seq, t.c.event_type, t.c.event_id, t.c.body).where(
                t.c.published_at.is_(None)
            )
            query = query.order_by(t.c.seq).limit(self._batch_size)
            if db.dialect.name == "postgresql":
                # Two relays never send the same row; each skips what the other holds.
                query = query.with_for_update(skip_locked=True)
            rows = db.execute(query).all()
            if not rows:
                return 0
            self._publish(connection, rows)
            db.execute(
                t.update().where(t.c.seq.in_([r.seq for r in rows])).values(published_at=datetime.now(UTC))
            )
            return len(rows)

    def _relay_sqlite(self, connection: Connection) -> int:
        """SQLite has one write lock for the whole file: holding it while publishing (broker round
        trips, a whole batch's confirms) would stop every other writer for that long. So the batch is read without it,
        published, then marked in a short write transaction. Relays of one process take turns (an
        in-process lock per database) and never send a row twice; relays in two processes on one file
        may, which consumers absorb (they dedupe on message_id, as after a crash before the mark)."""
        t = self._table
        with read_only_connection(self._engine) as db, db.begin():
            query = sa.select(t.c.seq, t.c.event_type, t.c.event_id, t.c.body).where(
                t.c.published_at.is_(None)
            )
            rows = db.execute(query.order_by(t.c.seq).limit(self._batch_size)).all()
        if not rows:
            return 0
        self._publish(connection, rows)
        with self._engine.begin() as db:
            marked = db.execute(
                t.update()
                .where(t.c.seq.in_([r.seq for r in rows]), t.c.published_at.is_(None))
                .values(published_at=datetime.now(UTC))
            )
            return int(marked.rowcount)

    def _publish(self, connection: Connection, rows: Sequence[sa.Row[Any]]) -> None:
        """Publish the rows; returns once the broker has accepted every one of them (AMQP: confirmed).

        The stored body is sent as it is (it is the JSON of the event), not parsed and re-serialized.
        A crash between publish and mark re-sends the rows: consumers dedupe on message_id."""
        if _confirms_by_batch(connection):
            self._publish_confirmed(connection, rows)
            return
        producer = connection.Producer(exchange=ev.exchange(), serializer="json")
        declared = ev.queues()
        # The embedded (SQL) broker writes the whole batch in one transaction of its database.
        one_transaction = getattr(connection.default_channel, "one_transaction", contextlib.nullcontext)
        with one_transaction():
            for row in rows:
                producer.publish(
                    row.body,
                    **_message_of(row),
                    declare=declared,
                    retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
                )

    def _publish_confirmed(self, connection: Connection, rows: Sequence[sa.Row[Any]]) -> None:
        """AMQP without a confirm per message: publish the whole batch on a channel in confirm mode,
        then wait once until the broker has confirmed every message of it (RabbitMQ's "publishing
        messages in batches" strategy). A nack, a timeout or a lost connection raises, and then no row
        of the batch is marked: the batch is sent again (consumers dedupe on message_id)."""
        if self._confirms is None or not self._confirms.serves(connection):
            self._confirms = _BatchConfirms(connection)
        confirms = self._confirms
        try:
            producer = Producer(confirms.channel, exchange=ev.exchange(), serializer="json")
            for queue in ev.queues():
                maybe_declare(queue, confirms.channel)
            expected = confirms.expect(len(rows))
            for row in rows:
                producer.publish(row.body, **_message_of(row))
            confirms.wait(expected, connection, timeout=CONFIRM_TIMEOUT)
        except BaseException:
            # The channel's numbering may no longer match ours: the next batch gets a fresh channel.
            self._confirms = None
            confirms.close()
            raise

    def _has_pending(self) -> bool:
        t = self._table
        with read_only_connection(self._engine) as db, db.begin():
            query = sa.select(t.c.seq).where(t.c.published_at.is_(None)).limit(1)
            return db.execute(query).first() is not None

    def run_forever(
        self, stop: threading.Event, *, idle_sleep: float = 0.2, gather_sleep: float = 0.2
    ) -> None:
        """Relay until `stop` is set; a broker or database outage is logged and retried with backoff.

        After a batch smaller than `batch_size` the relay waits `gather_sleep` so that the next batch
        gathers several events under one write lock instead of taking it per event (a busy worker's
        events then reach the broker within ~0.2 s, in a fraction of the transactions and commits)."""
        backoff = idle_sleep
        while not stop.is_set():
            try:
                # Confirms are awaited once per batch (`_publish_confirmed`), not once per message.
                with ev.broker_connection(self._broker_url, confirm_each_publish=False) as conn:
                    conn.ensure_connection(max_retries=1)
                    backoff = idle_sleep
                    while not stop.is_set():
                        sent = self.relay_once(conn)
                        if sent == 0:
                            stop.wait(idle_sleep)
                        elif sent < self._batch_size:
                            stop.wait(gather_sleep)
            except Exception:
                logger.exception("outbox relay failed; events stay in the outbox and are retried")
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)


def pending_count(engine: Engine, table: sa.Table) -> int:
    """How many events wait to be published (for health and tests)."""
    with engine.connect() as db:
        return int(db.execute(sa.select(sa.func.count()).where(table.c.published_at.is_(None))).scalar_one())


def _message_of(row: sa.Row[Any]) -> dict[str, Any]:
    """The AMQP properties of an outbox row's message: persistent, its event id as message_id."""
    return {
        "content_type": JSON,
        "content_encoding": "utf-8",
        "routing_key": row.event_type,
        "message_id": row.event_id,
        "delivery_mode": 2,
    }


def _confirms_by_batch(connection: Connection) -> bool:
    """True on an AMQP connection whose channels do not wait for a confirm after each publish."""
    return connection.transport.driver_type == "amqp" and not connection.connection.confirm_publish


class _BatchConfirms:
    """A channel of one AMQP connection in confirm mode, and the publishes it still waits to hear of.

    After `confirm.select` the broker numbers the channel's publishes 1, 2, 3... and confirms each
    (`basic.ack`, or `basic.nack` when it could not take it), possibly several at once (`multiple`).
    """

    def __init__(self, connection: Connection) -> None:
        self.client = connection
        self.transport = connection.connection
        self.channel = connection.channel()
        self.channel.confirm_select()
        self.published = 0
        self.unconfirmed: set[int] = set()
        self.nacked: set[int] = set()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)

    def serves(self, connection: Connection) -> bool:
        """Still usable for this connection (the same socket, the channel open)."""
        return (
            self.client is connection
            and self.transport is connection.connection
            and bool(self.channel.is_open)
        )

    def close(self) -> None:
        """Close the channel, quietly (it may be closed already, with its connection)."""
        try:
            self.channel.close()
        except Exception:  # best effort: a channel given up on
            logger.debug("closing the confirm channel failed", exc_info=True)

    def expect(self, n: int) -> set[int]:
        """The delivery tags the next n publishes on the channel will get."""
        tags = set(range(self.published + 1, self.published + n + 1))
        self.published += n
        self.unconfirmed |= tags
        return tags

    def _settle(self, tag: int, multiple: bool) -> set[int]:
        settled = {t for t in self.unconfirmed if t <= tag} if multiple else {tag} & self.unconfirmed
        self.unconfirmed -= settled
        return settled

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self.nacked |= self._settle(delivery_tag, multiple)

    def wait(self, tags: set[int], connection: Connection, *, timeout: float) -> None:
        """Read from the broker until every tag is confirmed; raise if one was refused or on timeout."""
        deadline = time.monotonic() + timeout
        while tags & self.unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the broker confirmed {len(tags - self.unconfirmed)} of {len(tags)}")
            connection.drain_events(timeout=remaining)
        refused = tags & self.nacked
        self.nacked -= tags
        if refused:
            raise MessageNacked(f"the broker refused {len(refused)} of {len(tags)} messages")
