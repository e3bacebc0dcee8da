"""The progress report's queries on the CI database (PostgreSQL when TEST_POSTGRES_URL is set): the same
figures as on SQLite, per village, per ward and for the city, with every register counted in one round
trip; and an annual report's figures snapshotted there."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from common.db import make_engine
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.service.progress import progress_report
from tests.conftest import seed_reference_data
from tests.service.evaluation import report_world as rw

pytestmark = pytest.mark.integration
PLAN = "ho-chi-minh-city-2023"


def test_progress_figures_on_the_ci_database(make_database_url: Callable[[str], str]) -> None:
    url = make_database_url("evaluation")
    seed_reference_data(url)
    rw.build(url)
    engine = make_engine(url)
    try:
        uow = SqlUnitOfWork(engine)
        ward = progress_report(uow, year=2025, plan_code=PLAN, admin_unit=rw.WARD, title="learning_family")
        rows = {r["unit_code"]: r for r in ward.rows}
        assert (rows[f"{rw.WARD}.KP2"]["recognised"], rows[f"{rw.WARD}.KP2"]["needed"]) == (3, 2)
        assert rows[rw.WARD]["recognised"] == 1  # village unknown
        assert (ward.totals[0]["recognised"], ward.totals[0]["population"]) == (7, 10)
        city = progress_report(uow, year=2025, plan_code=PLAN, admin_unit="79")
        totals = {t["title"]: t for t in city.totals}
        assert (totals["learning_family"]["recognised"], totals["learning_family"]["population"]) == (9, 15)
        assert (totals["learning_clan"]["recognised"], totals["learning_clan"]["population"]) == (1, 2)
        assert totals["learning_citizen"]["population"] == 15  # adults only
        assert totals["learning_community_village"]["population"] == 3
        assert {h["year"]: h["recognised"] for h in city.history if h["title"] == "learning_family"} == {
            2023: 0,
            2024: 2,
            2025: 9,
        }
    finally:
        engine.dispose()


def test_annual_report_records_on_the_ci_database(make_database_url: Callable[[str], str]) -> None:
    import json

    from services.evaluation.service import annual_reports as ar
    from services.evaluation.service.annual_report_requests import get_report, list_reports
    from workflows import ids
    from workflows.annual_report import contracts as c

    url = make_database_url("evaluation")
    seed_reference_data(url)
    rw.build(url)
    engine = make_engine(url)
    try:
        wid = ids.annual_report_workflow_id(PLAN, 2025, rw.WARD)
        rid = c.report_id_for(wid)
        opened = c.OpenReportInput(rid, wid, PLAN, 2025, rw.WARD, "admin")
        schedule = ar.open_annual_report(SqlUnitOfWork(engine), inp=opened)
        assert schedule.deadline.startswith("2025-11-24T23:59:59")
        assert schedule.parent_workflow_id == ids.annual_report_workflow_id(PLAN, 2025, "79")
        ar.open_annual_report(SqlUnitOfWork(engine), inp=opened)  # again: nothing new
        other_wid = ids.annual_report_workflow_id(PLAN, 2025, rw.OTHER_WARD)
        other = c.OpenReportInput(c.report_id_for(other_wid), other_wid, PLAN, 2025, rw.OTHER_WARD, "admin")
        ar.open_annual_report(SqlUnitOfWork(engine), inp=other)  # opened, never submitted
        alarm = c.ReportAlarmInput(rid, wid, "overdue", schedule.deadline, role="commune_association_officer")
        assert ar.record_report_alarm(SqlUnitOfWork(engine), inp=alarm) is True
        assert ar.record_report_alarm(SqlUnitOfWork(engine), inp=alarm) is False
        sub = c.SubmitInput(
            actor="can-bo", role="commune_association_officer", expected_version=1, note="Muộn"
        )
        done = c.ReportSubmittedInput(rid, wid, "run", sub, 2, "2025-11-26T09:00:00+07:00", False)
        assert ar.record_report_submitted(SqlUnitOfWork(engine), inp=done) is True
        assert ar.record_report_submitted(SqlUnitOfWork(engine), inp=done) is False
        report = get_report(SqlUnitOfWork(engine), report_id=rid)
        assert report["status"] == "submitted" and report["overdue"] and report["on_time"] is False
        family = next(t for t in report["submission"]["figures"]["totals"] if t["title"] == "learning_family")
        assert (family["recognised"], family["population"]) == (7, 10)
        city = ar.open_annual_report(
            SqlUnitOfWork(engine),
            inp=c.OpenReportInput(
                c.report_id_for(ids.annual_report_workflow_id(PLAN, 2025, "79")),
                ids.annual_report_workflow_id(PLAN, 2025, "79"),
                PLAN,
                2025,
                "79",
                "admin",
            ),
        )
        assert len(city.children) == 168 and city.children_submitted == [rw.WARD]
        rollup = c.RollupInput(city.report_id, "wf-79", [rw.WARD], False)
        assert ar.record_report_rollup(SqlUnitOfWork(engine), inp=rollup) is True
        rolled = get_report(SqlUnitOfWork(engine), report_id=city.report_id)["rolled_up"]
        assert rolled["complete"] is False
        assert rolled["rolled_up"]["learning_family"] == {"recognised": 7, "population": 10}
        page = list_reports(
            SqlUnitOfWork(engine), plan_code=PLAN, year=2025, within="79", page=1, page_size=10
        )
        assert page["total"] == 3
        assert json.loads(json.dumps(page["items"][0], default=str))
    finally:
        engine.dispose()
