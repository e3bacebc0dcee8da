"""RecognitionCase on the time-skipping server with mock activities registered under their real names."""

from __future__ import annotations

import uuid

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.worker import Worker

from tests.conftest import new_task_queue
from workflows import ids
from workflows.recognition import contracts as c
from workflows.recognition.workflows import RecognitionCaseWorkflow


class Recorder:
    """Mock activities: record what the workflow asked of the evaluation service."""

    def __init__(self) -> None:
        self.opened: list[c.CaseOpenedInput] = []
        self.withdrawn: list[c.CaseWithdrawnInput] = []

    @activity.defn(name=c.RECORD_CASE_OPENED)
    async def record_case_opened(self, inp: c.CaseOpenedInput) -> bool:
        self.opened.append(inp)
        return True

    @activity.defn(name=c.RECORD_CASE_WITHDRAWN)
    async def record_case_withdrawn(self, inp: c.CaseWithdrawnInput) -> bool:
        self.withdrawn.append(inp)
        return True


def _input() -> c.CaseInput:
    return c.CaseInput(case_id=str(uuid.uuid4()), year=2026, title="learning_family",
                       subject_id=f"HH-{uuid.uuid4().hex[:6]}", admin_unit_code="26734", opened_by="tester")


async def test_a_case_is_recorded_opened_then_withdrawn_with_its_reason(client: Client) -> None:
    rec = Recorder()
    wf_queue = new_task_queue()
    inp = _input()
    # Activities are served on the evaluation queue of this test server, as the service's worker would.
    async with Worker(client, task_queue=wf_queue, workflows=[RecognitionCaseWorkflow]), Worker(
        client, task_queue=ids.EVALUATION_TASK_QUEUE, activities=[rec.record_case_opened, rec.record_case_withdrawn]
    ):
        wf_id = ids.recognition_workflow_id(inp.year, inp.title, inp.subject_id)
        handle = await client.start_workflow(RecognitionCaseWorkflow.run, inp, id=wf_id, task_queue=wf_queue)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(RecognitionCaseWorkflow.withdraw, c.WithdrawInput(actor="hh", reason=" "))
        assert "lý do" in str(refused.value.cause)
        status = await handle.execute_update(
            RecognitionCaseWorkflow.withdraw, c.WithdrawInput(actor="hh", reason="Gia đình chuyển đi nơi khác")
        )
        assert status == "withdrawn"
        result = await handle.result()
    assert result == c.CaseResult(case_id=inp.case_id, status="withdrawn")
    assert [o.workflow_id for o in rec.opened] == [wf_id]
    assert rec.withdrawn == [c.CaseWithdrawnInput(case_id=inp.case_id, actor="hh", reason="Gia đình chuyển đi nơi khác")]


async def test_a_second_withdrawal_is_refused_and_recorded_once(client: Client) -> None:
    rec = Recorder()
    wf_queue = new_task_queue()
    inp = _input()
    async with Worker(client, task_queue=wf_queue, workflows=[RecognitionCaseWorkflow]), Worker(
        client, task_queue=ids.EVALUATION_TASK_QUEUE, activities=[rec.record_case_opened, rec.record_case_withdrawn]
    ):
        handle = await client.start_workflow(
            RecognitionCaseWorkflow.run, inp, id=f"test/{uuid.uuid4()}", task_queue=wf_queue
        )
        await handle.execute_update(RecognitionCaseWorkflow.withdraw, c.WithdrawInput(actor="a", reason="r"))
        assert await handle.query(RecognitionCaseWorkflow.status) == "withdrawn"
        await handle.result()
        # The case has closed: a late second withdrawal is refused by the server or the validator.
        with pytest.raises((WorkflowUpdateFailedError, RPCError)):
            await handle.execute_update(RecognitionCaseWorkflow.withdraw, c.WithdrawInput(actor="b", reason="r"))
    assert len(rec.withdrawn) == 1
