"""Supplementary decisions (quyết định công nhận bổ sung) on the time-skipping server, with the real
evaluation activities on SQLite and rclone's S3: two households are decided by the round's decision; a
third reaches awaiting_decision only after it and is decided by a supplementary decision with its own
number, exactly once; a household in the round's decision is never on the supplementary list; an empty
list is refused and writes nothing; the wrong role, a stale version and a date before the round's
decision are refused; the association closes the round."""

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
from temporalio.exceptions import ApplicationError

from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.domain.model import case_id_for
from services.evaluation.service import audit, rounds
from tests.conftest import assert_eventually
from tests.workflow.yearly_round.test_year import FULL, _phase, _step, _until
from workflows import ids
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

COMMUNE, YEAR, PLAN = "15664", 2027, "van-hoa-2023"
HOUSEHOLDS = ["Nguyễn Văn Hưng", "Trần Thị Hương", "Lê Đức Thắng"]


async def _refused(handle: Any, update: str, arg: Any) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(update, arg, result_type=rc.RoundStep)
    cause = refused.value.cause
    while not isinstance(cause, ApplicationError) and cause is not None:
        cause = cause.cause
    assert isinstance(cause, ApplicationError), refused.value
    return cause


async def _opened_round(stack: dict[str, Any]) -> tuple[Any, str]:
    """The round of COMMUNE, YEAR and PLAN started on the stack's queue and open: its handle and id."""
    workflow_id, round_id = rounds.round_id_for(COMMUNE, YEAR, PLAN)
    handle = await stack["client"].start_workflow(
        rc.WORKFLOW_NAME,
        rc.RoundInput(round_id, COMMUNE, YEAR, PLAN, "can-bo-xa"),
        id=workflow_id,
        task_queue=stack["queue"],
    )
    await _phase(stack["engine"], round_id, rc.OPEN)
    return handle, round_id


async def _settled(handle: Any, engine: sa.Engine, round_id: str, phase: str) -> rc.RoundStatus:
    """The round's status once it is in `phase` in the read model *and* in the workflow: the activity
    writes the phase before the workflow counts its new version, so a version read in between is stale."""
    await _phase(engine, round_id, phase)

    async def moved() -> rc.RoundStatus:
        status = await handle.query("status", result_type=rc.RoundStatus)
        assert status.phase == phase
        return status

    return await assert_eventually(moved)


async def _decided(handle: Any, engine: sa.Engine, env: Any, round_id: str) -> rc.RoundStatus:
    """From the opened round of YEAR to its decision recorded and documented: posted on 16/10, ten days of
    objections, the council's minutes, the chairman's signature on 20/11; the status once it takes
    supplementary decisions."""
    await env.sleep(_until(await env.get_current_time(), YEAR, 10, 16))
    await _phase(engine, round_id, rc.POSTING)
    await env.sleep(timedelta(days=10))
    status = await _settled(handle, engine, round_id, rc.COUNCIL)
    minutes = rc.CouncilMinutes(f"{YEAR}-11-02", "Ông A", "Bà B", ["Ông A", "Bà B", "Ông C"], [], [])
    step = await handle.execute_update(
        "council",
        rc.CouncilInput("can-bo-xa", "commune_association_officer", status.version, minutes),
        result_type=rc.RoundStep,
    )
    sign = rc.SignInput("chu-tich", "commune_chairman", step.version, "Lê Văn Sang", f"{YEAR}-11-20")
    await handle.execute_update("sign", sign, result_type=rc.RoundStep)
    return await _settled(handle, engine, round_id, rc.SUPPLEMENTARY)


async def _to_awaiting_decision(client: Client, wid: str) -> None:
    await _step(client, wid, "submit", "household_representative", 1, scores=FULL)
    await _step(client, wid, "pass_review", "village_officer", 2)
    assert (
        await _step(client, wid, "pass_review", "commune_association_officer", 3)
    ).status == lc.AWAITING_DECISION


def _rows(engine: sa.Engine, query: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(query).mappings().all())


