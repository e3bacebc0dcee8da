"""The workflow worker: runs every workflow in workflows/ on the workflow task queue (entrypoint)."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.worker import Worker

from common.settings import CommonSettings
from common.startup import wait_for_async
from workflows import ids
from workflows.alarms import plan_alarms
from workflows.recognition.workflows import RecognitionCaseWorkflow

WORKFLOWS = [RecognitionCaseWorkflow]


def build_worker(client: Client, task_queue: str = ids.WORKFLOW_TASK_QUEUE) -> Worker:
    """A worker serving every workflow (tests pass their own task queue)."""
    # plan_alarms is a local activity of the workflows (pure date arithmetic).
    return Worker(client, task_queue=task_queue, workflows=WORKFLOWS, activities=[plan_alarms])


async def main() -> None:
    """Connect and serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = CommonSettings.from_env()
    client = await wait_for_async(
        "temporal", lambda: Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    )
    logging.getLogger(__name__).info(
        "workflow worker on %s, queue %s", settings.temporal_address, ids.WORKFLOW_TASK_QUEUE
    )
    await build_worker(client).run()


if __name__ == "__main__":
    asyncio.run(main())
