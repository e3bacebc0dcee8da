"""Transactional outbox: events are rows written with the state change, then relayed to the broker."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime

import sqlalchemy as sa
from kombu import Connection
from sqlalchemy import Connection as DbConnection
from sqlalchemy import Engine

from common import events as ev
from common.db import UTCDateTime

logger = logging.getLogger(__name__)


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
    conn.execute(
        table.insert().values(
            event_id=event.id,
            event_type=event.type,
            body=json.dumps(event.to_message(), ensure_ascii=False),
            created_at=datetime.now(UTC),
        )
    )


class OutboxRelay:
    """Publishes unsent outbox rows in order and marks them sent; safe to run in several processes."""

    def __init__(self, engine: Engine, table: sa.Table, broker_url: str, *, batch_size: int = 200) -> None:
        self._engine = engine
        self._table = table
        self._broker_url = broker_url
        self._batch_size = batch_size

    def relay_once(self, connection: Connection) -> int:
        """Publish one batch; returns how many rows were sent."""
        t = self._table
        with self._engine.begin() as db:
            query = sa.select(t.c.seq, t.c.event_type, t.c.event_id, t.c.body).where(
                t.c.published_at.is_(None)
            )
            query = query.order_by(t.c.seq).limit(self._batch_size)
            if db.dialect.name == "postgresql":
                # Two relays never send the same row; each skips what the other holds.
                query = query.with_for_update(skip_locked=True)
            elif db.dialect.name == "sqlite":
                # SQLite has no row locks: take the database's write lock before reading, so a second
                # relay waits for this batch to be marked instead of reading the same rows.
                db.execute(t.update().where(t.c.seq == -1).values(published_at=None))
            rows = db.execute(query).all()
            if not rows:
                return 0
            producer = connection.Producer(exchange=ev.exchange(), serializer="json")
            declared = ev.queues()
            for row in rows:
                # A crash between publish and commit re-sends the row: consumers dedupe on message_id.
                producer.publish(
                    json.loads(row.body),
                    routing_key=row.event_type,
                    message_id=row.event_id,
                    delivery_mode=2,
                    declare=declared,
                    retry=True,
                    retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
                )
            db.execute(
                t.update().where(t.c.seq.in_([r.seq for r in rows])).values(published_at=datetime.now(UTC))
            )
            return len(rows)

    def run_forever(self, stop: threading.Event, *, idle_sleep: float = 0.2) -> None:
        """Relay until `stop` is set; a broker or database outage is logged and retried with backoff."""
        backoff = idle_sleep
        while not stop.is_set():
            try:
                with ev.broker_connection(self._broker_url) as conn:
                    conn.ensure_connection(max_retries=1)
                    backoff = idle_sleep
                    while not stop.is_set():
                        if self.relay_once(conn) == 0:
                            stop.wait(idle_sleep)
            except Exception:
                logger.exception("outbox relay failed; events stay in the outbox and are retried")
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)


def pending_count(engine: Engine, table: sa.Table) -> int:
    """How many events wait to be published (for health and tests)."""
    with engine.connect() as db:
        return int(db.execute(sa.select(sa.func.count()).where(table.c.published_at.is_(None))).scalar_one())