async def test_a_late_case_is_decided_once_by_a_supplementary_decision(stack: dict[str, Any]) -> None:
    client, engine, env = stack["client"], stack["engine"], stack["env"]
    with engine.begin() as conn:
        commune_path = conn.execute(
            sa.select(t.admin_units.c.path).where(t.admin_units.c.code == COMMUNE)
        ).scalar_one()
        village = f"{COMMUNE}.VS1"
        conn.execute(
            t.admin_units.insert().values(
                code=village,
                name="Thôn Vạn Sơn",
                level="village",
                kind="thon",
                parent_code=COMMUNE,
                path=f"{commune_path}/{village}",
            )
        )
        households = []
        for i, name in enumerate(HOUSEHOLDS):
            hid = f"vs-{i}-{uuid.uuid4().hex[:6]}"
            conn.execute(
                t.households.insert().values(
                    id=hid,
                    commune_code=COMMUNE,
                    household_code=hid,
                    village_code=village,
                    head_name=name,
                    address="x",
                )
            )
            households.append(hid)

    handle, round_id = await _opened_round(stack)
    case_wids = []
    for hid in households:
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
            status = await client.get_workflow_handle(wid).query("status", result_type=c.CaseStatus)
            assert status.status == lc.DRAFT

    await assert_eventually(opened, timeout=60)
    # Self-assessment opens on 01/09: no submit before it.
    await env.sleep(_until(await env.get_current_time(), YEAR, 9, 1))
    for wid in case_wids[:2]:  # the third household submits late
        await _to_awaiting_decision(client, wid)

    # The round's decision: posting, council, the chairman's signature, recorded, documents.
    status = await _decided(handle, engine, env, round_id)
    assert status.supplements_until == f"{YEAR}-12-31T23:59:59+07:00"
    main_ids = list(status.decision_ids)
    officer = rc.SupplementInput("can-bo-xa", "commune_association_officer", status.version)

    # Nobody awaits a decision outside the round's decision: refused, nothing written, version unchanged.
    refused = await _refused(handle, "supplement", officer)
    assert refused.type == "NothingToDecide"
    assert len(_rows(engine, sa.select(t.decisions))) == len(main_ids)
    assert (await handle.query("status", result_type=rc.RoundStatus)).version == status.version

    # The late household reaches awaiting_decision after the round's decision.
    await _to_awaiting_decision(client, case_wids[2])
    late = case_id_for(case_wids[2])
    household = rc.SupplementInput("h", "household_representative", status.version)
    assert (await _refused(handle, "supplement", household)).type == "InvalidTransition"
    stale = rc.SupplementInput("can-bo-xa", "commune_association_officer", status.version - 1)
    assert (await _refused(handle, "supplement", stale)).type == "VersionConflict"
    built = await handle.execute_update("supplement", officer, result_type=rc.RoundStep)
    assert (built.phase, built.version) == (rc.SUPPLEMENT_SIGNATURE, status.version + 1)
    [supplementary] = _rows(engine, sa.select(t.decisions).where(t.decisions.c.kind == "supplementary"))
    items = _rows(
        engine, sa.select(t.decision_items).where(t.decision_items.c.decision_id == supplementary["id"])
    )
    assert [i["case_id"] for i in items] == [late]  # never a case of the round's decision
    assert supplementary["status"] == "draft" and supplementary["number"] is None

    # Only the chairman signs, not before the round's decision.
    officer_sign = rc.SignInput(
        "x", "commune_association_officer", built.version, "Lê Văn Sang", f"{YEAR}-12-10"
    )
    assert (await _refused(handle, "sign_supplement", officer_sign)).type == "InvalidTransition"
    early = rc.SignInput("chu-tich", "commune_chairman", built.version, "Lê Văn Sang", f"{YEAR}-11-01")
    assert (await _refused(handle, "sign_supplement", early)).type == "ValidationFailed"
    signed = await handle.execute_update(
        "sign_supplement",
        rc.SignInput("chu-tich", "commune_chairman", built.version, "Lê Văn Sang", f"{YEAR}-12-10"),
        result_type=rc.RoundStep,
    )
    assert signed.phase == rc.RECORDING
    await _settled(handle, engine, round_id, rc.SUPPLEMENTARY)
    assert (await client.get_workflow_handle(case_wids[2]).result())["status"] == lc.RECOGNISED

    # Numbered after the round's decision (01), its own document, one recognition and one entry per case.
    [supplementary] = _rows(engine, sa.select(t.decisions).where(t.decisions.c.kind == "supplementary"))
    assert (supplementary["number"], supplementary["status"]) == (2, "recorded")
    recs = _rows(engine, sa.select(t.recognitions))
    assert sorted(r["subject_id"] for r in recs) == sorted(households)
    [late_rec] = [r for r in recs if r["case_id"] == late]
    assert late_rec["decision_number"] == "02/QĐ-UBND" and late_rec["certificate"]
    decided = _rows(engine, sa.select(t.audit.c.chain).where(t.audit.c.action == "case.decided"))
    assert sorted(r["chain"] for r in decided) == sorted(f"case:{case_id_for(w)}" for w in case_wids)
    events = _rows(engine, sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "case.decided"))
    payloads = [json.loads(e["body"])["payload"] for e in events]
    assert sorted(p["case_id"] for p in payloads) == sorted(case_id_for(w) for w in case_wids)
    assert [p["decision_number"] for p in payloads if p["case_id"] == late] == ["02/QĐ-UBND"]
    chain = [
        r["action"]
        for r in _rows(
            engine,
            sa.select(t.audit.c.action)
            .where(t.audit.c.chain == f"round:{round_id}")
            .order_by(t.audit.c.position),
        )
    ]
    assert chain.count("round.signed") == 4 and chain.count("round.recorded") == 2
    assert chain.count("round.supplementary_list_built") == 1 and chain.count("round.supplements_open") == 2
    files = json.loads(supplementary["documents"])
    assert "minutes" not in files  # the council did not see the late case
    data = b"".join(stack["storage"].iter_object(files["docx"]["key"]))
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Về việc công nhận bổ sung danh hiệu “Gia đình học tập” năm 2027" in text
    assert "Căn cứ Quyết định số 01/QĐ-UBND ngày 20 tháng 11 năm 2027" in text
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert [r[1] for r in rows if r[0].isdigit()] == ["Lê Đức Thắng"]

    # Nobody left: a second supplementary list is refused; the association closes the round.
    status = await handle.query("status", result_type=rc.RoundStatus)
    again = rc.SupplementInput("can-bo-xa", "commune_association_officer", status.version)
    assert (await _refused(handle, "supplement", again)).type == "NothingToDecide"
    close = rc.CloseInput("can-bo-xa", "commune_association_officer", status.version)
    assert (await _refused(handle, "close", rc.CloseInput("h", "village_officer", status.version))).type == (
        "InvalidTransition"
    )
    closed = await handle.execute_update("close", close, result_type=rc.RoundStep)
    assert closed.phase == rc.CLOSED
    result = await handle.result()
    assert result["phase"] == rc.CLOSED and result["recorded"] == 3
    assert len(_rows(engine, sa.select(t.decision_items))) == 3  # each case on one list only
    assert (await asyncio.to_thread(audit.verify_audit, SqlUnitOfWork(engine))).ok
