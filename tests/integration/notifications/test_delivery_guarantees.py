"""Never lost, never doubled, on the real broker and a real SMTP server: duplicate deliveries, a consumer
stopped mid-stream, the user directory down, the broker down (events waiting in the outbox), SMTP down."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from common import events as ev
from common.db import make_engine
from common.outbox import OutboxRelay, add_event, outbox_table, pending_count
from services.notifications.adapters import tables as nt
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.config import Settings
from services.notifications.service import dead_letters, dispatch, inbox
from tests.conftest import assert_eventually, free_port
from tests.integration.notifications.conftest import (
    Directory,
    HttpServer,
    SmtpServer,
    TcpProxy,
    count,
    publish,
    running_consumer,
    submitted,
)

pytestmark = pytest.mark.integration
OFFICERS = ("lan", "minh")  # the village officers over the commune; each event tells both


async def everything_delivered(engine: Engine, smtp: SmtpServer, events: int, timeout: float = 30) -> None:
    """Every officer's inbox item and e-mail of `events` events arrived and nothing waits to be sent."""
    expected = events * len(OFFICERS)

    def check() -> None:
        assert count(engine, nt.inbox_items) == expected
        assert len(smtp.received) >= expected
        with engine.connect() as db:
            assert (
                db.execute(sa.select(nt.deliveries.c.id).where(nt.deliveries.c.status != "sent")).first()
                is None
            )

    await assert_eventually(check, timeout=timeout)


def assert_exactly_once(uow: SqlUnitOfWork, smtp: SmtpServer, events: list[ev.Event]) -> None:
    """One inbox item, one e-mail (one Message-ID, sent on the first try) per event and officer."""
    for user in OFFICERS:
        items = inbox.list_inbox(uow, recipient=user, limit=200)
        assert sorted(i.event_id for i in items) == sorted(e.id for e in events)
    assert len(smtp.message_ids()) == len(set(smtp.message_ids())) == len(events) * len(OFFICERS)
    per_address = Counter(str(m["To"]) for m in smtp.received)
    assert per_address == {f"{u}@xa.example.vn": len(events) for u in OFFICERS}
    sent = dispatch.list_deliveries(uow, status="sent", limit=200)
    assert len(sent) == len(events) * len(OFFICERS) and {d.attempts for d in sent} == {1}


async def test_duplicate_deliveries_to_two_consumers_give_one_item_and_one_email_per_recipient(
    settings: Settings, smtp_server: SmtpServer, engine: Engine, uow: SqlUnitOfWork
) -> None:
    events = [submitted() for _ in range(10)]
    publish(settings.common.broker_url, *events, times=3)  # as three relay crashes before commit would
    with running_consumer(settings), running_consumer(settings):
        await everything_delivered(engine, smtp_server, len(events))
        await asyncio.sleep(0.5)  # a late duplicate would show itself now
    assert_exactly_once(uow, smtp_server, events)
    assert count(engine, nt.processed_events) == 10 and dead_letters.list_dead_letters(uow) == []


async def test_a_consumer_stopped_mid_stream_and_restarted_loses_and_doubles_nothing(
    settings: Settings, smtp_server: SmtpServer, engine: Engine, uow: SqlUnitOfWork
) -> None:
    events = [submitted() for _ in range(30)]
    publish(settings.common.broker_url, *events)
    with running_consumer(settings, batch_size=3) as first:  # small batches: the stop lands mid-stream
        await assert_eventually(lambda: _at_least(first.handled, 5))
    assert count(engine, nt.processed_events) < 30, "stopped mid-stream"
    with running_consumer(settings):
        await everything_delivered(engine, smtp_server, len(events))
    assert_exactly_once(uow, smtp_server, events)


async def test_while_the_directory_is_down_messages_wait_and_none_is_dead_lettered(
    settings: Settings,
    smtp_server: SmtpServer,
    engine: Engine,
    uow: SqlUnitOfWork,
    directory: tuple[Directory, HttpServer],
) -> None:
    _, server = directory
    server.stop()  # the evaluation service is unreachable: its port is closed
    events = [submitted() for _ in range(5)]
    publish(settings.common.broker_url, *events)
    with running_consumer(settings) as consumer:
        await asyncio.sleep(1.0)  # several redeliveries, more than max_attempts
        assert consumer.handled == 0 and count(engine, nt.inbox_items) == 0
        assert dead_letters.list_dead_letters(uow) == []
        server.start()  # back on the same port
        await everything_delivered(engine, smtp_server, len(events))
    assert_exactly_once(uow, smtp_server, events)
    assert dead_letters.list_dead_letters(uow) == []


