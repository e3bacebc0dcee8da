"""The yearly round's workflow tests on the time-skipping server with the real evaluation activities:
SQLite in the module's temporary folder, a bucket of its own on rclone's S3, the workflow worker on a task
queue of the module's own (one stack per module, like its server: tests/workflow/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from common.db import make_engine
from services.evaluation.activities import EvaluationActivities
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from tests.conftest import new_bucket, new_task_queue, seed_reference_data
from workflows import ids
from workflows.worker import build_worker


@pytest.fixture(scope="module")
async def stack(
    temporal_env: WorkflowEnvironment, s3_server: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('round') / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    storage = new_bucket(s3_server, "round")
    client = temporal_env.client
    wf_queue = new_task_queue()
    acts = EvaluationActivities(lambda: SqlUnitOfWork(engine), storage)
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with (
            build_worker(client, wf_queue),
            Worker(
                client,
                task_queue=ids.EVALUATION_TASK_QUEUE,
                activities=acts.all(),
                activity_executor=executor,
            ),
        ):
            yield {
                "client": client,
                "engine": engine,
                "storage": storage,
                "queue": wf_queue,
                "env": temporal_env,
            }
