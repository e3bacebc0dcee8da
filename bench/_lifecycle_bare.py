"""The bare baseline of bench.case_lifecycle: the recognition case's Temporal shape with no product code.

Same shape as workflows/recognition/workflows.py for one case that goes open -> submit -> village
pass_review -> commune pass_review: two activities at opening (record opened, get schedule), then per
phase (draft, village review, commune review) one local activity (the alarms) and one activity (the
"scheduled" notice) under the lock, a long timer that is cancelled when the phase changes, and one
activity per step update; the client starts it with the same `wait_opened` update
(update-with-start) as the product's POST /cases. Every activity is a no-op. Kept in its own module so that the workflow sandbox
imports only temporalio.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

BARE_WORKFLOW = "BenchBareCase"
ACTIVITY_NAMES = ("bare_opened", "bare_schedule", "bare_step", "bare_alarm")
LOCAL_ACTIVITY = "bare_plan_alarms"
PHASES_WITH_ALARMS = ("draft", "village_review", "commune_review")
NEXT = {"draft": "village_review", "village_review": "commune_review", "commune_review": "awaiting_decision"}
_OPTS = {"start_to_close_timeout": timedelta(seconds=30)}


@activity.defn(name="bare_opened")
async def bare_opened(case_id: str) -> bool:
    return True


@activity.defn(name="bare_schedule")
async def bare_schedule(case_id: str) -> dict:
    return {"case_id": case_id}


@activity.defn(name="bare_step")
async def bare_step(case_id: str) -> bool:
    return True


@activity.defn(name="bare_alarm")
async def bare_alarm(case_id: str) -> bool:
    return True


@activity.defn(name=LOCAL_ACTIVITY)
async def bare_plan_alarms(case_id: str) -> list[str]:
    return ["reminder", "overdue"]


ACTIVITIES = [bare_opened, bare_schedule, bare_step, bare_alarm, bare_plan_alarms]


@workflow.defn(name=BARE_WORKFLOW)
class BareCaseWorkflow:
    """Opening activities, then per phase: alarms (local), the scheduled notice, a cancellable timer."""

    @workflow.init
    def __init__(self, case_id: str) -> None:
        self._case_id = case_id
        self._status = "opening"
        self._version = 0
        self._seq = 0
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, case_id: str) -> str:
        await workflow.execute_activity("bare_opened", case_id, **_OPTS)
        await workflow.execute_activity("bare_schedule", case_id, **_OPTS)
        async with self._lock:
            self._status, self._version = "draft", 1
            self._seq += 1
        while True:  # like the product, the case then waits for the yearly round (never ends here)
            seq = self._seq
            if self._status in PHASES_WITH_ALARMS:
                await workflow.execute_local_activity(
                    LOCAL_ACTIVITY, case_id, start_to_close_timeout=timedelta(seconds=10)
                )
                async with self._lock:
                    if self._seq == seq:
                        await workflow.execute_activity("bare_alarm", case_id, **_OPTS)
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
        """Like the product's: answers once the opening activities have run."""
        await workflow.wait_condition(lambda: self._status != "opening")
        return self._version

    @workflow.update
    async def act(self, expected_version: int) -> int:
        async with self._lock:
            await workflow.execute_activity("bare_step", self._case_id, **_OPTS)
            self._status = NEXT[self._status]
            self._version += 1
            self._seq += 1
            return self._version

    @act.validator
    def _validate(self, expected_version: int) -> None:
        if self._status == "opening":
            raise ApplicationError("opening", type="NotReady", non_retryable=True)
        if expected_version != self._version:
            raise ApplicationError("stale", type="VersionConflict", non_retryable=True)


async def _serve(address: str, task_queue: str) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker

    client = await Client.connect(address)
    worker = Worker(client, task_queue=task_queue, workflows=[BareCaseWorkflow], activities=ACTIVITIES)
    await worker.run()


if __name__ == "__main__":  # `python -m bench._lifecycle_bare <temporal address> <task queue>`
    import sys

    asyncio.run(_serve(sys.argv[1], sys.argv[2]))