async def test_events_produced_while_the_broker_is_down_all_arrive_once(
    settings: Settings,
    smtp_server: SmtpServer,
    engine: Engine,
    uow: SqlUnitOfWork,
    make_database_url: Callable[[str], str],
) -> None:
    producer_db = make_engine(make_database_url("producer"))
    outbox = outbox_table(sa.MetaData())
    outbox.create(producer_db)
    events = [submitted() for _ in range(8)]
    with producer_db.begin() as db:
        for event in events:
            add_event(db, outbox, event)
    down = OutboxRelay(producer_db, outbox, f"amqp://guest:guest@127.0.0.1:{free_port()}//")
    stop = threading.Event()
    thread = threading.Thread(target=down.run_forever, args=(stop,), daemon=True)
    thread.start()
    await asyncio.sleep(0.5)
    stop.set()
    thread.join(15)
    assert pending_count(producer_db, outbox) == 8  # nothing lost while it was down

    with running_consumer(settings):
        relay = OutboxRelay(producer_db, outbox, settings.common.broker_url)
        with ev.broker_connection(settings.common.broker_url) as conn:
            while relay.relay_once(conn):
                pass
        await everything_delivered(engine, smtp_server, len(events))
    assert_exactly_once(uow, smtp_server, events)
    producer_db.dispose()


async def test_an_smtp_outage_keeps_emails_pending_until_it_is_back(
    settings: Settings, smtp_server: SmtpServer, engine: Engine, uow: SqlUnitOfWork
) -> None:
    closed = replace(settings, smtp=replace(settings.smtp, port=free_port()))
    events = [submitted() for _ in range(3)]
    publish(settings.common.broker_url, *events)
    with running_consumer(closed):
        await assert_eventually(lambda: _at_least(count(engine, nt.inbox_items), 6))
        await assert_eventually(lambda: _at_least(len(dispatch.list_deliveries(uow, status="pending")), 6))
    waiting = dispatch.list_deliveries(uow, status="pending")
    assert {d.attempts for d in waiting} == {1} and all(
        "SMTP unavailable" in (d.last_error or "") for d in waiting
    )
    with engine.begin() as db:  # due now instead of after the 30 s backoff
        db.execute(nt.deliveries.update().values(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC)))
    with running_consumer(settings):
        await everything_delivered(engine, smtp_server, len(events))
    assert sorted((d.status, d.attempts) for d in dispatch.list_deliveries(uow)) == [("sent", 2)] * 6
    assert len(set(smtp_server.message_ids())) == len(smtp_server.received) == 6


def _at_least(value: int, minimum: int) -> None:
    assert value >= minimum


async def test_a_consumer_whose_broker_connection_drops_mid_stream_reconnects_and_loses_nothing(
    settings: Settings, smtp_server: SmtpServer, engine: Engine, uow: SqlUnitOfWork
) -> None:
    broker = urlsplit(settings.common.broker_url)
    if broker.scheme != "amqp":
        pytest.skip(
            "kombu's SQL transport has no connection to drop: its broker is a database file "
            "(it runs in CI's second leg, on RabbitMQ)"
        )
    proxy = TcpProxy(broker.port or 5672)
    proxy.up()
    via_proxy = replace(
        settings,
        common=replace(
            settings.common,
            broker_url=broker._replace(
                netloc=f"{broker.username}:{broker.password}@127.0.0.1:{proxy.port}"
            ).geturl(),
        ),
    )
    events = [submitted() for _ in range(30)]
    try:
        with running_consumer(via_proxy) as consumer:
            publish(settings.common.broker_url, *events[:15])
            await assert_eventually(lambda: _at_least(consumer.handled, 5))
            proxy.down()  # the broker is gone for the consumer, with messages delivered but unacked
            publish(settings.common.broker_url, *events[15:])
            await asyncio.sleep(0.5)
            proxy.up()
            await everything_delivered(engine, smtp_server, len(events))
    finally:
        proxy.down()
    assert_exactly_once(uow, smtp_server, events)
