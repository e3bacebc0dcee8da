"""The workflow worker: runs every workflow in workflows/ on the workflow task queue (entrypoint)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from common.settings import CommonSettings
from common.startup import wait_for_async
from common.temporal_converter import DATA_CONVERTER
from workflows import ids
from workflows.alarms import plan_alarms
from workflows.annual_report.workflows import AnnualReportWorkflow
from workflows.nomination_round.workflows import NominationRoundWorkflow
from workflows.recognition.workflows import RecognitionCaseWorkflow
from workflows.yearly_round.workflows import YearlyRoundWorkflow

WORKFLOWS = [RecognitionCaseWorkflow, YearlyRoundWorkflow, AnnualReportWorkflow, NominationRoundWorkflow]

# Cases wait weeks between steps: a workflow evicted from the cache costs one short replay when its
# next step comes, while every cached one holds its sandbox in memory (≈ 0.4 MB each).
DEFAULT_MAX_CACHED_WORKFLOWS = 500
MAX_CACHED_ENV = "WORKFLOW_MAX_CACHED_WORKFLOWS"

# Side-effect-free modules the workflows import: shared with the host instead of being re-imported
# into every workflow run's sandbox (the workflow modules themselves stay sandboxed).
PASSTHROUGH_MODULES = (
    "workflows.ids",
    "workflows.retry",
    "workflows.recognition.contracts",
    "workflows.recognition.lifecycle",
    "workflows.recognition.state",
    "common.workdays",
)


def max_cached_workflows(env: Mapping[str, str] | None = None) -> int:
    """How many workflows the worker keeps in memory: WORKFLOW_MAX_CACHED_WORKFLOWS, default 500."""
    raw = (os.environ if env is None else env).get(MAX_CACHED_ENV, str(DEFAULT_MAX_CACHED_WORKFLOWS))
    value = int(raw)
    if value < 1:
        raise ValueError(f"{MAX_CACHED_ENV} must be at least 1, got {raw}")
    return value


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox with our own pure modules passed through."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    return SandboxedWorkflowRunner(restrictions=restrictions)


def build_worker(
    client: Client, task_queue: str = ids.WORKFLOW_TASK_QUEUE, *, max_cached: int | None = None
) -> Worker:
    """A worker serving every workflow (tests pass their own task queue); `max_cached` defaults to
    WORKFLOW_MAX_CACHED_WORKFLOWS from the environment."""
    # plan_alarms is a local activity of the workflows (pure date arithmetic).
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[plan_alarms],
        workflow_runner=workflow_runner(),
        max_cached_workflows=max_cached if max_cached is not None else max_cached_workflows(),
    )


async def main() -> None:
    """Connect and serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = CommonSettings.from_env()
    client = await wait_for_async(
        "temporal",
        lambda: Client.connect(
            settings.temporal_address, namespace=settings.temporal_namespace, data_converter=DATA_CONVERTER
        ),
    )
    logging.getLogger(__name__).info(
        "workflow worker on %s, queue %s, at most %d cached workflows",
        settings.temporal_address,
        ids.WORKFLOW_TASK_QUEUE,
        max_cached_workflows(),
    )
    await build_worker(client).run()


if __name__ == "__main__":
    asyncio.run(main())
