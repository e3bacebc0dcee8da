"""Outbox relay and consumer on the real broker: a broker outage loses nothing, a poison message is
dead-lettered after bounded retries, and concurrent relays never send a row twice."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from amqp.exceptions import MessageNacked
from kombu import Producer, Queue
from kombu.exceptions import OperationalError

from common import events as ev
from common.db import make_engine
from common.outbox import OutboxRelay, add_event, pending_count
from infra.migrate import upgrade
from services.evaluation.adapters import tables as evaluation_tables
from services.notifications.adapters import tables as nt
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.config import Settings as NotificationsSettings
from services.notifications.service import inbox
from tests.conftest import assert_eventually, free_port
from tests.integration.conftest import start_consumer

pytestmark = pytest.mark.integration


def _write_events(engine: sa.Engine, n: int, unit: str) -> list[ev.Event]:
    events = [
        ev.Event(type="case.opened", source="evaluation", payload={"admin_unit_code": unit, "n": i})
        for i in range(n)
    ]
    with engine.begin() as db:
        for event in events:
            add_event(db, evaluation_tables.outbox, event)
    return events


@pytest.fixture
def evaluation_engine(make_database_url: Callable[[str], str]) -> sa.Engine:
    url = make_database_url("evaluation")
    upgrade("evaluation", url)
    return make_engine(url)


@pytest.fixture
def notifications(make_database_url: Callable[[str], str], broker_url: str) -> NotificationsSettings:
    from common.settings import CommonSettings

    url = make_database_url("notifications")
    upgrade("notifications", url)
    return NotificationsSettings(
        database_url=url, common=CommonSettings(broker_url=broker_url), max_delivery_attempts=3
    )


async def test_events_wait_in_the_outbox_while_the_broker_is_down_then_all_arrive_once(
    evaluation_engine: sa.Engine, notifications: NotificationsSettings, broker_url: str
) -> None:
    unit = uuid.uuid4().hex[:8]
    _write_events(evaluation_engine, 25, unit)
    down = OutboxRelay(
        evaluation_engine, evaluation_tables.outbox, f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    )
    stop = threading.Event()
    thread = threading.Thread(target=down.run_forever, args=(stop,), daemon=True)
    thread.start()
    time.sleep(1.0)
    stop.set()
    thread.join(15)
    assert pending_count(evaluation_engine, evaluation_tables.outbox) == 25  # nothing lost, nothing marked

    consumer, consumer_thread = start_consumer(notifications)
    try:
        relay = OutboxRelay(evaluation_engine, evaluation_tables.outbox, broker_url, batch_size=10)
        with ev.broker_connection(broker_url) as conn:
            while relay.relay_once(conn):
                pass
        assert pending_count(evaluation_engine, evaluation_tables.outbox) == 0
        engine = make_engine(notifications.database_url)

        def all_delivered() -> None:
            assert len(inbox.list_inbox(SqlUnitOfWork(engine), recipient=f"unit:{unit}", limit=200)) == 25

        await assert_eventually(all_delivered)
    finally:
        consumer.should_stop = True
        consumer_thread.join(10)


def test_two_relays_at_once_send_each_event_exactly_once(
    evaluation_engine: sa.Engine, broker_url: str
) -> None:
    _write_events(evaluation_engine, 60, "x")
    relays = [
        OutboxRelay(evaluation_engine, evaluation_tables.outbox, broker_url, batch_size=5) for _ in range(2)
    ]
    sent = [0, 0]

    def drain(i: int) -> None:
        with ev.broker_connection(broker_url) as conn:
            while n := _relay_retrying(relays[i], conn):
                sent[i] += n

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert sum(sent) == 60
    assert pending_count(evaluation_engine, evaluation_tables.outbox) == 0


def _relay_retrying(relay: OutboxRelay, conn) -> int:
    # SQLite allows one writer: a relay that finds the file locked waits and tries again.
    for _ in range(50):
        try:
            return relay.relay_once(conn)
        except sa.exc.OperationalError:
            time.sleep(0.05)
    raise AssertionError("database stayed locked")


async def test_a_poison_message_is_dead_lettered_after_bounded_retries(
    notifications: NotificationsSettings, broker_url: str
) -> None:
    consumer, thread = start_consumer(notifications)
    engine = make_engine(notifications.database_url)
    try:
        with ev.broker_connection(broker_url) as conn:
            producer = Producer(conn.channel(), exchange=ev.exchange(), serializer="json")
            producer.publish(
                {"not": "an event"}, routing_key="case.opened", message_id="poison-1", declare=ev.queues()
            )

        def dead_lettered() -> sa.Row:
            with engine.connect() as db:
                rows = db.execute(sa.select(nt.dead_letters)).all()
            assert len(rows) == 1
            return rows[0]

        row = await assert_eventually(dead_lettered)
        assert row.message_id == "poison-1" and row.attempts == 3 and "KeyError" in row.error
        with engine.connect() as db:
            assert db.execute(sa.select(sa.func.count()).select_from(nt.inbox_items)).scalar_one() == 0
    finally:
        consumer.should_stop = True
        thread.join(10)


def _queue_bound_to_everything(conn, **arguments: object) -> Queue:  # type: ignore[no-untyped-def]
    queue = Queue(
        f"test.{uuid.uuid4().hex[:8]}",
        ev.exchange(),
        routing_key="#",
        durable=True,
        queue_arguments=arguments,
    )
    queue(conn.default_channel).declare()
    return queue


def test_the_relay_publishes_a_batch_then_awaits_its_confirms_once(
    evaluation_engine: sa.Engine, broker_url: str
) -> None:
    events = _write_events(evaluation_engine, 25, "x")
    relay = OutboxRelay(evaluation_engine, evaluation_tables.outbox, broker_url, batch_size=10)
    received: list[tuple[str, dict]] = []
    # The connection run_forever uses: on AMQP no confirm per message, the relay confirms each batch.
    with ev.broker_connection(broker_url, confirm_each_publish=False) as conn:
        queue = _queue_bound_to_everything(conn)
        sent = []
        while n := _relay_retrying(relay, conn):
            sent.append(n)
        assert sent == [10, 10, 5]
        assert pending_count(evaluation_engine, evaluation_tables.outbox) == 0

        def on_message(body: dict, message) -> None:  # type: ignore[no-untyped-def]
            received.append((message.properties["message_id"], body))
            message.ack()

        with conn.Consumer([queue], callbacks=[on_message], accept=["json"]):
            deadline = time.monotonic() + 30
            while len(received) < 25 and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
    assert received == [(e.id, e.to_message()) for e in events]  # in order, once each, bodies intact


def test_a_batch_the_broker_refuses_stays_in_the_outbox(
    evaluation_engine: sa.Engine, broker_url: str
) -> None:
    if not broker_url.startswith("amqp"):
        pytest.skip("publisher confirms (and nacks) are RabbitMQ's (it runs in CI's second leg, on RabbitMQ)")
    _write_events(evaluation_engine, 10, "x")
    relay = OutboxRelay(evaluation_engine, evaluation_tables.outbox, broker_url, batch_size=10)
    for confirm_each_publish in (False, True):
        with ev.broker_connection(broker_url, confirm_each_publish=confirm_each_publish) as conn:
            # A full queue that refuses more: the broker nacks the publishes routed to it.
            _queue_bound_to_everything(conn, **{"x-max-length": 3, "x-overflow": "reject-publish"})
            # A confirm per message: kombu's retry publishes the refused one again, then gives up.
            with pytest.raises(MessageNacked if not confirm_each_publish else OperationalError):
                relay.relay_once(conn)
        assert pending_count(evaluation_engine, evaluation_tables.outbox) == 10  # none marked sent
