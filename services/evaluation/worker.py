"""Evaluation worker process: its Temporal activities, the recognition case workflow they serve, and its
outbox relay (entrypoint)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner

from common.db import make_engine
from common.outbox import OutboxRelay
from common.startup import wait_for, wait_for_async
from common.temporal_converter import DATA_CONVERTER
from services.evaluation.activities import EvaluationActivities
from services.evaluation.adapters import tables
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import build_storage
from services.evaluation.config import Settings
from workflows import ids
from workflows.alarms import plan_alarms
from workflows.recognition.workflows import RecognitionCaseWorkflow
from workflows.worker import max_cached_workflows, workflow_runner

logger = logging.getLogger(__name__)

# The case workflow runs without the SDK's sandbox here unless this says "on" (docs/architecture.md §13):
# the sandbox costs about a third of this worker's CPU, and the tests and history replays run the same
# workflow code inside it, where a non-deterministic call fails.
CASE_SANDBOX_ENV = "CASE_WORKFLOW_SANDBOX"
_SWITCH = {"on": True, "off": False}


def case_workflow_runner(env: Mapping[str, str] | None = None) -> WorkflowRunner:
    """The runner of the case workflow in this worker: CASE_WORKFLOW_SANDBOX "off" (default) or "on"."""
    raw = (os.environ if env is None else env).get(CASE_SANDBOX_ENV, "off")
    sandboxed = _SWITCH.get(raw.strip().lower())
    if sandboxed is None:
        raise ValueError(f"{CASE_SANDBOX_ENV} must be 'on' or 'off', got {raw!r}")
    return workflow_runner() if sandboxed else UnsandboxedWorkflowRunner()


def build_worker(
    client: Client,
    settings: Settings,
    executor: ThreadPoolExecutor,
    task_queue: str,
    *,
    max_cached: int | None = None,
    runner: WorkflowRunner | None = None,
) -> Worker:
    """The worker of this service (tests pass their own task queue): its activities, and the recognition
    case workflow (ids.CASE_TASK_QUEUE), whose activities are all this service's, so the server hands
    each back with the workflow task that schedules it. `max_cached` as in workflows.worker; `runner` defaults to case_workflow_runner()."""
    engine = make_engine(settings.database_url)
    acts = EvaluationActivities(lambda: SqlUnitOfWork(engine), build_storage(settings))
    return Worker(
        client,
        task_queue=task_queue,
        activities=[*acts.all(), plan_alarms],
        activity_executor=executor,
        workflows=[RecognitionCaseWorkflow],
        workflow_runner=runner or case_workflow_runner(),
        max_cached_workflows=max_cached if max_cached is not None else max_cached_workflows(),
    )


def start_relay(settings: Settings, stop: threading.Event) -> threading.Thread:
    """Run the outbox relay in a thread of this process."""
    relay = OutboxRelay(make_engine(settings.database_url), tables.outbox, settings.common.broker_url)
    thread = threading.Thread(target=relay.run_forever, args=(stop,), name="outbox-relay", daemon=True)
    thread.start()
    return thread


async def main() -> None:
    """Serve activities and case workflows, relay events, until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    wait_for("object store", build_storage(settings).ensure_bucket)
    stop = threading.Event()
    start_relay(settings, stop)
    client = await wait_for_async(
        "temporal",
        lambda: Client.connect(
            settings.common.temporal_address,
            namespace=settings.common.temporal_namespace,
            data_converter=DATA_CONVERTER,
        ),
    )
    with ThreadPoolExecutor(max_workers=16) as executor:
        logger.info("evaluation worker on queue %s", ids.EVALUATION_TASK_QUEUE)
        try:
            await build_worker(client, settings, executor, ids.EVALUATION_TASK_QUEUE).run()
        finally:
            stop.set()


if __name__ == "__main__":
    asyncio.run(main())
