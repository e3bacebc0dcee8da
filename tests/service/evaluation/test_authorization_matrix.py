"""The authorization matrix of the evaluation API: every endpoint (read from the Flask url_map, so a new
endpoint without a row here fails) x every role x in scope / out of scope. Wrong role: 403; right role
out of scope: 404 (as if the thing did not exist); right role in scope: through to the use case. Without
a token: 401 everywhere except the few public endpoints. A household representative is linked to its
household: its scope alone is not enough, a case of another household answers 404 as well.

Everything lives in Hồ Chí Minh City (79), in the ward HCMC_WARD; callers answer for the whole country,
for the city (in scope) or for Hà Nội (01, out of scope). Temporal and S3 are fakes: a call that passes
authorization reaches the use case and answers 2xx (or 409 where a second caller collides with the
first)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from common import auth
from common.auth import ROLES, Principal
from common.db import make_engine
from common.web_auth import is_public
from services.evaluation.adapters import tables as t
from services.evaluation.api import auth as auth_api
from services.evaluation.api import rounds as rounds_api
from services.evaluation.api import subjects as subjects_api
from services.evaluation.documents.plans import PLANS_DIR
from tests.conftest import HCMC_WARD
from tests.service.evaluation.matrix_world import (
    IN_SCOPE,
    NATIONAL,
    OUT_OF_SCOPE,
    PDF,
    ROUND_ID,
    SCOPES,
    World,
    build_world,
)
from tests.signin import add_household, bearer, create_user, username_for

PUBLIC = {"static", "api-docs.openapi_json", "health.Health", "auth.Login"}
HCMC_PLAN = (PLANS_DIR / "ho-chi-minh-city-2023.yaml").read_text(encoding="utf-8")
VILLAGES_CSV = "Mã xã,Mã thôn,Tên thôn,Loại\n26506,KP01,Khu phố 1,Khu phố\n".encode()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("matrix"))


Request = tuple[str, str, dict[str, Any]]


ANY, UNIT, COUNTRY = "any", "unit", "country"


@dataclass(frozen=True)
class Row:
    """Who may call an endpoint, where the caller's scope must reach (ANY: nowhere in particular; UNIT:
    the target's unit in the ward; COUNTRY: the whole country), and a valid request."""

    roles: frozenset[str]
    scope: str
    request: Callable[[World, Principal], Request]


def _get(path: str, **kwargs: Any) -> Callable[[World, Principal], Request]:
    return lambda w, p: ("GET", path.format(w=w), kwargs)


def _upload(w: World, p: Principal) -> Request:
    files = {"file": (io.BytesIO(PDF), "minh-chung.pdf"), "indicator_code": "1.1"}
    return "POST", f"/cases/{w.case_id}/evidence", {"data": files, "content_type": "multipart/form-data"}


def _import(w: World, p: Principal) -> Request:
    form = {"kind": "villages", "commune_code": HCMC_WARD, "file": (io.BytesIO(VILLAGES_CSV), "thon.csv")}
    return "POST", "/imports", {"data": form, "content_type": "multipart/form-data"}


def _new_user(w: World, p: Principal) -> Request:
    body = {
        "username": w.unique("tai-khoan-"),
        "full_name": "Người mới",
        "password": "mat-khau-dai-du",
        "role": "village_officer",
        "scope_code": HCMC_WARD,
    }
    return "POST", "/users", {"json": body}


def _user_access(w: World, p: Principal) -> Request:
    """Unlock a fresh account of the ward (each allowed caller changes its own)."""
    url = w.app.extensions["evaluation"].settings.database_url
    user = create_user(url, role=auth.VILLAGE_OFFICER, scope_code=HCMC_WARD, username=w.unique("khoa-"))
    return "POST", f"/users/{user.id}/access", {"json": {"active": True, "reason": "Kiểm tra quyền"}}


