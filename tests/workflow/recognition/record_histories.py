"""Record RecognitionCase histories with the current code, for test_replay.py (not a test).

`python -m tests.workflow.recognition.record_histories v4` writes histories/case_v4_*.json: a case
through every step with the more-evidence loop, a late self-assessment escalated then submitted, a
withdrawal, and (since v4) a case opened after its deadline and whole escalation chain, on the
time-skipping server with the mock evaluation activities of test_workflows.py.
Record a new version whenever the workflow's commands change (a new `CaseInput.shape` since v3; v2
was behind `workflow.patched`), and keep the older files: running cases replay them.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from tests.conftest import start_workflow_environment
from tests.workflow.recognition.test_workflows import PAST_WINDOW, Evaluation, _act
from workflows import ids
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc
from workflows.recognition.workflows import RecognitionCaseWorkflow
from workflows.worker import build_worker

HISTORIES = Path(__file__).parent / "histories"
QUEUE = "record-histories"


async def _record(version: str) -> dict[str, str]:
    env = await start_workflow_environment("time-skipping")
    out: dict[str, str] = {}
    try:
        worker = Worker(env.client, task_queue=ids.EVALUATION_TASK_QUEUE, activities=Evaluation().all())
        async with build_worker(env.client, QUEUE), worker:

            async def start(name: str, prefix: str = "HH-") -> WorkflowHandle:
                inp = c.CaseInput(
                    case_id=str(uuid.uuid4()),
                    year=2026,
                    title="learning_family",
                    subject_id=f"{prefix}{name}",
                    admin_unit_code="15664",
                    opened_by="t",
                    shape=c.CURRENT_SHAPE,
                )
                handle = await env.client.start_workflow(
                    RecognitionCaseWorkflow.run,
                    inp,
                    id=ids.recognition_workflow_id(2026, inp.title, inp.subject_id),
                    task_queue=QUEUE,
                )
                while (await handle.query(RecognitionCaseWorkflow.status)).status != lc.DRAFT:
                    await asyncio.sleep(0.05)
                return handle

            h = await start("full")
            await _act(h, "save_draft", lc.HOUSEHOLD, 1, scores={"1.1": 10})
            await _act(h, "submit", lc.VILLAGE, 2, scores={"1.1": 10}, on_behalf_of="HH-1")
            await _act(h, "adjust_score", lc.VILLAGE, 3, scores={"1.1": 8}, indicator_code="1.1", reason="x")
            await env.sleep(timedelta(days=6))  # the village review's reminder
            await _act(h, "pass_review", lc.VILLAGE, 4)
            await _act(h, "request_evidence", lc.COMMUNE, 5, reason="Cần bản sao giấy khen")
            await _act(h, "provide_evidence", lc.HOUSEHOLD, 6)
            await _act(h, "pass_review", lc.COMMUNE, 7)
            out["full"] = (await h.fetch_history()).to_json()

            h = await start("late")
            await env.sleep(timedelta(days=16))  # reminder, overdue, every escalation step
            await _act(h, "submit", lc.HOUSEHOLD, 1, scores={"a": 1})
            out["late"] = (await h.fetch_history()).to_json()

            h = await start("withdrawn")
            await _act(h, "withdraw", lc.HOUSEHOLD, 1, reason="Gia đình chuyển đi nơi khác")
            await h.result()
            out["withdrawn"] = (await h.fetch_history()).to_json()

            h = await start("opened-late", prefix=PAST_WINDOW)  # every alarm of the draft due at once
            await env.sleep(timedelta(hours=1))
            await _act(h, "submit", lc.HOUSEHOLD, 1, scores={"a": 1})
            out["opened-late"] = (await h.fetch_history()).to_json()
    finally:
        await env.shutdown()
    return out


def main(version: str) -> None:
    for name, text in asyncio.run(_record(version)).items():
        path = HISTORIES / f"case_{version}_{name}.json"
        path.write_text(json.dumps(json.loads(text), separators=(",", ":")), encoding="utf-8")
        print(path, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
    os._exit(0)  # the SDK's runtime threads can abort the interpreter's finalisation; nothing is left to do
