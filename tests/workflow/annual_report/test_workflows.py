"""AnnualReport on the time-skipping server with the real workflow worker and the real evaluation
activities on a SQLite database: a report submitted on time; a late one reminded, overdue, escalated
along the plan's chain, then submitted late; village reports rolled up into their commune's.

The seed plans run to 2030; each test uploads a copy under its own code whose period runs to 2099, so the
report year is always the next one on the server's clock whatever the date the suite runs on.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from common.db import make_engine
from common.workdays import VIETNAM_TZ
from services.evaluation.activities import EvaluationActivities
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.plans import PLANS_DIR
from services.evaluation.service import plans
from tests.conftest import assert_eventually, new_task_queue, seed_reference_data
from tests.service.evaluation import report_world as rw
from workflows import ids
from workflows.annual_report import contracts as c
from workflows.annual_report.workflows import AnnualReportWorkflow
from workflows.worker import build_worker

THO_BINH, TRIEU_SON = "15667", "15664"  # two communes of Thanh Hóa (38), where both plans apply


def _test_plan(url: str, seed: str) -> str:
    """The seed plan under a new code with its period stretched to 2099 (activated)."""
    raw = yaml.safe_load((PLANS_DIR / f"{seed}.yaml").read_text(encoding="utf-8"))
    raw["code"] = f"{seed}-t{uuid.uuid4().hex[:6]}"
    raw["period"]["end_year"] = 2099
    raw["period"]["phases"][-1]["end_year"] = 2099
    for award in raw["award_rounds"]:
        if award["kind"] == "tong_ket" and award.get("year") == 2030:
            award["year"] = 2099
    engine = make_engine(url)
    stored, _ = plans.upload_plan(
        SqlUnitOfWork(engine), document=yaml.safe_dump(raw, allow_unicode=True), uploaded_by="t"
    )
    plans.activate_plan(SqlUnitOfWork(engine), code=stored.code, version=stored.version)
    engine.dispose()
    return stored.code


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('annual') / 'evaluation.db'}"
    seed_reference_data(url)
    return url


@pytest.fixture(scope="module")
async def workers(temporal_env: WorkflowEnvironment, database: str) -> AsyncIterator[str]:
    """The workflow worker and the real evaluation activities, once for the module (see the recognition
    tests: a worker stopped between tests could stall the time-skipping clock)."""
    client: Client = temporal_env.client
    wf_queue = new_task_queue()
    engine = make_engine(database)
    acts = EvaluationActivities(lambda: SqlUnitOfWork(engine))
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
            yield wf_queue


async def _start(env: WorkflowEnvironment, queue: str, plan: str, year: int, unit: str) -> Any:
    inp = c.ReportInput(plan_code=plan, year=year, unit_code=unit, started_by="admin")
    return await env.client.start_workflow(
        AnnualReportWorkflow.run, inp, id=ids.annual_report_workflow_id(plan, year, unit), task_queue=queue
    )


async def _opened(handle: Any) -> c.ReportStatus:
    async def check() -> c.ReportStatus:
        status = await handle.query(AnnualReportWorkflow.status)
        assert status.status == c.OPEN
        return status

    return await assert_eventually(check)


def _row(url: str, plan: str, unit: str) -> dict[str, Any]:
    engine = make_engine(url)
    with engine.connect() as db:
        ar = t.annual_reports
        row = db.execute(sa.select(ar).where(ar.c.plan_code == plan, ar.c.unit_code == unit)).mappings().one()
        sub = db.execute(sa.select(t.report_submissions).where(t.report_submissions.c.report_id == row["id"]))
        out = {**row, "submission": sub.mappings().first()}
    engine.dispose()
    return out


def _events(url: str, report_id: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    with engine.connect() as db:
        rows = db.execute(sa.select(t.outbox).order_by(t.outbox.c.seq)).mappings().all()
    engine.dispose()
    found = []
    for r in rows:
        payload = json.loads(r["body"])["payload"]
        if payload.get("report_id") == report_id:
            found.append({"type": r["event_type"], **payload})
    return found


def _audit(url: str, report_id: str) -> list[str]:
    return [action for action, _ in _audit_reasons(url, report_id)]


def _audit_reasons(url: str, report_id: str) -> list[tuple[str, str | None]]:
    engine = make_engine(url)
    with engine.connect() as db:
        log = t.audit
        q = sa.select(log.c.action, log.c.reason)
        q = q.where(log.c.chain == f"report:{report_id}").order_by(log.c.position)
        entries = [(action, reason) for action, reason in db.execute(q)]
    engine.dispose()
    return entries


async def _now(env: WorkflowEnvironment) -> datetime:
    return (await env.get_current_time()).astimezone(VIETNAM_TZ)


async def test_a_report_submitted_on_time(
    temporal_env: WorkflowEnvironment, workers: str, database: str
) -> None:
    plan = _test_plan(database, "van-hoa-2023")
    rw.add_households(database, THO_BINH, "T1", 4)
    rw.add_case(database, year=(await _now(temporal_env)).year + 1, commune=THO_BINH, village="T1")
    year = (await _now(temporal_env)).year + 1
    handle = await _start(temporal_env, workers, plan, year, THO_BINH)
    status = await _opened(handle)
    assert status.due_at.startswith(f"{year}-12-04T23:59:59")  # "trước ngày 5/12": the 4th is the last day
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(
            AnnualReportWorkflow.submit, c.SubmitInput(actor="x", role="commune_chairman", expected_version=7)
        )
    result = await handle.execute_update(
        AnnualReportWorkflow.submit,
        c.SubmitInput(
            actor="can-bo-xa", role="commune_association_officer", expected_version=1, note="Đúng hạn"
        ),
    )
    assert (result.status, result.version, result.on_time) == (c.SUBMITTED, 2, True)
    outcome = await handle.result()
    assert outcome.status == c.SUBMITTED and outcome.on_time is True
    row = _row(database, plan, THO_BINH)
    assert row["status"] == c.SUBMITTED and row["on_time"] is True and row["overdue"] is False
    figures = json.loads(row["submission"]["figures"])
    family = next(x for x in figures["totals"] if x["title"] == "learning_family")
    assert (family["recognised"], family["population"]) == (1, 4)
    assert row["submission"]["note"] == "Đúng hạn" and len(row["submission"]["sha256"]) == 64
    assert _audit(database, row["id"]) == ["report.opened", "report.submitted"]
    assert [e["type"] for e in _events(database, row["id"])] == ["report.submitted"]


async def test_a_late_report_is_reminded_overdue_escalated_then_late(
    temporal_env: WorkflowEnvironment, workers: str, database: str
) -> None:
    plan = _test_plan(database, "van-hoa-2023")
    year = (await _now(temporal_env)).year + 1
    handle = await _start(temporal_env, workers, plan, year, TRIEU_SON)
    await _opened(handle)
    report_id = c.report_id_for(ids.annual_report_workflow_id(plan, year, TRIEU_SON))
    # Past the deadline and every escalation step (commune_chairman: 5 working days after 4/12).
    target = datetime(year, 12, 20, 9, tzinfo=VIETNAM_TZ)
    await temporal_env.sleep(target - await _now(temporal_env))

    def chased() -> list[dict[str, Any]]:
        events = _events(database, report_id)
        assert len(events) == 4, events
        return events

    events = await assert_eventually(chased)
    assert [(e["type"], e["kind"], e["role"]) for e in events] == [
        ("report.reminder_due", "reminder", "commune_association_officer"),
        ("report.overdue", "overdue", "commune_association_officer"),
        # The plan's chain from the commune up: the village officer is not chased for a commune's report.
        ("report.overdue", "escalated", "commune_association_officer"),
        ("report.overdue", "escalated", "commune_chairman"),
    ]
    assert all(e["admin_unit_code"] == TRIEU_SON for e in events)
    reminder = date.fromisoformat(events[0]["due_at"][:10])
    assert reminder == date(year, 12, 4)
    row = _row(database, plan, TRIEU_SON)
    assert row["overdue"] is True and row["escalated_to_role"] == "commune_chairman"
    result = await handle.execute_update(
        AnnualReportWorkflow.submit,
        c.SubmitInput(actor="chu-tich", role="commune_chairman", expected_version=1, note="Nộp muộn"),
    )
    assert result.on_time is False
    assert (await handle.result()).on_time is False
    assert _row(database, plan, TRIEU_SON)["on_time"] is False
    assert _audit(database, report_id) == [
        "report.opened",
        "deadline.reminder",
        "deadline.overdue",
        "deadline.escalated",
        "deadline.escalated",
        "report.submitted",
    ]
    # The system's reasons are written in the users' language, the due instant as read in Vietnam.
    reasons = [
        reason for action, reason in _audit_reasons(database, report_id) if action.startswith("deadline.")
    ]
    due = f"Hạn: 04/12/{year} 23:59."
    assert reasons == [
        f"Nhắc hạn. {due}",
        f"Quá hạn. {due}",
        f"Chuyển cấp (bậc 1, chuyển xử lý) tới Cán bộ Hội Khuyến học xã. {due}",
        f"Chuyển cấp (bậc 2, chuyển xử lý) tới Chủ tịch UBND xã. {due}",
    ]


async def test_village_reports_roll_up_into_the_commune(
    temporal_env: WorkflowEnvironment, workers: str, database: str, tmp_path: Path
) -> None:
    plan = _test_plan(database, "trieu-son-2023")
    year = (await _now(temporal_env)).year + 1
    commune = "14797"
    rw.add_households(database, commune, "TDP1", 3)
    rw.add_households(database, commune, "TDP2", 5)
    rw.add_case(database, year=year, commune=commune, village="TDP1")
    rw.add_case(database, year=year, commune=commune, village="TDP2")
    rw.add_case(database, year=year, commune=commune, village="TDP2")
    parent = await _start(temporal_env, workers, plan, year, commune)
    assert (await _opened(parent)).due_at == ""  # the town collects; the plan gives it no date
    kids = [await _start(temporal_env, workers, plan, year, f"{commune}.TDP{i}") for i in (1, 2)]
    for kid in kids:
        status = await _opened(kid)
        assert status.due_at.startswith(f"{year}-12-05T23:59:59")  # "trước ngày 06/12"
        await kid.execute_update(
            AnnualReportWorkflow.submit,
            c.SubmitInput(actor="to-truong", role="village_officer", expected_version=1),
        )

    async def rolled() -> None:
        assert (await parent.query(AnnualReportWorkflow.status)).rolled_up

    await assert_eventually(rolled)
    row = _row(database, plan, commune)
    assert row["children_expected"] == 2
    rolled_up = json.loads(row["rolled_up"])
    assert rolled_up["complete"] is True
    family = rolled_up["rolled_up"]["learning_family"]
    assert family == {"recognised": 3, "population": 8}
    assert {child["unit_code"] for child in rolled_up["children"]} == {f"{commune}.TDP1", f"{commune}.TDP2"}
    await parent.execute_update(
        AnnualReportWorkflow.submit,
        c.SubmitInput(actor="can-bo-hoi", role="commune_association_officer", expected_version=1),
    )
    outcome = await parent.result()
    assert outcome.rolled_up and outcome.status == c.SUBMITTED
    sub = json.loads(_row(database, plan, commune)["submission"]["figures"])
    assert sub["rolled_up"]["learning_family"] == {"recognised": 3, "population": 8}
    assert len(sub["children"]) == 2
    for kid in kids:
        assert (await kid.result()).status == c.SUBMITTED


async def test_submitting_through_the_api_reaches_the_workflow(
    temporal_env: WorkflowEnvironment, workers: str, database: str, tmp_path: Path
) -> None:
    import asyncio

    from common.settings import CommonSettings
    from services.evaluation.app import create_app
    from services.evaluation.config import Settings
    from tests.conftest import free_port
    from tests.signin import FAST_ARGON2, sign_in

    plan = _test_plan(database, "van-hoa-2023")
    year = (await _now(temporal_env)).year + 1
    unit = "16522"
    handle = await _start(temporal_env, workers, plan, year, unit)
    await _opened(handle)
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        temporal_address=temporal_env.client.service_client.config.target_host,
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key="annual-e2e-secret-0001",
    )
    app = create_app(Settings(database_url=database, common=common, **FAST_ARGON2))
    api = app.test_client()
    officer = sign_in(api, database, role="commune_association_officer", scope_code=unit)
    report_id = c.report_id_for(ids.annual_report_workflow_id(plan, year, unit))
    path = f"/reports/annual/{report_id}/submit"
    # The Flask call blocks while the workflow (served on this loop) answers: run it in a thread.
    r = await asyncio.to_thread(
        api.post, path, json={"note": "Qua API"}, headers={**officer, "If-Match": '"1"'}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["on_time"] is True
    again = await asyncio.to_thread(api.post, path, json={}, headers={**officer, "If-Match": '"2"'})
    assert again.status_code == 409  # already submitted: refused before the workflow
    body = (await asyncio.to_thread(api.get, f"/reports/annual/{report_id}", headers=officer)).get_json()
    assert body["status"] == "submitted" and body["submission"]["note"] == "Qua API"
    assert body["submission"]["submitted_by"] == "commune-association-officer-16522"
    assert {t["title"] for t in body["submission"]["figures"]["totals"]} >= {"learning_family"}
    assert (await handle.result()).status == c.SUBMITTED
