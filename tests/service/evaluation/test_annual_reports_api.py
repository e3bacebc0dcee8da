"""The annual report API on a real SQLite database (Temporal faked: what reaches it is recorded): starting
a year's reports, reading them in scope, submitting with If-Match, and every bad input refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from common.settings import CommonSettings
from common.temporal_gateway import StartResult
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service.annual_reports import open_annual_report
from tests.conftest import free_port, seed_reference_data
from tests.service.evaluation import report_world as rw
from tests.service.evaluation.matrix_world import FakeStorage
from tests.signin import FAST_ARGON2, sign_in
from workflows import ids
from workflows.annual_report import contracts as c

PLAN = "ho-chi-minh-city-2023"


@dataclass
class RecordingGateway:
    """Temporal as the API sees it: starts and updates are recorded; `refuse` makes the update fail."""

    started: list[tuple[str, Any]] = field(default_factory=list)
    updates: list[tuple[str, str, Any]] = field(default_factory=list)
    refuse: str | None = None

    def start_workflow(self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str) -> StartResult:
        created = workflow_id not in [w for w, _ in self.started]
        self.started.append((workflow_id, arg))
        return StartResult(workflow_id=workflow_id, run_id="run", created=created)

    def execute_update(self, workflow_id: str, update: str, arg: Any, *, result_type: Any = None) -> Any:
        if self.refuse:
            raise WorkflowUpdateFailedError(
                ApplicationError("Từ chối.", type=self.refuse, non_retryable=True)
            )
        self.updates.append((workflow_id, update, arg))
        return c.SubmitResult(status=c.SUBMITTED, version=arg.expected_version + 1, on_time=True)

    def check(self) -> None:
        return None


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("annual-api")
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    seed_reference_data(url)
    rw.build(url)
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp / 'broker.db'}",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key="annual-secret-key-0001",
    )
    app = create_app(Settings(database_url=url, common=common, **FAST_ARGON2))
    gateway = RecordingGateway()
    app.extensions["evaluation"].gateway, app.extensions["evaluation"].storage = gateway, FakeStorage()
    api = app.test_client()
    for unit in (rw.WARD, rw.OTHER_WARD):
        workflow_id = ids.annual_report_workflow_id(PLAN, 2025, unit)
        open_annual_report(
            app.extensions["evaluation"].uow(),
            inp=c.OpenReportInput(c.report_id_for(workflow_id), workflow_id, PLAN, 2025, unit, "test"),
        )
    return {
        "api": api,
        "gateway": gateway,
        "ward_report": c.report_id_for(ids.annual_report_workflow_id(PLAN, 2025, rw.WARD)),
        "admin": sign_in(api, url, role="administrator", scope_code="79"),
        "officer": sign_in(api, url, role="commune_association_officer", scope_code=rw.WARD),
        "auditor": sign_in(api, url, role="auditor", scope_code=rw.WARD),
        "unit_head": sign_in(api, url, role="unit_head", scope_code=rw.WARD),
    }


def test_start_a_ward_and_cascade_from_the_city(env: dict[str, Any]) -> None:
    api, gw = env["api"], env["gateway"]
    r = api.post(
        "/reports/annual", json={"plan": PLAN, "year": 2026, "admin_unit": rw.WARD}, headers=env["officer"]
    )
    assert r.status_code == 202, r.get_json()
    [started] = r.get_json()["reports"]
    assert started["workflow_id"] == f"annual-report/{PLAN}/2026/{rw.WARD}" and started["created"]
    again = api.post(
        "/reports/annual", json={"plan": PLAN, "year": 2026, "admin_unit": rw.WARD}, headers=env["officer"]
    )
    assert again.get_json()["reports"][0]["created"] is False
    city = api.post(
        "/reports/annual",
        json={"plan": PLAN, "year": 2026, "admin_unit": "79", "cascade": True},
        headers=env["admin"],
    )
    assert city.status_code == 202
    reports = city.get_json()["reports"]
    assert reports[0]["unit_code"] == "79" and len(reports) == 1 + 168  # the department and every ward
    assert gw.started[-1][1].plan_code == PLAN and gw.started[-1][1].started_by


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan": "no-such", "year": 2026, "admin_unit": rw.WARD}, "plan"),
        ({"plan": PLAN, "year": 2019, "admin_unit": rw.WARD}, "year"),
        ({"plan": PLAN, "year": "x", "admin_unit": rw.WARD}, "year"),
        ({"plan": PLAN, "year": 2026, "admin_unit": "00000"}, "admin_unit"),
        (
            {"plan": PLAN, "year": 2026, "admin_unit": f"{rw.WARD}.KP1"},
            "admin_unit",
        ),  # villages owe none here
        ({"plan": PLAN, "year": 2026}, "admin_unit"),
        ({"plan": PLAN, "year": 2026, "admin_unit": rw.WARD, "cascade": "maybe"}, "cascade"),
        ({"plan": PLAN, "year": 2026, "admin_unit": rw.WARD, "extra": 1}, "extra"),
    ],
)
def test_bad_start_is_422_on_its_field(env: dict[str, Any], body: dict[str, Any], field: str) -> None:
    before = len(env["gateway"].started)
    r = env["api"].post("/reports/annual", json=body, headers=env["admin"])
    assert r.status_code == 422, r.get_json()
    assert field in str(r.get_json()["errors"])
    assert len(env["gateway"].started) == before  # nothing started


def test_a_bad_start_names_the_reason_in_vietnamese_and_english(env: dict[str, Any]) -> None:
    def errors(language: str, **body: Any) -> dict[str, Any]:
        headers = {**env["admin"], "Accept-Language": language}
        return dict(env["api"].post("/reports/annual", json=body, headers=headers).get_json()["errors"])

    plan = {"plan": "no-such", "year": 2026, "admin_unit": rw.WARD}
    assert errors("vi", **plan) == {"plan": ["Không có kế hoạch mang mã 'no-such'."]}
    assert errors("en", **plan) == {"plan": ["No plan has the code 'no-such'."]}
    unit = {"plan": PLAN, "year": 2026, "admin_unit": "00000"}
    assert errors("vi", **unit) == {"admin_unit": ["Không có đơn vị hành chính mang mã '00000'."]}
    assert errors("en", **unit) == {"admin_unit": ["No administrative unit has the code '00000'."]}
    [year] = errors("en", plan=PLAN, year=2019, admin_unit=rw.WARD)["year"]
    assert year.startswith("The year must be from ") and year.endswith(f"(plan {PLAN}'s period).")
    [village] = errors("vi", plan=PLAN, year=2026, admin_unit=f"{rw.WARD}.KP1")["admin_unit"]
    assert village.startswith(f"Kế hoạch {PLAN} không giao báo cáo năm 2026 cho cấp của đơn vị ")


def test_list_and_read_in_scope(env: dict[str, Any]) -> None:
    api = env["api"]
    mine = api.get("/reports/annual", query_string={"year": 2025}, headers=env["auditor"]).get_json()
    assert [i["unit_code"] for i in mine["items"]] == [
        rw.WARD
    ]  # the other ward is out of the auditor's scope
    city = api.get("/reports/annual", query_string={"year": 2025}, headers=env["admin"]).get_json()
    assert {i["unit_code"] for i in city["items"]} == {rw.WARD, rw.OTHER_WARD}
    one = api.get(f"/reports/annual/{env['ward_report']}", headers=env["auditor"])
    assert one.status_code == 200 and one.headers["ETag"] == '"1"'
    body = one.get_json()
    assert body["due_at"].startswith(
        "2025-11-24T16:59:59"
    )  # "trước ngày 25/11": end of the 24th, Vietnam time
    assert body["to_vi"] == "Sở Giáo dục và Đào tạo" and body["submission"] is None
    other = api.get(
        f"/reports/annual/{c.report_id_for(ids.annual_report_workflow_id(PLAN, 2025, rw.OTHER_WARD))}",
        headers=env["auditor"],
    )
    assert other.status_code == 404
    assert api.get("/reports/annual/no-such", headers=env["admin"]).status_code == 404
    history = api.get(f"/reports/annual/{env['ward_report']}/history", headers=env["auditor"])
    assert history.status_code == 200 and history.get_json()["verified"] is True
    assert history.get_json()["entries"][0]["action"] == "report.opened"


def test_submit_needs_if_match_and_the_right_role(env: dict[str, Any]) -> None:
    api, path = env["api"], f"/reports/annual/{env['ward_report']}/submit"
    assert api.post(path, json={}, headers=env["officer"]).status_code == 428
    assert api.post(path, json={}, headers={**env["officer"], "If-Match": '"7"'}).status_code == 412
    assert api.post(path, json={}, headers={**env["officer"], "If-Match": "abc"}).status_code == 422
    assert (
        api.post(path, json={"note": "x" * 4001}, headers={**env["officer"], "If-Match": '"1"'}).status_code
        == 422
    )
    assert api.post(path, json={}, headers={**env["auditor"], "If-Match": '"1"'}).status_code == 403
    assert api.post(path, json={}, headers={**env["unit_head"], "If-Match": '"1"'}).status_code == 403
    r = api.post(path, json={"note": "Số liệu năm 2025"}, headers={**env["officer"], "If-Match": '"1"'})
    assert r.status_code == 200, r.get_json()
    assert (
        r.get_json() == {"status": "submitted", "version": 2, "on_time": True} and r.headers["ETag"] == '"2"'
    )
    workflow_id, update, arg = env["gateway"].updates[-1]
    assert (workflow_id, update) == (f"annual-report/{PLAN}/2025/{rw.WARD}", "submit")
    assert (arg.actor, arg.role, arg.note) == (
        "commune-association-officer-26506",
        "commune_association_officer",
        "Số liệu năm 2025",
    )


@pytest.mark.parametrize(
    ("kind", "status"), [("InvalidTransition", 409), ("VersionConflict", 412), ("Other", 409)]
)
def test_workflow_refusals_map_to_http(env: dict[str, Any], kind: str, status: int) -> None:
    env["gateway"].refuse = kind
    try:
        r = env["api"].post(
            f"/reports/annual/{env['ward_report']}/submit",
            json={},
            headers={**env["officer"], "If-Match": '"1"'},
        )
    finally:
        env["gateway"].refuse = None
    assert r.status_code == status and r.get_json()["message"] == "Từ chối."