def _user_history(w: World, p: Principal) -> Request:
    """The history of a fresh account of the ward."""
    url = w.app.extensions["evaluation"].settings.database_url
    user = create_user(url, role=auth.VILLAGE_OFFICER, scope_code=HCMC_WARD, username=w.unique("lich-su-"))
    return "GET", f"/users/{user.id}/history", {}


def _new_objection(w: World) -> str:
    """A fresh open objection of the ward's round (each allowed caller changes its own)."""
    engine = make_engine(w.app.extensions["evaluation"].settings.database_url)
    objection_id = w.unique("objection-")
    now = datetime.now(UTC)
    with engine.begin() as db:
        db.execute(
            t.round_objections.insert().values(
                id=objection_id,
                round_id=ROUND_ID,
                case_id=None,
                filed_by="Người dân",
                content="Kiến nghị",
                status="open",
                version=1,
                created_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    return objection_id


def _objection_step(step: str, body: dict[str, Any]) -> Callable[[World, Principal], Request]:
    return lambda w, p: (
        "POST",
        f"/rounds/{ROUND_ID}/objections/{_new_objection(w)}/{step}",
        {"json": body, "headers": {"If-Match": '"1"'}},
    )


COUNCIL = {
    "met_on": "2026-10-15",
    "chair": "Ông Lê Văn Sang",
    "secretary": "Bà Trần Thị Hà",
    "attendance": ["Ông Lê Văn Sang", "Bà Trần Thị Hà"],
}
ALL = auth.ALL_ROLES
ADMIN = frozenset({auth.ADMINISTRATOR})
PROGRESS = {"plan": "ho-chi-minh-city-2023", "year": 2025, "admin_unit": HCMC_WARD}
REPORT_START = {"plan": "ho-chi-minh-city-2023", "year": 2025, "admin_unit": HCMC_WARD}


def _annual_report(w: World) -> str:
    """The ward's 2025 report, opened once through the service as its workflow's first activity does."""
    from services.evaluation.service.annual_reports import open_annual_report
    from workflows.annual_report import contracts as ar
    from workflows.ids import annual_report_workflow_id

    workflow_id = annual_report_workflow_id("ho-chi-minh-city-2023", 2025, HCMC_WARD)
    report_id = ar.report_id_for(workflow_id)
    inp = ar.OpenReportInput(report_id, workflow_id, "ho-chi-minh-city-2023", 2025, HCMC_WARD, "test")
    open_annual_report(w.app.extensions["evaluation"].uow(), inp=inp)
    return report_id


# Opened for the world's household: its own representative may open it too (another household's: 404).
NEW_CASE = {"year": 2026, "title": "learning_family", "subject_id": "HH-1", "admin_unit_code": HCMC_WARD}

POLICY: dict[tuple[str, str], Row] = {
    ("auth.Me", "GET"): Row(ALL, ANY, _get("/auth/me")),
    ("auth.Users", "GET"): Row(ADMIN, ANY, _get("/users")),
    ("auth.Users", "POST"): Row(ADMIN, UNIT, _new_user),
    ("auth.UserAccess", "POST"): Row(ADMIN, UNIT, _user_access),
    ("auth.Logout", "POST"): Row(ALL, ANY, lambda w, p: ("POST", "/auth/logout", {})),
    ("auth.UserHistory", "GET"): Row(auth_api.ACCOUNT_HISTORY_READERS, UNIT, _user_history),
    ("admin_units.AdminUnits", "GET"): Row(ALL, ANY, _get("/admin-units", query_string={"limit": 1})),
    ("admin_units.AdminUnitByCode", "GET"): Row(ALL, ANY, _get(f"/admin-units/{HCMC_WARD}")),
    ("admin_units.Villages", "POST"): Row(
        auth.REGISTER_KEEPERS,
        UNIT,
        lambda w, p: (
            "POST",
            f"/admin-units/{HCMC_WARD}/villages",
            {"json": {"local_code": w.unique("KP"), "name": "Khu phố mới", "kind": "khu_pho"}},
        ),
    ),
    ("cases.Cases", "POST"): Row(
        auth.CASE_WRITERS, UNIT, lambda w, p: ("POST", "/cases", {"json": NEW_CASE})
    ),
    ("cases.Cases", "GET"): Row(ALL, ANY, _get("/cases")),  # out of scope: an empty list
    ("cases.CaseById", "GET"): Row(ALL, UNIT, _get("/cases/{w.case_id}")),
    ("cases.CaseSteps", "POST"): Row(
        auth.CASE_WRITERS,
        UNIT,
        lambda w, p: (
            "POST",
            f"/cases/{w.case_id}/steps",
            {"json": {"action": "save_draft"}, "headers": {"If-Match": '"1"'}},
        ),
    ),
    ("cases.CaseScores", "GET"): Row(ALL, UNIT, _get("/cases/{w.case_id}/scores")),
    ("cases.CaseClaim", "POST"): Row(
        auth.STAFF_ROLES, UNIT, lambda w, p: ("POST", f"/cases/{w.case_id}/claim", {})
    ),
    ("cases.CaseAssign", "POST"): Row(
        auth.SUPERVISORS,
        UNIT,
        lambda w, p: ("POST", f"/cases/{w.case_id}/assign", {"json": {"username": "can-bo-khac"}}),
    ),
    ("evidence.CaseEvidence", "POST"): Row(auth.CASE_WRITERS, UNIT, _upload),
    ("evidence.CaseEvidence", "GET"): Row(ALL, UNIT, _get("/cases/{w.case_id}/evidence")),
    ("evidence.EvidenceById", "GET"): Row(ALL, UNIT, _get("/evidence/{w.evidence_id}")),
    ("evidence.EvidenceVerify", "GET"): Row(ALL, UNIT, _get("/evidence/{w.evidence_id}/verify")),
    ("evidence.EvidenceVerdict", "POST"): Row(
        auth.EVIDENCE_REVIEWERS,
        UNIT,  # the world's case is a draft: an allowed reviewer gets 409 (not under review)
        lambda w, p: ("POST", f"/evidence/{w.evidence_id}/verdict", {"json": {"verdict": "accepted"}}),
    ),
    ("imports.Imports", "POST"): Row(auth.REGISTER_KEEPERS, UNIT, _import),
    ("imports.ImportRunById", "GET"): Row(
        auth.REGISTER_KEEPERS | {auth.AUDITOR},
        UNIT,  # the city user's run: seen by them and national users (runs record no commune)
        lambda w, p: ("GET", f"/imports/{w.import_runs[username_for(p.role, IN_SCOPE)]}", {}),
    ),
    ("plans.Plans", "POST"): Row(
        ADMIN, UNIT, lambda w, p: ("POST", "/plans", {"json": {"document": HCMC_PLAN}})
    ),
    ("plans.Plans", "GET"): Row(ALL, ANY, _get("/plans")),
    ("plans.ActivePlan", "GET"): Row(ALL, ANY, _get("/plans/ho-chi-minh-city-2023")),
    ("plans.PlanVersion", "GET"): Row(ALL, ANY, _get("/plans/ho-chi-minh-city-2023/versions/1")),
    ("plans.PlanActivation", "POST"): Row(
        ADMIN, UNIT, lambda w, p: ("POST", "/plans/ho-chi-minh-city-2023/versions/1/activate", {})
    ),
    ("plans.CriteriaSets", "GET"): Row(ALL, ANY, _get("/criteria-sets")),
    ("plans.CriteriaSetVersion", "GET"): Row(ALL, ANY, _get("/criteria-sets/gia-dinh-hoc-tap/2023.1")),
    ("subjects.Subjects", "GET"): Row(
        auth.REGISTER_READERS,
        UNIT,
        _get("/subjects", query_string={"kind": "household", "within": HCMC_WARD}),
    ),
    ("subjects.SubjectById", "GET"): Row(
        subjects_api.SUBJECT_READERS, UNIT, _get("/subjects/household/{w.household_id}")
    ),
    ("tasks.Tasks", "GET"): Row(ALL, ANY, _get("/tasks")),
    ("case_criteria.CaseCriteria", "GET"): Row(ALL, UNIT, _get("/cases/{w.case_id}/criteria")),
    ("audit.CaseHistory", "GET"): Row(auth.HISTORY_READERS, UNIT, _get("/cases/{w.case_id}/history")),
    ("audit_verify.AuditVerify", "GET"): Row(auth.CHAIN_VERIFIERS, COUNTRY, _get("/audit/verify")),
    ("reports.Progress", "GET"): Row(
        auth.REGISTER_READERS, UNIT, _get("/reports/progress", query_string=PROGRESS)
    ),
    ("reports.ProgressExport", "GET"): Row(
        auth.REGISTER_READERS, UNIT, _get("/reports/progress/export", query_string=PROGRESS)
    ),
    ("reports.ProgressChart", "GET"): Row(
        auth.REGISTER_READERS,
        UNIT,
        _get("/reports/progress/chart", query_string={**PROGRESS, "format": "svg"}),
    ),
    ("annual_reports.AnnualReports", "POST"): Row(
        frozenset({auth.ADMINISTRATOR, auth.COMMUNE_ASSOCIATION_OFFICER, auth.COMMUNE_CHAIRMAN}),
        UNIT,
        lambda w, p: ("POST", "/reports/annual", {"json": REPORT_START}),
    ),
    ("annual_reports.AnnualReports", "GET"): Row(auth.REGISTER_READERS, ANY, _get("/reports/annual")),
    ("annual_reports.AnnualReportById", "GET"): Row(
        auth.REGISTER_READERS, UNIT, lambda w, p: ("GET", f"/reports/annual/{_annual_report(w)}", {})
    ),
    ("annual_reports.AnnualReportHistory", "GET"): Row(
        auth.HISTORY_READERS, UNIT, lambda w, p: ("GET", f"/reports/annual/{_annual_report(w)}/history", {})
    ),
    ("annual_reports.AnnualReportSubmit", "POST"): Row(
        frozenset(
            {
                auth.VILLAGE_OFFICER,
                auth.COMMUNE_ASSOCIATION_OFFICER,
                auth.LEARNING_CENTRE_STAFF,
                auth.COMMUNE_CHAIRMAN,
                auth.ADMINISTRATOR,
            }
        ),
        UNIT,
        lambda w, p: (
            "POST",
            f"/reports/annual/{_annual_report(w)}/submit",
            {"json": {"note": "Báo cáo năm"}, "headers": {"If-Match": '"1"'}},
        ),
    ),
    ("recognitions.Recognitions", "GET"): Row(auth.REGISTER_READERS, ANY, _get("/recognitions")),
    ("rounds.Rounds", "POST"): Row(
        rounds_api.ROUND_MANAGERS,
        UNIT,
        lambda w, p: ("POST", "/rounds", {"json": {"admin_unit_code": HCMC_WARD, "year": 2026}}),
    ),
    ("rounds.Rounds", "GET"): Row(
        rounds_api.ROUND_READERS, UNIT, _get("/rounds", query_string={"admin_unit_code": HCMC_WARD})
    ),
    ("rounds.RoundById", "GET"): Row(rounds_api.ROUND_READERS, UNIT, _get(f"/rounds/{ROUND_ID}")),
    ("rounds.RoundHistory", "GET"): Row(rounds_api.ROUND_READERS, UNIT, _get(f"/rounds/{ROUND_ID}/history")),
    ("rounds.Objections", "POST"): Row(
        rounds_api.OBJECTION_TAKERS,
        UNIT,
        lambda w, p: (
            "POST",
            f"/rounds/{ROUND_ID}/objections",
            {"json": {"filed_by": "Bà Lê Thị Hoa", "content": "Hộ này chưa đủ điều kiện"}},
        ),
    ),
    ("rounds.ObjectionAssign", "POST"): Row(
        auth.SUPERVISORS, UNIT, _objection_step("assign", {"assignee": "can-bo-thon"})
    ),
    ("rounds.ObjectionResolve", "POST"): Row(
        rounds_api.OBJECTION_TAKERS,
        UNIT,
        _objection_step("resolve", {"resolution": "Đã xác minh", "upheld": False}),
    ),
    ("rounds.Council", "POST"): Row(
        rounds_api.COUNCIL_SECRETARIES,
        UNIT,
        lambda w, p: (
            "POST",
            f"/rounds/{ROUND_ID}/council",
            {"json": COUNCIL, "headers": {"If-Match": '"3"'}},
        ),
    ),
    ("rounds.DecisionList", "GET"): Row(
        rounds_api.ROUND_READERS, UNIT, _get(f"/rounds/{ROUND_ID}/decision-list")
    ),
    ("rounds.Sign", "POST"): Row(
        rounds_api.SIGNERS,
        UNIT,
        lambda w, p: (
            "POST",
            f"/rounds/{ROUND_ID}/sign",
            {
                "json": {"signer_name": "Lê Văn Sang", "signed_on": "2026-12-15"},
                "headers": {"If-Match": '"4"'},
            },
        ),
    ),
    ("rounds.Amendments", "POST"): Row(
        rounds_api.SIGNERS,
        UNIT,
        lambda w, p: (
            "POST",
            f"/rounds/{ROUND_ID}/amendments",
            {
                "json": {
                    "decision_id": "decision-in-ward",
                    "kind": "revocation",
                    "reason": "Hồ sơ không đúng thực tế",
                    "signer_name": "Nguyễn Văn Chủ",
                    "signed_on": "2027-01-10",
                }
            },
        ),
    ),
    ("rounds.Documents", "GET"): Row(rounds_api.ROUND_READERS, UNIT, _get(f"/rounds/{ROUND_ID}/documents")),
    # The round is in `posting`: the right callers get through to the use case, which answers 409.
    ("rounds.Supplementary", "POST"): Row(
        rounds_api.ROUND_MANAGERS,
        UNIT,
        lambda w, p: ("POST", f"/rounds/{ROUND_ID}/supplementary", {"headers": {"If-Match": '"3"'}}),
    ),
    ("rounds.SupplementarySign", "POST"): Row(
        rounds_api.SIGNERS,
        UNIT,
        lambda w, p: (
            "POST",
            f"/rounds/{ROUND_ID}/supplementary/sign",
            {
                "json": {"signer_name": "Lê Văn Sang", "signed_on": "2026-12-20"},
                "headers": {"If-Match": '"3"'},
            },
        ),
    ),
    ("rounds.Close", "POST"): Row(
        rounds_api.ROUND_MANAGERS,
        UNIT,
        lambda w, p: ("POST", f"/rounds/{ROUND_ID}/close", {"headers": {"If-Match": '"3"'}}),
    ),
}


def _endpoints(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_endpoint_has_a_row_and_only_the_public_ones_go_without(world: World) -> None:
    endpoints = _endpoints(world.app)
    public = {(endpoint, method) for endpoint, method in endpoints if is_public(world.app, endpoint)}
    assert {endpoint for endpoint, _ in public} == PUBLIC
    assert endpoints - public == set(POLICY), "give every new endpoint a row in POLICY"


def _send(world: World, request: Request, headers: dict[str, str]) -> Any:
    method, path, kwargs = request
    kwargs = dict(kwargs)
    return world.api.open(path, method=method, headers={**kwargs.pop("headers", {}), **headers}, **kwargs)


@pytest.mark.parametrize("key", sorted(POLICY), ids="{0[0]} {0[1]}".format)
def test_without_a_token_every_endpoint_is_401(world: World, key: tuple[str, str]) -> None:
    any_principal = world.principals[(auth.ADMINISTRATOR, IN_SCOPE)]
    response = _send(world, POLICY[key].request(world, any_principal), {})
    assert response.status_code == 401, response.get_json()


def _expected(row: Row, role: str, scope: str | None) -> str:
    if role not in row.roles:
        return "403"
    reaches = {ANY: True, UNIT: scope in (NATIONAL, IN_SCOPE), COUNTRY: scope is NATIONAL}[row.scope]
    return "allowed" if reaches else "404"


@pytest.mark.parametrize("scope", SCOPES, ids=["national", "in-scope", "out-of-scope"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(POLICY), ids="{0[0]} {0[1]}".format)
def test_the_matrix(world: World, key: tuple[str, str], role: str, scope: str | None) -> None:
    row = POLICY[key]
    principal = world.principals[(role, scope)]
    response = _send(
        world, row.request(world, principal), bearer(world.app.extensions["auth"].secret_key, principal)
    )
    expected = _expected(row, role, scope)
    status = response.status_code
    if expected == "allowed":
        assert 200 <= status < 300 or status == 409, (status, response.get_json())
    else:
        assert status == int(expected), (status, response.get_json())
        assert response.get_json()["code"] == ("forbidden" if expected == "403" else "not_found")


@pytest.mark.parametrize("scope", SCOPES, ids=["national", "in-scope", "out-of-scope"])
@pytest.mark.parametrize("role", sorted(rounds_api.ROUND_READERS))
def test_the_round_list_without_a_filter_holds_only_the_rounds_in_scope(
    world: World, role: str, scope: str | None
) -> None:
    headers = bearer(world.app.extensions["auth"].secret_key, world.principals[(role, scope)])
    response = world.api.get("/rounds", headers=headers)
    assert response.status_code == 200, response.get_json()
    listed = [item["id"] for item in response.get_json()["items"]]
    assert (ROUND_ID in listed) is (scope != OUT_OF_SCOPE), listed


def test_out_of_scope_looks_exactly_like_missing(world: World) -> None:
    outsider = bearer(world.app.extensions["auth"].secret_key, world.principals[(auth.AUDITOR, OUT_OF_SCOPE)])
    hidden = world.api.get(f"/cases/{world.case_id}", headers=outsider)
    missing = world.api.get("/cases/no-such-case", headers=outsider)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["message"].replace(world.case_id, "X") == missing.get_json()["message"].replace(
        "no-such-case", "X"
    )


def test_staff_acting_on_behalf_pass_and_others_are_refused(world: World) -> None:
    secret = world.app.extensions["auth"].secret_key
    for role in ROLES:
        headers = {**bearer(secret, world.principals[(role, IN_SCOPE)]), "X-On-Behalf-Of": "HH-1"}
        response = world.api.get(f"/cases/{world.case_id}", headers=headers)
        assert response.status_code == (200 if role in auth.STAFF_ROLES else 403), role


def test_a_case_in_an_unknown_unit_is_seen_only_nationally(world: World, tmp_path: Path) -> None:
    engine = make_engine(world.app.extensions["evaluation"].settings.database_url)
    with engine.begin() as db:
        db.execute(t.cases.update().where(t.cases.c.id == world.case_id).values(admin_unit_code="99999"))
    try:
        secret = world.app.extensions["auth"].secret_key
        city = bearer(secret, world.principals[(auth.AUDITOR, IN_SCOPE)])
        national = bearer(
            secret, Principal(user_id="n", username="n", role=auth.AUDITOR, scope_code=None, scope_path="")
        )
        assert world.api.get(f"/cases/{world.case_id}", headers=city).status_code == 404
        assert world.api.get(f"/cases/{world.case_id}", headers=national).status_code == 200
    finally:
        with engine.begin() as db:
            db.execute(
                sa.update(t.cases).where(t.cases.c.id == world.case_id).values(admin_unit_code=HCMC_WARD)
            )


CASE_ENDPOINTS = (
    ("cases.CaseById", "GET"),
    ("cases.CaseSteps", "POST"),
    ("cases.CaseScores", "GET"),
    ("evidence.CaseEvidence", "POST"),
    ("evidence.CaseEvidence", "GET"),
    ("evidence.EvidenceById", "GET"),
    ("evidence.EvidenceVerify", "GET"),
)


@pytest.fixture(scope="module")
def neighbour(world: World) -> Principal:
    """The representative of another household in the same ward (in scope, not the case's household)."""
    url = world.app.extensions["evaluation"].settings.database_url
    other = add_household(url, commune_code=HCMC_WARD, code="HH-2", village="HX1")
    user = create_user(
        url, role=auth.HOUSEHOLD_REPRESENTATIVE, scope_code=IN_SCOPE, username="ho-hang-xom", subject_id=other
    )
    return user.principal()


@pytest.mark.parametrize("key", CASE_ENDPOINTS, ids="{0[0]} {0[1]}".format)
def test_a_household_representative_sees_no_other_household_case(
    world: World, neighbour: Principal, key: tuple[str, str]
) -> None:
    headers = bearer(world.app.extensions["auth"].secret_key, neighbour)
    response = _send(world, POLICY[key].request(world, neighbour), headers)
    assert response.status_code == 404 and response.get_json()["code"] == "not_found", response.get_json()
    own = world.principals[(auth.HOUSEHOLD_REPRESENTATIVE, IN_SCOPE)]
    mine = _send(world, POLICY[key].request(world, own), bearer(world.app.extensions["auth"].secret_key, own))
    assert 200 <= mine.status_code < 300 or mine.status_code == 409, mine.get_json()


def test_a_household_representative_lists_and_reads_its_own_household_only(
    world: World, neighbour: Principal
) -> None:
    secret = world.app.extensions["auth"].secret_key
    own = bearer(secret, world.principals[(auth.HOUSEHOLD_REPRESENTATIVE, IN_SCOPE)])
    listed = world.api.get("/cases", headers=own).get_json()
    assert [i["id"] for i in listed["items"] if i["year"] == 2026] == [world.case_id]
    assert {i["subject_id"] for i in listed["items"]} == {world.household_id}
    asked_for_another = world.api.get(
        "/cases", query_string={"subject_id": neighbour.subject_id}, headers=own
    )
    assert asked_for_another.status_code == 200 and asked_for_another.get_json()["total"] == 0
    assert world.api.get(f"/subjects/household/{world.household_id}", headers=own).status_code == 200
    for path in (f"/subjects/household/{neighbour.subject_id}", "/subjects/household/no-such-household"):
        hidden = world.api.get(path, headers=own)
        assert hidden.status_code == 404 and hidden.get_json()["code"] == "not_found", path
    staff = bearer(secret, world.principals[(auth.VILLAGE_OFFICER, IN_SCOPE)])
    theirs = world.api.get("/cases", query_string={"subject_id": world.household_id}, headers=staff)
    assert world.case_id in [i["id"] for i in theirs.get_json()["items"]]
    outsider = bearer(secret, world.principals[(auth.VILLAGE_OFFICER, OUT_OF_SCOPE)])
    assert world.api.get("/cases", headers=outsider).get_json() == {"items": [], "total": 0}
    bad = world.api.get(
        "/cases", query_string={"year": "2019", "status": "nope", "limit": "0"}, headers=staff
    )
    assert bad.status_code == 422 and set(bad.get_json()["errors"]["query"]) == {"year", "status", "limit"}


def test_a_household_representative_opens_only_its_own_household_case(
    world: World, neighbour: Principal
) -> None:
    headers = bearer(world.app.extensions["auth"].secret_key, neighbour)
    others = world.api.post("/cases", json=NEW_CASE, headers=headers)  # the world's household: HH-1
    assert others.status_code == 404 and others.get_json()["code"] == "not_found"
    own = world.api.post("/cases", json={**NEW_CASE, "subject_id": neighbour.subject_id}, headers=headers)
    assert own.status_code == 202 and own.get_json()["ready"] is True, own.get_json()
    # staff open a case for any household of their scope, and may say for whom they act
    staff = bearer(
        world.app.extensions["auth"].secret_key, world.principals[(auth.VILLAGE_OFFICER, IN_SCOPE)]
    )
    on_behalf = world.api.post(
        "/cases",
        json={**NEW_CASE, "subject_id": neighbour.subject_id},
        headers={**staff, "X-On-Behalf-Of": "HH-2"},
    )
    assert on_behalf.status_code == 202


def test_a_case_slow_to_open_is_answered_with_retry_after(world: World) -> None:
    """The wait for the opening runs out: the case is opened all the same, not ready, come back later."""
    staff = bearer(
        world.app.extensions["auth"].secret_key, world.principals[(auth.VILLAGE_OFFICER, IN_SCOPE)]
    )
    gateway = world.app.extensions["evaluation"].gateway
    gateway.opens = False
    try:
        slow = world.api.post("/cases", json={**NEW_CASE, "year": 2027}, headers=staff)
    finally:
        gateway.opens = True
    body = slow.get_json()
    assert slow.status_code == 202 and body["ready"] is False and body["created"] is True, body
    assert int(slow.headers["Retry-After"]) > 0
    assert slow.headers["Location"] == f"/cases/{body['case_id']}"
    ready = world.api.post("/cases", json={**NEW_CASE, "year": 2027}, headers=staff)
    assert ready.get_json()["ready"] is True and "Retry-After" not in ready.headers


def test_a_household_representative_inbox_holds_its_own_cases_only(
    world: World, neighbour: Principal
) -> None:
    engine = make_engine(world.app.extensions["evaluation"].settings.database_url)
    progress = t.case_progress
    with engine.begin() as db:  # the world's case waits on the household (its self-assessment)
        before = db.execute(sa.select(progress).where(progress.c.case_id == world.case_id)).mappings().first()
        if before is None:
            db.execute(
                progress.insert().values(
                    case_id=world.case_id,
                    waiting_on_role=auth.HOUSEHOLD_REPRESENTATIVE,
                    overdue=False,
                    escalation_step=-1,
                )
            )
        else:
            db.execute(
                progress.update()
                .where(progress.c.case_id == world.case_id)
                .values(waiting_on_role=auth.HOUSEHOLD_REPRESENTATIVE, escalated_to_role=None, assignee=None)
            )
    try:
        secret = world.app.extensions["auth"].secret_key
        own = world.principals[(auth.HOUSEHOLD_REPRESENTATIVE, IN_SCOPE)]
        mine = world.api.get("/tasks", headers=bearer(secret, own)).get_json()
        theirs = world.api.get("/tasks", headers=bearer(secret, neighbour)).get_json()
        staff = world.principals[(auth.VILLAGE_OFFICER, IN_SCOPE)]
        unlinked = Principal(
            user_id="x",
            username="x",
            role=auth.HOUSEHOLD_REPRESENTATIVE,
            scope_code=IN_SCOPE,
            scope_path=IN_SCOPE,
        )
        assert [i["id"] for i in mine["items"]] == [world.case_id]
        assert theirs == {"items": [], "total": 0}
        assert world.api.get("/tasks", headers=bearer(secret, unlinked)).get_json()["total"] == 0
        assert world.api.get(f"/cases/{world.case_id}", headers=bearer(secret, unlinked)).status_code == 404
        assert world.api.get(f"/cases/{world.case_id}", headers=bearer(secret, staff)).status_code == 200
    finally:
        with engine.begin() as db:
            where = progress.c.case_id == world.case_id
            if before is None:
                db.execute(sa.delete(progress).where(where))
            else:
                db.execute(progress.update().where(where).values(**dict(before)))
        engine.dispose()
