"""The embedded stack assembled in-process on real servers: Temporal dev server, rclone S3, databases,
broker; the services' Flask apps, their workers, the outbox relay and the consumer."""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from flask.testing import FlaskClient
from temporalio.testing import WorkflowEnvironment

from common import events as ev
from common.settings import CommonSettings
from infra.migrate import upgrade
from services.evaluation import worker as evaluation_worker
from services.evaluation.app import build_storage
from services.evaluation.app import create_app as create_evaluation
from services.evaluation.config import Settings as EvaluationSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.config import Settings as NotificationsSettings
from services.notifications.consumers import EventConsumer
from tests.conftest import activate_open_window_plan, seed_reference_data
from tests.signin import FAST_ARGON2, create_user, login, username_for
from workflows import ids
from workflows.worker import build_worker as build_workflow_worker

pytestmark = pytest.mark.integration


@dataclass
class Stack:
    """Handles on one running in-process stack."""

    common: CommonSettings
    evaluation_settings: EvaluationSettings
    notifications_settings: NotificationsSettings
    evaluation: FlaskClient
    notifications: FlaskClient
    consumer: EventConsumer
    signed_in: dict[str, dict[str, str]] = field(default_factory=dict)

    def sign_in(self, *, role: str, scope_code: str | None, username: str | None = None) -> dict[str, str]:
        """Headers of an evaluation user of `role` over `scope_code` (created and signed in once)."""
        username = username or username_for(role, scope_code)
        if username not in self.signed_in:
            create_user(
                self.evaluation_settings.database_url, role=role, scope_code=scope_code, username=username
            )
            self.signed_in[username] = login(self.evaluation, username)
        return self.signed_in[username]


def start_consumer(settings: NotificationsSettings) -> tuple[EventConsumer, threading.Thread]:
    """Run the notifications consumer in a thread until its should_stop is set."""
    from common.db import make_engine

    conn = ev.broker_connection(settings.common.broker_url)
    consumer = EventConsumer(
        conn, make_engine(settings.database_url), max_attempts=settings.max_delivery_attempts
    )
    thread = threading.Thread(target=consumer.run, name="consumer", daemon=True)
    thread.start()
    return consumer, thread


@pytest.fixture
def common_settings(
    temporal_dev: WorkflowEnvironment, s3_server: dict[str, Any], broker_url: str
) -> CommonSettings:
    """Addresses of this test's real servers, with a bucket of its own."""
    target = temporal_dev.client.service_client.config.target_host
    return CommonSettings(
        broker_url=broker_url,
        temporal_address=target,
        s3_endpoint=s3_server["endpoint"],
        s3_access_key=s3_server["access_key"],
        s3_secret_key=s3_server["secret_key"],
        evidence_bucket=f"evidence-{uuid.uuid4().hex[:10]}",
    )


@pytest.fixture
async def stack(
    temporal_dev: WorkflowEnvironment,
    common_settings: CommonSettings,
    make_database_url: Callable[[str], str],
) -> AsyncIterator[Stack]:
    """The evaluation and notifications services with every worker, on real components."""
    ev_settings = EvaluationSettings(
        database_url=make_database_url("evaluation"), common=common_settings, **FAST_ARGON2
    )
    nt_settings = NotificationsSettings(
        database_url=make_database_url("notifications"), common=common_settings
    )
    seed_reference_data(ev_settings.database_url)
    activate_open_window_plan(ev_settings.database_url)  # cases of OPEN_YEAR can be submitted today
    upgrade("notifications", nt_settings.database_url)
    build_storage(ev_settings).ensure_bucket()

    stop = threading.Event()
    relay_thread = evaluation_worker.start_relay(ev_settings, stop)
    consumer, consumer_thread = start_consumer(nt_settings)
    client = temporal_dev.client
    with ThreadPoolExecutor(max_workers=8) as executor:
        act_worker = evaluation_worker.build_worker(client, ev_settings, executor, ids.EVALUATION_TASK_QUEUE)
        wf_worker = build_workflow_worker(client)
        async with act_worker, wf_worker:
            yield Stack(
                common=common_settings,
                evaluation_settings=ev_settings,
                notifications_settings=nt_settings,
                evaluation=create_evaluation(ev_settings).test_client(),
                notifications=create_notifications(nt_settings).test_client(),
                consumer=consumer,
            )
    stop.set()
    consumer.should_stop = True
    relay_thread.join(10)
    consumer_thread.join(10)


def with_settings(settings: Any, **changes: Any) -> Any:
    """A copy of a settings dataclass with some common addresses changed."""
    return replace(settings, common=replace(settings.common, **changes))
