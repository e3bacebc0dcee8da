"""The consumer as the stack runs it (`python -m services.notifications.consumers`), stopped mid-stream by
SIGTERM or killed by SIGKILL, then restarted: no notice is lost, and at most the one e-mail in flight at
the kill is sent twice, with the same Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import Engine

from services.notifications.adapters import tables as nt
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.config import Settings
from services.notifications.service import dispatch, inbox
from tests.conftest import assert_eventually
from tests.integration.notifications.conftest import (
    TOKEN,
    Directory,
    HttpServer,
    SmtpServer,
    count,
    publish,
    running_consumer,
    submitted,
)

pytestmark = pytest.mark.integration
EVENTS = 40


def _spawn(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NOTIFICATIONS_DATABASE_URL": settings.database_url,
        "BROKER_URL": settings.common.broker_url,
        "EVALUATION_URL": settings.common.evaluation_url,
        "NOTIFICATIONS_SERVICE_TOKEN": TOKEN,
        "NOTIFICATIONS_RECIPIENT_CACHE_SECONDS": "0",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(settings.smtp.port),
        "NOTIFICATIONS_DISPATCH_INTERVAL": "0.2",
        "NOTIFICATIONS_SEND_LEASE_SECONDS": "1",
        "NOTIFICATIONS_MAX_ATTEMPTS": "3",
        # Small batches, so the stop lands between commits even when RabbitMQ hands over all 40 at once.
        "NOTIFICATIONS_BATCH_SIZE": "4",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.notifications.consumers"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_a_consumer_process_stopped_mid_stream_then_restarted_loses_nothing(
    stop_signal: signal.Signals,
    settings: Settings,
    smtp_server: SmtpServer,
    directory: tuple[Directory, HttpServer],
    engine: Engine,
    uow: SqlUnitOfWork,
) -> None:
    directory[0].delay = 0.02  # ~20 ms per event, so the kill lands mid-stream
    events = [submitted() for _ in range(EVENTS)]
    publish(settings.common.broker_url, *events)
    process = _spawn(settings)
    try:
        await assert_eventually(lambda: _at_least(count(engine, nt.processed_events), 8), timeout=30)
        process.send_signal(stop_signal)
        process.wait(15)
    finally:
        if process.poll() is None:
            process.kill()
    if stop_signal == signal.SIGTERM:
        assert process.returncode == 0, process.stderr.read().decode() if process.stderr else ""
    assert count(engine, nt.processed_events) < EVENTS, "stopped mid-stream"
    time.sleep(1.0)  # the lease of a delivery claimed by the killed process runs out

    with running_consumer(settings):
        expected = EVENTS * 2
        await assert_eventually(lambda: _done(engine, smtp_server, expected), timeout=30)
    for user in ("lan", "minh"):
        assert sorted(i.event_id for i in inbox.list_inbox(uow, recipient=user, limit=200)) == sorted(
            e.id for e in events
        )
    ids = smtp_server.message_ids()
    assert len(set(ids)) == EVENTS * 2  # every notice e-mailed
    assert len(ids) <= EVENTS * 2 + (
        1 if stop_signal == signal.SIGKILL else 0
    )  # at most the one in flight twice
    assert len(dispatch.list_deliveries(uow, status="sent", limit=200)) == EVENTS * 2


def _done(engine: Engine, smtp: SmtpServer, expected: int) -> None:
    assert count(engine, nt.inbox_items) == expected
    assert len(set(smtp.message_ids())) == expected


def _at_least(value: int, minimum: int) -> None:
    assert value >= minimum
