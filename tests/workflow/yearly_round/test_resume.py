"""The round's workflow with mock activities under their real names (time-skipping server): the move to
council refused because an objection slipped in (the round waits and moves once told), `objections_close`
kept across continue-as-new, the round closed by itself when its year ends (nobody asked for a
supplementary decision), and an Update to the ended round refused by Temporal with NOT_FOUND (which
the service answers as 409)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.conftest import assert_eventually, new_task_queue
from workflows import ids
from workflows.worker import build_worker
from workflows.yearly_round import contracts as rc

PAST = "2000-01-01T00:00:00+07:00"
CLOSE = "2000-01-08T23:59:59+07:00"
PAGES = 6  # more than PAGES_PER_RUN: the recording continues as new


class Activities:
    """The evaluation service's round activities, recorded; the first move to council is refused."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, bool]] = []
        self.pages = 0

    def all(self) -> list[Any]:
        @activity.defn(name=rc.RECORD_ROUND_OPENED)
        async def opened(inp: rc.RoundOpenedInput) -> rc.RoundSchedule:
            return rc.RoundSchedule(PAST, PAST, PAST, PAST, 5, True)

        @activity.defn(name=rc.RECORD_ROUND_PHASE)
        async def phase(inp: rc.RoundPhaseInput) -> rc.PhaseResult:
            moved = not (inp.phase == rc.COUNCIL and (rc.COUNCIL, False) not in self.phases)
            self.phases.append((inp.phase, moved))
            return rc.PhaseResult(objections_close=CLOSE, moved=moved)

        @activity.defn(name=rc.BUILD_DECISION_LIST)
        async def build(round_id: str) -> rc.DecisionList:
            return rc.DecisionList(["decision-1"], 1, 0)

        @activity.defn(name=rc.OPEN_OBJECTIONS)
        async def open_objections(round_id: str) -> int:
            return 0

        @activity.defn(name=rc.RECORD_COUNCIL)
        async def council(inp: rc.CouncilRecordInput) -> bool:
            return True

        @activity.defn(name=rc.RECORD_SIGNATURE)
        async def sign(inp: rc.SignRecordInput) -> bool:
            return True

        @activity.defn(name=rc.RECORD_DECISION_PAGE)
        async def page(inp: rc.DecisionPageInput) -> rc.DecisionPage:
            self.pages += 1
            return rc.DecisionPage([], [], str(self.pages), 1, self.pages >= PAGES)

        @activity.defn(name=rc.GENERATE_DECISION_DOCUMENTS)
        async def documents(decision_id: str) -> dict:
            return {}

        @activity.defn(name=rc.GENERATE_CERTIFICATE_PAGE)
        async def certificates(inp: rc.DecisionPageInput) -> rc.CertificatePage:
            return rc.CertificatePage("", 0, True)

        return [opened, phase, build, open_objections, council, sign, page, documents, certificates]


async def test_council_waits_for_a_slipped_objection_and_objections_close_survives_continue_as_new(
    temporal_env: WorkflowEnvironment,
) -> None:
    client: Client = temporal_env.client
    acts, queue = Activities(), new_task_queue()
    wid = f"yearly-round/test/{uuid.uuid4()}"
    async with (
        build_worker(client, queue),
        Worker(client, task_queue=ids.EVALUATION_TASK_QUEUE, activities=acts.all()),
    ):
        handle = await client.start_workflow(
            rc.WORKFLOW_NAME,
            rc.RoundInput("round-1", "15664", 2027, "van-hoa-2023", "t"),
            id=wid,
            task_queue=queue,
        )
        first_run = handle.result_run_id

        async def refused_once() -> None:
            assert (rc.COUNCIL, False) in acts.phases
            status = await handle.query("status", result_type=rc.RoundStatus)
            assert (status.phase, status.version, status.objections_close) == (rc.POSTING, 3, CLOSE)

        await assert_eventually(refused_once)
        await handle.signal(rc.OBJECTIONS_CHANGED_SIGNAL)  # the objection was resolved

        async def in_council() -> rc.RoundStatus:
            status = await handle.query("status", result_type=rc.RoundStatus)
            assert status.phase == rc.COUNCIL
            return status

        status = await assert_eventually(in_council)
        assert status.version == 4  # the refused move changed nothing
        minutes = rc.CouncilMinutes("2027-10-20", "Ông A", "Bà B", ["Ông A", "Bà B"], [], [])
        step = await handle.execute_update(
            "council",
            rc.CouncilInput("officer", "commune_association_officer", 4, minutes),
            result_type=rc.RoundStep,
        )
        sign = rc.SignInput("chu-tich", "commune_chairman", step.version, "Lê Văn Sang", "2027-12-15")
        await handle.execute_update("sign", sign, result_type=rc.RoundStep)

        async def supplementary() -> None:  # the decision recorded: supplementary decisions until 31/12
            status = await client.get_workflow_handle(wid).query("status", result_type=rc.RoundStatus)
            assert (status.phase, status.supplements_until) == (rc.SUPPLEMENTARY, "2027-12-31T23:59:59+07:00")

        await assert_eventually(supplementary)
        # Nobody closes it: the round closes itself when its year ends.
        now = await temporal_env.get_current_time()
        await temporal_env.sleep(datetime.fromisoformat("2028-01-01T00:00:00+07:00") - now)
        result = await client.get_workflow_handle(wid, result_type=rc.RoundResult).result()
        assert (result.phase, result.recorded) == (rc.CLOSED, PAGES)
        assert [p for p, _ in acts.phases[-3:]] == [rc.DOCUMENTS, rc.SUPPLEMENTARY, rc.CLOSED]

        latest = client.get_workflow_handle(wid)
        described = await latest.describe()
        assert described.run_id != first_run  # it did continue as new
        status = await latest.query("status", result_type=rc.RoundStatus)
        assert (status.phase, status.objections_close) == (rc.CLOSED, CLOSE)

        with pytest.raises(RPCError) as ended:  # what the service maps to 409
            await latest.execute_update("sign", sign, result_type=rc.RoundStep)
        assert ended.value.status == RPCStatusCode.NOT_FOUND
