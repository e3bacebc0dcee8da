"""The bare baseline of bench.case_lifecycle: the recognition case's Temporal shape with no product code.

Same shape as workflows/recognition/workflows.py (its `one-activity-per-step` version) for one case
that goes open -> submit -> village pass_review -> commune pass_review: one activity at opening (the
case written, its schedule answered) and one local activity (the draft's alarms); per step update one
activity, preceded by a local activity (the new phase's alarms) when the step begins a phase with a
deadline (village review, commune review); each phase waits on a long timer cancelled when the phase
changes. The client starts it with the same `wait_opened` update (update-with-start) as the product's
POST /cases. 4 activities, 3 local activities, 4 updates per case. Every activity is a no-op. Kept in
its own module so that the workflow sandbox imports only temporalio.

The workflow and its activities are served on one task queue from one process (the server hands an
activity straight back with the workflow task that scheduled it: eager dispatch, as the evaluation
worker serves the case workflow beside its activities), in the SDK's sandbox ("sandboxed", its default)
or without it ("unsandboxed", as the evaluation worker runs the case workflow: docs/architecture.md §13).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

BARE_WORKFLOW = "BenchBareCase"
ACTIVITY_NAMES = ("bare_open", "bare_step")
LOCAL_ACTIVITY = "bare_plan_alarms"
PHASES_WITH_ALARMS = ("draft", "village_review", "commune_review")
NEXT = {"draft": "village_review", "village_review": "commune_review", "commune_review": "awaiting_decision"}
_OPTS = {"start_to_close_timeout": timedelta(seconds=30)}


@activity.defn(name="bare_open")
async def bare_open(case_id: str) -> dict:
    return {"case_id": case_id}


@activity.defn(name="bare_step")
async def bare_step(case_id: str) -> bool:
    return True


@activity.defn(name=LOCAL_ACTIVITY)
async def bare_plan_alarms(case_id: str) -> list[str]:
    return ["reminder", "overdue"]


ACTIVITIES = [bare_open, bare_step, bare_plan_alarms]


@workflow.defn(name=BARE_WORKFLOW)
class BareCaseWorkflow:
    """Opening activity and alarms, then per phase a cancellable timer; each step one activity."""

    @workflow.init
    def __init__(self, case_id: str) -> None:
        self._case_id = case_id
        self._status = "opening"
        self._version = 0
        self._seq = 0
        self._lock = asyncio.Lock()

    async def _alarms(self) -> list[str]:
        return await workflow.execute_local_activity(
            LOCAL_ACTIVITY, self._case_id, start_to_close_timeout=timedelta(seconds=10)
        )

    @workflow.run
    async def run(self, case_id: str) -> str:
        await workflow.execute_activity("bare_open", case_id, **_OPTS)
        await self._alarms()
        async with self._lock:
            self._status, self._version = "draft", 1
            self._seq += 1
        while True:  # like the product, the case then waits for the yearly round (never ends here)
            seq = self._seq
            if self._status in PHASES_WITH_ALARMS:
                try:
                    await workflow.wait_condition(
                        lambda seq=seq: self._seq != seq, timeout=timedelta(days=30)
                    )
                    continue
                except TimeoutError:
                    pass
            await workflow.wait_condition(lambda seq=seq: self._seq != seq)

    @workflow.update
    async def wait_opened(self) -> int:
        """Like the product's: answers once the opening activity has run."""
        await workflow.wait_condition(lambda: self._status != "opening")
        return self._version

    @workflow.update
    async def act(self, expected_version: int) -> int:
        async with self._lock:
            to_status = NEXT[self._status]
            if to_status in PHASES_WITH_ALARMS:
                await self._alarms()  # the new phase's alarms, before its step is written
            await workflow.execute_activity("bare_step", self._case_id, **_OPTS)
            self._status = to_status
            self._version += 1
            self._seq += 1
            return self._version

    @act.validator
    def _validate(self, expected_version: int) -> None:
        if self._status == "opening":
            raise ApplicationError("opening", type="NotReady", non_retryable=True)
        if expected_version != self._version:
            raise ApplicationError("stale", type="VersionConflict", non_retryable=True)


async def _serve(address: str, task_queue: str, runner: str) -> None:
    from temporalio.client import Client
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    client = await Client.connect(address)
    extra = {"workflow_runner": UnsandboxedWorkflowRunner()} if runner == "unsandboxed" else {}
    worker = Worker(
        client, task_queue=task_queue, workflows=[BareCaseWorkflow], activities=ACTIVITIES, **extra
    )
    await worker.run()


if (
    __name__ == "__main__"
):  # `python -m bench._lifecycle_bare <temporal address> <task queue> [sandboxed|unsandboxed]`
    import sys

    asyncio.run(_serve(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "sandboxed"))
