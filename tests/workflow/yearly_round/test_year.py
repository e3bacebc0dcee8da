"""A whole year of the Vạn Hòa plan on the time-skipping server, with the real evaluation activities on
SQLite and rclone's S3: the round opens and reminds, cases are opened and reviewed (one never submitted:
reminded, overdue, escalated), the list is posted, an objection is filed, assigned and upheld, the
council's minutes and the chairman's signature are Updates (refused before history when wrong), the
decision is recorded on every case (their workflows end in their outcome) and the documents are stored:
the DOCX is opened and its annex read."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from datetime import timedelta
from typing import Any

import docx
import pytest
import sqlalchemy as sa
from temporalio.client import Client, WorkflowUpdateFailedError

from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.model import case_id_for
from services.evaluation.service import audit, round_steps, rounds
from services.evaluation.service.steps import Actor
from tests.conftest import assert_eventually
from tests.signin import create_user
from workflows import ids
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

COMMUNE, YEAR, PLAN = "15664", 2027, "van-hoa-2023"
FULL = {
    i.code: (i.max_points if i.max_points is not None else True)
    for i in get_criteria_set("gia-dinh-hoc-tap", "2023.1").indicators_for(None)
}
HOUSEHOLDS = [("Nguyễn Văn Hưng", 0), ("Trần Thị Hương", 0), ("Lê Đức Thắng", 1), ("Phạm Thị Mỹ", 1)]


class Signals:
    """The service's gateway for signals, sending on the test's event loop."""

    def __init__(self, client: Client, loop: asyncio.AbstractEventLoop) -> None:
        self._client, self._loop = client, loop

    def signal(self, workflow_id: str, signal: str, arg: Any = None) -> None:
        handle = self._client.get_workflow_handle(workflow_id)
        asyncio.run_coroutine_threadsafe(handle.signal(signal), self._loop).result(30)


async def _step(client: Client, wid: str, action: str, role: str, version: int, **kw: Any) -> c.StepResult:
    step = c.StepInput(action=action, actor=f"{role}-1", role=role, expected_version=version, **kw)
    return await client.get_workflow_handle(wid).execute_update("act", step, result_type=c.StepResult)


async def _phase(engine: sa.Engine, round_id: str, phase: str) -> None:
    async def reached() -> None:
        with engine.connect() as conn:
            assert (
                conn.execute(sa.select(t.rounds.c.phase).where(t.rounds.c.id == round_id)).scalar() == phase
            )

    await assert_eventually(reached, timeout=60)


async def test_a_year_of_van_hoa(stack: dict[str, Any]) -> None:
    client, engine, env = stack["client"], stack["engine"], stack["env"]
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    villages = []
    with engine.begin() as conn:
        commune_path = conn.execute(
            sa.select(t.admin_units.c.path).where(t.admin_units.c.code == COMMUNE)
        ).scalar_one()
        for n in (1, 2):
            code = f"{COMMUNE}.VH{n}"
            conn.execute(
                t.admin_units.insert().values(
                    code=code,
                    name=f"Thôn Vạn Hòa {n}",
                    level="village",
                    kind="thon",
                    parent_code=COMMUNE,
                    path=f"{commune_path}/{code}",
                )
            )
            villages.append(code)
        ids_ = []
        for i, (name, v) in enumerate(HOUSEHOLDS):
            hid = f"vh-{i}-{uuid.uuid4().hex[:6]}"
            conn.execute(
                t.households.insert().values(
                    id=hid,
                    commune_code=COMMUNE,
                    household_code=hid,
                    village_code=villages[v],
                    head_name=name,
                    address="x",
                )
            )
            ids_.append(hid)

    workflow_id, round_id = rounds.round_id_for(COMMUNE, YEAR, PLAN)
    round_handle = await client.start_workflow(
        "YearlyRound",
        rc.RoundInput(round_id, COMMUNE, YEAR, PLAN, "can-bo-xa"),
        id=workflow_id,
        task_queue=stack["queue"],
    )
    await _phase(engine, round_id, rc.OPEN)

    case_wids = []
    for hid in ids_:
        wid = ids.recognition_workflow_id(YEAR, "learning_family", hid)
        await client.start_workflow(
            "RecognitionCase",
            c.CaseInput(case_id_for(wid), YEAR, "learning_family", hid, COMMUNE, "can-bo-thon", PLAN),
            id=wid,
            task_queue=stack["queue"],
        )
        case_wids.append(wid)

    async def opened() -> None:
        for wid in case_wids:
            assert (
                await client.get_workflow_handle(wid).query("status", result_type=c.CaseStatus)
            ).status == lc.DRAFT

    await assert_eventually(opened, timeout=60)
    # Self-assessment opens on 01/09: no submit before it.
    await env.sleep(_until(await env.get_current_time(), YEAR, 9, 1))
    for wid in case_wids[:3]:  # the fourth household never submits
        await _step(client, wid, "submit", "household_representative", 1, scores=FULL)
        await _step(client, wid, "pass_review", "village_officer", 2)
        assert (
            await _step(client, wid, "pass_review", "commune_association_officer", 3)
        ).status == lc.AWAITING_DECISION

    # Skip to the end of the self-assessment window and on: the posting starts.
    now = await env.get_current_time()
    await env.sleep(_until(now, YEAR, 10, 16))
    await _phase(engine, round_id, rc.POSTING)
    late = case_id_for(case_wids[3])
    with engine.connect() as conn:
        progress = (
            conn.execute(sa.select(t.case_progress).where(t.case_progress.c.case_id == late)).mappings().one()
        )
        alarms = (
            conn.execute(sa.select(t.audit.c.action).where(t.audit.c.chain == f"case:{late}")).scalars().all()
        )
        reminders = (
            conn.execute(sa.select(t.outbox.c.event_type).where(t.outbox.c.event_type.like("round.%")))
            .scalars()
            .all()
        )
    assert progress["overdue"] and "deadline.reminder" in alarms and "deadline.overdue" in alarms
    assert {"round.opened", "round.reminder_due", "round.self_assessment_closed", "round.posted"} <= set(
        reminders
    )
    with engine.connect() as conn:
        reminder = json.loads(
            conn.execute(
                sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "round.reminder_due")
            ).scalar_one()
        )["payload"]
    # Told to the village officers of every village, with the day self-assessment closes.
    assert reminder["due_at"] and reminder["village_codes"] and reminder["waiting"] >= 0

    # An objection about the third household: filed, assigned (to an officer of the commune), upheld.
    create_user(str(engine.url), role="village_officer", scope_code=COMMUNE, username="can-bo-thon-2")
    gw = Signals(client, asyncio.get_running_loop())
    officer = Actor("can-bo-xa", "commune_association_officer")
    third = case_id_for(case_wids[2])
    obj = await asyncio.to_thread(
        round_steps.file_objection,
        uow(),
        gw,
        round_id=round_id,
        actor=officer,
        filed_by="Ông Đỗ Văn Tâm, thôn 2",
        content="Gia đình có con bỏ học",
        case_id=third,
        now=await env.get_current_time(),  # the round's clock, not the wall clock
    )
    obj = await asyncio.to_thread(
        round_steps.assign_objection,
        uow(),
        gw,
        round_id=round_id,
        objection_id=obj["id"],
        actor=officer,
        assignee="can-bo-thon-2",
        expected_version=1,
    )
    await asyncio.to_thread(
        round_steps.resolve_objection,
        uow(),
        gw,
        round_id=round_id,
        objection_id=obj["id"],
        actor=officer,
        resolution="Xác minh đúng",
        upheld=True,
        expected_version=2,
    )
    await env.sleep(timedelta(days=10))  # past the five working days of the posting
    await _phase(engine, round_id, rc.COUNCIL)

    status = await round_handle.query("status", result_type=rc.RoundStatus)
    minutes = rc.CouncilMinutes(
        met_on=f"{YEAR}-11-02",
        chair="Ông Lê Văn Sang",
        secretary="Bà Trần Thị Hà",
        attendance=["Ông Lê Văn Sang", "Bà Trần Thị Hà", "Ông Đỗ Văn Minh"],
        absent=[],
        votes=[rc.Vote(case_id_for(case_wids[0]), 3, 0, 0)],
    )
    with pytest.raises(WorkflowUpdateFailedError):  # a household may not record the minutes
        await round_handle.execute_update(
            "council",
            rc.CouncilInput("h", "household_representative", status.version, minutes),
            result_type=rc.RoundStep,
        )
    with pytest.raises(WorkflowUpdateFailedError):  # stale version
        await round_handle.execute_update(
            "council",
            rc.CouncilInput("x", "commune_association_officer", status.version - 1, minutes),
            result_type=rc.RoundStep,
        )
    step = await round_handle.execute_update(
        "council",
        rc.CouncilInput("can-bo-xa", "commune_association_officer", status.version, minutes),
        result_type=rc.RoundStep,
    )
    assert step.phase == rc.AWAITING_SIGNATURE
    sign = rc.SignInput("chu-tich", "commune_chairman", step.version, "Lê Văn Sang", f"{YEAR}-12-15")
    with pytest.raises(WorkflowUpdateFailedError):  # only the chairman signs
        await round_handle.execute_update(
            "sign",
            rc.SignInput("x", "commune_association_officer", step.version, "Lê Văn Sang", f"{YEAR}-12-15"),
            result_type=rc.RoundStep,
        )
    signed = await round_handle.execute_update("sign", sign, result_type=rc.RoundStep)
    assert signed.phase == rc.RECORDING
    result = await round_handle.result()
    assert result["phase"] == rc.CLOSED and result["recorded"] == 3

    outcomes = [(await client.get_workflow_handle(w).result())["status"] for w in case_wids[:3]]
    assert outcomes == [lc.RECOGNISED, lc.RECOGNISED, lc.NOT_RECOGNISED]
    with engine.connect() as conn:
        recs = conn.execute(sa.select(t.recognitions)).mappings().all()
        decision = conn.execute(sa.select(t.decisions)).mappings().one()
    assert sorted(r["subject_id"] for r in recs) == sorted(ids_[:2]) and all(r["certificate"] for r in recs)
    assert (await asyncio.to_thread(audit.verify_audit, uow())).ok

    files = json.loads(decision["documents"])
    data = b"".join(stack["storage"].iter_object(files["docx"]["key"]))
    document = docx.Document(io.BytesIO(data))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    listed = [r for r in rows if r[0].isdigit()]
    assert [(r[1], r[2]) for r in listed] == [
        ("Nguyễn Văn Hưng", "Thôn Vạn Hòa 1"),
        ("Trần Thị Hương", "Thôn Vạn Hòa 1"),
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ngày 15 tháng 12 năm 2027" in text and "Gia đình học tập" in text


def _until(now: Any, year: int, month: int, day: int) -> timedelta:
    from datetime import datetime

    from common.workdays import VIETNAM_TZ

    return datetime(year, month, day, 12, 0, tzinfo=VIETNAM_TZ) - now
