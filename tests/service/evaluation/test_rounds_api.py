"""The round's HTTP API on a real SQLite database (Temporal and S3 as fakes): every bad input answers 4xx
with the field and the reason and writes nothing; If-Match is required (428) and checked (412)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from common.auth import Principal
from common.db import make_engine
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.round_activities import RoundActivities
from tests.conftest import HCMC_WARD, free_port, seed_reference_data
from tests.service.evaluation.matrix_world import FakeGateway, FakeStorage
from tests.signin import bearer, create_user
from workflows.yearly_round import contracts as rc

SECRET = "rounds-api-secret-0001"
ROUND = "round-api"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("rounds-api")
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as db:
        db.execute(
            t.rounds.insert().values(
                id=ROUND,
                workflow_id="yearly-round/x",
                admin_unit_code=HCMC_WARD,
                year=2026,
                plan_code="ho-chi-minh-city-2023",
                phase="posting",
                version=3,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    common = CommonSettings(
        broker_url="memory://",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key=SECRET,
    )
    create_user(
        url, role="village_officer", scope_code=HCMC_WARD, username="can-bo-thon"
    )  # objections' verifier
    app = create_app(Settings(database_url=url, common=common))
    app.extensions["evaluation"].gateway = FakeGateway()
    app.extensions["evaluation"].storage = FakeStorage()
    client = app.test_client()
    client.engine = engine  # type: ignore[attr-defined]
    return client


def _as(role: str) -> dict[str, str]:
    return bearer(SECRET, Principal(user_id=role, username=role, role=role, scope_code="79", scope_path="79"))


OFFICER, CHAIRMAN = _as("commune_association_officer"), _as("commune_chairman")


def _count(api: Any, table: sa.Table) -> int:
    with api.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 2026}, "admin_unit_code"),
        ({"admin_unit_code": HCMC_WARD}, "year"),
        ({"admin_unit_code": HCMC_WARD, "year": 1999}, "year"),
        ({"admin_unit_code": HCMC_WARD, "year": 2040}, "year"),  # outside the plan's period
        ({"admin_unit_code": "79", "year": 2026}, "admin_unit_code"),  # a province, not a commune
        ({"admin_unit_code": "00000", "year": 2026}, "admin_unit_code"),
        ({"admin_unit_code": HCMC_WARD, "year": 2026, "colour": "đỏ"}, "colour"),
    ],
)
def test_opening_a_round_refuses_bad_input(api: Any, body: dict[str, Any], field: str) -> None:
    r = api.post("/rounds", json=body, headers=OFFICER)
    assert r.status_code == 422, r.get_json()
    assert field in str(r.get_json()["errors"])


def test_open_and_read(api: Any) -> None:
    r = api.post("/rounds", json={"admin_unit_code": HCMC_WARD, "year": 2026}, headers=OFFICER)
    assert (
        r.status_code == 202
        and r.get_json()["workflow_id"] == "yearly-round/26506/2026/ho-chi-minh-city-2023"
    )
    r = api.get(f"/rounds/{ROUND}", headers=OFFICER)
    assert r.status_code == 200 and r.headers["ETag"] == '"3"' and r.get_json()["phase"] == "posting"
    assert api.get("/rounds/nope", headers=OFFICER).status_code == 404


def test_objections_through_their_steps_with_if_match(api: Any) -> None:
    before = _count(api, t.round_objections)
    for body in (
        {},
        {"filed_by": "", "content": "x"},
        {"filed_by": "x", "content": "y", "case_id": "no-case"},
    ):
        r = api.post(f"/rounds/{ROUND}/objections", json=body, headers=OFFICER)
        assert r.status_code == 422 and r.get_json()["errors"], body
    assert _count(api, t.round_objections) == before
    r = api.post(
        f"/rounds/{ROUND}/objections",
        json={"filed_by": "Bà Lê Thị Hoa", "content": "Chưa đủ điều kiện"},
        headers=OFFICER,
    )
    assert r.status_code == 201 and r.headers["ETag"] == '"1"'
    oid = r.get_json()["id"]
    assign = f"/rounds/{ROUND}/objections/{oid}/assign"
    verifier = {"assignee": "can-bo-thon"}
    assert api.post(assign, json=verifier, headers=OFFICER).status_code == 428
    assert api.post(assign, json=verifier, headers={**OFFICER, "If-Match": '"7"'}).status_code == 412
    assert api.post(assign, json=verifier, headers={**OFFICER, "If-Match": "x"}).status_code == 422
    assert api.post(assign, json={}, headers={**OFFICER, "If-Match": '"1"'}).status_code == 422
    r = api.post(
        assign, json={"assignee": "ai-do"}, headers={**OFFICER, "If-Match": '"1"'}
    )  # no such account
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "assignee": ["Không có tài khoản nào tên 'ai-do'."]
    }
    r = api.post(assign, json={"assignee": "can-bo-thon"}, headers={**OFFICER, "If-Match": '"1"'})
    assert r.status_code == 200 and r.get_json()["status"] == "assigned"
    resolve = f"/rounds/{ROUND}/objections/{oid}/resolve"
    assert (
        api.post(resolve, json={"resolution": "x"}, headers={**OFFICER, "If-Match": '"2"'}).status_code == 422
    )
    r = api.post(
        resolve, json={"resolution": "Đã xác minh", "upheld": False}, headers={**OFFICER, "If-Match": '"2"'}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"
    r = api.post(
        resolve, json={"resolution": "again", "upheld": True}, headers={**OFFICER, "If-Match": '"3"'}
    )
    assert r.status_code == 409
    assert (
        api.post(
            f"/rounds/{ROUND}/objections/nope/assign",
            json={"assignee": "a"},
            headers={**OFFICER, "If-Match": '"1"'},
        ).status_code
        == 404
    )
    with api.engine.connect() as conn:
        actions = (
            conn.execute(sa.select(t.audit.c.action).where(t.audit.c.chain == f"round:{ROUND}"))
            .scalars()
            .all()
        )
    assert actions == ["objection.filed", "objection.assigned", "objection.resolved"]
    history = api.get(f"/rounds/{ROUND}/history", headers=_as("auditor"))  # what an auditor reads
    assert history.status_code == 200 and history.get_json()["verified"] is True
    entries = history.get_json()["entries"]
    assert [e["action"] for e in entries] == actions and entries[0]["actor"] == "commune_association_officer"
    assert history.get_json()["chain"] == f"round:{ROUND}"
    hanoi = Principal(user_id="a", username="a", role="auditor", scope_code="01", scope_path="01")
    assert api.get(f"/rounds/{ROUND}/history", headers=bearer(SECRET, hanoi)).status_code == 404
    assert api.get("/rounds/nope/history", headers=_as("auditor")).status_code == 404
    assert api.get(f"/rounds/{ROUND}/history", headers=_as("household_representative")).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"chair": "a", "secretary": "b", "attendance": ["a"]},  # no date
        {"met_on": "15/10/2026", "chair": "a", "secretary": "b", "attendance": ["a"]},
        {"met_on": "2026-10-15", "chair": "a", "secretary": "b", "attendance": []},
        {"met_on": "2026-10-15", "chair": "", "secretary": "b", "attendance": ["a"]},
        {
            "met_on": "2026-10-15",
            "chair": "a",
            "secretary": "b",
            "attendance": ["a"],
            "votes": [{"case_id": "c", "in_favour": -1, "against": 0}],
        },
    ],
)
def test_council_minutes_refuse_bad_input(api: Any, body: dict[str, Any]) -> None:
    r = api.post(f"/rounds/{ROUND}/council", json=body, headers={**OFFICER, "If-Match": '"3"'})
    assert r.status_code == 422 and r.get_json()["errors"]


def test_sign_and_lists_refuse_bad_input(api: Any) -> None:
    sign = f"/rounds/{ROUND}/sign"
    good = {"signer_name": "Lê Văn Sang", "signed_on": "2026-12-15"}
    assert api.post(sign, json=good, headers=CHAIRMAN).status_code == 428
    assert (
        api.post(sign, json={"signed_on": "2026-12-15"}, headers={**CHAIRMAN, "If-Match": '"3"'}).status_code
        == 422
    )
    assert (
        api.post(
            sign, json={**good, "signed_on": "hôm nay"}, headers={**CHAIRMAN, "If-Match": '"3"'}
        ).status_code
        == 422
    )
    assert api.post(sign, json=good, headers={**OFFICER, "If-Match": '"3"'}).status_code == 403
    assert (
        api.get(
            f"/rounds/{ROUND}/decision-list", query_string={"outcome": "maybe"}, headers=OFFICER
        ).status_code
        == 422
    )
    assert (
        api.get(f"/rounds/{ROUND}/decision-list", query_string={"limit": 0}, headers=OFFICER).status_code
        == 422
    )
    r = api.get(f"/rounds/{ROUND}/decision-list", headers=OFFICER)
    assert r.status_code == 200 and r.get_json() == {"items": [], "total": 0}
    assert api.get(f"/rounds/{ROUND}/documents", headers=OFFICER).get_json() == {"items": []}
    assert (
        api.get(f"/rounds/{ROUND}/documents", query_string={"case_id": "x"}, headers=OFFICER).status_code
        == 404
    )
    amend = f"/rounds/{ROUND}/amendments"
    body = {
        "decision_id": "none",
        "kind": "revocation",
        "reason": "x",
        "signer_name": "a",
        "signed_on": "2027-01-10",
    }
    assert api.post(amend, json=body, headers=CHAIRMAN).status_code == 404
    assert api.post(amend, json={**body, "kind": "edit"}, headers=CHAIRMAN).status_code == 422


def test_an_amendment_of_an_unknown_or_another_rounds_decision_is_404_naming_decision_id(api: Any) -> None:
    """Nothing is issued: no decision, no number, no audit entry, no event."""
    now = datetime.now(UTC)
    with api.engine.begin() as db:  # a recorded decision of another round (of the same ward)
        db.execute(
            t.rounds.insert().values(
                id="round-foreign",
                workflow_id="yearly-round/foreign",
                admin_unit_code=HCMC_WARD,
                year=2025,
                plan_code="ho-chi-minh-city-2023",
                phase="supplementary",
                version=9,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
        db.execute(
            t.decisions.insert().values(
                id="decision-foreign",
                round_id="round-foreign",
                title="learning_family",
                kind="recognition",
                number=1,
                symbol="QĐ-UBND",
                status="recorded",
                signer_name="Lê Văn Sang",
                signed_on=datetime(2025, 11, 20).date(),
                created_at=now,
                updated_at=now,
            )
        )
    tables = (t.decisions, t.decision_numbers, t.audit, t.outbox)
    before = [_count(api, table) for table in tables]
    amend = f"/rounds/{ROUND}/amendments"
    body = {"kind": "revocation", "reason": "x", "signer_name": "a", "signed_on": "2027-01-10"}
    try:
        for decision_id in ("none", "decision-foreign"):
            r = api.post(amend, json={**body, "decision_id": decision_id}, headers=CHAIRMAN)
            assert r.status_code == 404 and r.get_json()["code"] == "not_found", r.get_json()
            assert r.get_json()["message"] == f"Không tìm thấy quyết định {decision_id}."
            assert r.get_json()["errors"] == {
                "decision_id": [f"Đợt xét này không có quyết định '{decision_id}'."]
            }
            english = api.post(
                amend,
                json={**body, "decision_id": decision_id},
                headers={**CHAIRMAN, "Accept-Language": "en"},
            ).get_json()
            assert english["message"] == f"Decision {decision_id} not found."
            assert english["errors"] == {"decision_id": [f"This round has no decision '{decision_id}'."]}
        assert [_count(api, table) for table in tables] == before
    finally:
        with api.engine.begin() as db:
            db.execute(t.decisions.delete().where(t.decisions.c.id == "decision-foreign"))
            db.execute(t.rounds.delete().where(t.rounds.c.id == "round-foreign"))


class _EndedGateway(FakeGateway):
    """Temporal when the round's workflow has ended: the Update's RPC answers NOT_FOUND."""

    def __init__(self) -> None:
        self.updates: list[str] = []

    def execute_update(self, workflow_id: str, update: str, arg: Any, *, result_type: Any = None) -> Any:
        from temporalio.service import RPCError, RPCStatusCode

        from common.errors import DependencyUnavailable

        self.updates.append(update)
        try:
            raise RPCError("workflow execution already completed", RPCStatusCode.NOT_FOUND, b"")
        except RPCError as exc:
            raise DependencyUnavailable("temporal", str(exc)) from exc


def _set_phase(api: Any, phase: str, version: int) -> None:
    with api.engine.begin() as conn:
        conn.execute(t.rounds.update().where(t.rounds.c.id == ROUND).values(phase=phase, version=version))


def test_an_update_in_the_wrong_phase_or_to_an_ended_round_is_409_with_the_reason(api: Any) -> None:
    gateway = _EndedGateway()
    app_gateway = api.application.extensions["evaluation"]
    saved = app_gateway.gateway
    app_gateway.gateway = gateway
    sign = f"/rounds/{ROUND}/sign"
    good = {"signer_name": "Lê Văn Sang", "signed_on": "2026-12-15"}
    minutes = {
        "met_on": "2026-10-20",
        "chair": "Ông A",
        "secretary": "Bà B",
        "attendance": ["Ông A", "Bà B"],
    }
    english = {"Accept-Language": "en"}
    try:
        # The stored phase is posting: neither Update is sent.
        r = api.post(sign, json=good, headers={**CHAIRMAN, "If-Match": '"3"'})
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["message"] == (
            "Đợt xét đang ở giai đoạn “niêm yết công khai”, chưa đến bước “chờ ký quyết định”."
        )
        r = api.post(f"/rounds/{ROUND}/council", json=minutes, headers={**OFFICER, "If-Match": '"3"'})
        assert r.status_code == 409 and r.get_json()["code"] == "invalid_transition"
        _set_phase(api, "closed", 10)
        r = api.post(sign, json=good, headers={**CHAIRMAN, "If-Match": '"10"', **english})
        assert r.status_code == 409
        assert r.get_json()["message"] == "The round is past this step (it is in the closed phase)."
        assert gateway.updates == []
        # The stored phase says awaiting signature, but the workflow has ended: 409, not 503.
        _set_phase(api, "awaiting_signature", 6)
        r = api.post(sign, json=good, headers={**CHAIRMAN, "If-Match": '"6"', **english})
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["message"] == "The round's workflow has ended; this step is no longer taken."
        assert gateway.updates == ["sign"]
    finally:
        _set_phase(api, "posting", 3)
        app_gateway.gateway = saved


class _SigningGateway(FakeGateway):
    """Temporal running the round's signature activity on the API's own database: its refusal comes back
    as the workflow reports it (the activity's ApplicationError as the Update's failure)."""

    def __init__(self, uow: Any) -> None:
        self._activities = RoundActivities(uow)

    def execute_update(self, workflow_id: str, update: str, arg: Any, *, result_type: Any = None) -> Any:
        from temporalio.client import WorkflowUpdateFailedError
        from temporalio.exceptions import ApplicationError

        if update in ("sign", "sign_supplement"):
            try:
                self._activities.record_signature(rc.SignRecordInput(ROUND, arg.expected_version + 1, arg))
            except ApplicationError as exc:
                raise WorkflowUpdateFailedError(exc) from exc
        return super().execute_update(workflow_id, update, arg, result_type=result_type)


def _decision(decision_id: str, kind: str, status: str, signed_on: str | None) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": decision_id,
        "round_id": ROUND,
        "title": "learning_family",
        "kind": kind,
        "number": 1 if status == "recorded" else None,
        "symbol": "QĐ-UBND",
        "status": status,
        "signer_name": "Lê Văn Sang" if signed_on else None,
        "signed_on": date.fromisoformat(signed_on) if signed_on else None,
        "created_at": now,
        "updated_at": now,
    }


@pytest.mark.parametrize(
    ("phase", "path", "signed_on", "message", "reason", "reason_en", "message_en"),
    [
        (
            "awaiting_signature",
            "sign",
            "2025-12-15",
            "Ngày ký không hợp lệ.",
            "Ngày ký 2025-12-15 phải trong năm 2026 hoặc 2027.",
            "The signing date 2025-12-15 must fall in 2026 or 2027.",
            "The signing date is outside the round.",
        ),
        (
            "supplement_signature",
            "supplementary/sign",
            "2026-11-01",
            "Quyết định bổ sung không thể ký trước quyết định công nhận của đợt.",
            "Ngày ký 2026-11-01 trước ngày ký quyết định công nhận của đợt (2026-11-20).",
            "The signing date 2026-11-01 is before the round's decision (2026-11-20).",
            "A supplementary decision cannot be signed before the round's decision.",
        ),
    ],
    ids=["outside-the-round-years", "supplementary-before-the-round-decision"],
)
def test_a_signature_date_the_round_refuses_is_422_naming_signed_on_and_nothing_is_signed(
    api: Any,
    phase: str,
    path: str,
    signed_on: str,
    message: str,
    reason: str,
    reason_en: str,
    message_en: str,
) -> None:
    container = api.application.extensions["evaluation"]
    saved = container.gateway
    container.gateway = _SigningGateway(container.uow)
    decisions = [
        _decision("sign-recognition", "recognition", "recorded", "2026-11-20"),
        _decision("sign-supplementary", "supplementary", "draft", None),
    ]
    with api.engine.begin() as db:
        db.execute(t.decisions.insert(), decisions if phase == "supplement_signature" else decisions[1:])
    tables = (t.decision_numbers, t.audit, t.outbox)
    before = [_count(api, table) for table in tables]
    _set_phase(api, phase, 6)
    good = {"signer_name": "Lê Văn Sang", "signed_on": signed_on}
    try:
        r = api.post(f"/rounds/{ROUND}/{path}", json=good, headers={**CHAIRMAN, "If-Match": '"6"'})
        body = r.get_json()
        assert r.status_code == 422 and body["code"] == "validation_failed", body
        assert body["message"] == message and body["errors"] == {"signed_on": [reason]}
        english = api.post(
            f"/rounds/{ROUND}/{path}",
            json=good,
            headers={**CHAIRMAN, "If-Match": '"6"', "Accept-Language": "en"},
        ).get_json()
        assert english["errors"] == {"signed_on": [reason_en]} and english["message"] == message_en
        assert [_count(api, table) for table in tables] == before
        with api.engine.connect() as db:
            draft = db.execute(sa.select(t.decisions).where(t.decisions.c.id == "sign-supplementary")).one()
            version = db.execute(sa.select(t.rounds.c.version).where(t.rounds.c.id == ROUND)).scalar_one()
        assert (draft.status, draft.number, draft.signed_on, version) == ("draft", None, None, 6)
    finally:
        with api.engine.begin() as db:
            db.execute(t.decisions.delete().where(t.decisions.c.id.in_([d["id"] for d in decisions])))
        _set_phase(api, "posting", 3)
        container.gateway = saved


OTHER_WARD, HANOI_WARD = "26526", "00070"  # Phường Tam Thắng (79/26526), Phường Hoàn Kiếm (01/00070)


@pytest.fixture(scope="module")
def listed(api: Any) -> dict[str, str]:
    """Three more rounds: the ward's 2023 (closed), a neighbouring ward's 2024 (council), Hà Nội's 2025."""
    now = datetime.now(UTC)
    rows = {
        "round-ward-2023": (HCMC_WARD, 2023, "closed"),
        "round-other-2024": (OTHER_WARD, 2024, "council"),
        "round-hanoi-2025": (HANOI_WARD, 2025, "posting"),
    }
    with api.engine.begin() as db:
        for round_id, (unit, year, phase) in rows.items():
            db.execute(
                t.rounds.insert().values(
                    id=round_id,
                    workflow_id=f"yearly-round/{unit}/{year}/plan",
                    admin_unit_code=unit,
                    year=year,
                    plan_code="plan",
                    phase=phase,
                    version=10,
                    opened_by="t",
                    created_at=now,
                    updated_at=now,
                )
            )
    return {round_id: unit for round_id, (unit, _, _) in rows.items()}


def _listed(api: Any, headers: dict[str, str], **query: Any) -> list[str]:
    r = api.get("/rounds", query_string=query, headers=headers)
    assert r.status_code == 200, r.get_json()
    return [item["id"] for item in r.get_json()["items"]]


def test_the_round_list_holds_the_rounds_of_my_scope_newest_year_first(api: Any, listed: Any) -> None:
    r = api.get("/rounds", headers=OFFICER)
    body = r.get_json()
    assert [i["id"] for i in body["items"]] == [ROUND, "round-other-2024", "round-ward-2023"]
    assert body["total"] == 3  # Hà Nội's round lies outside the city
    first = body["items"][0]
    assert first["admin_unit_code"] == HCMC_WARD and first["admin_unit_name"] == "Phường Vũng Tàu"
    assert first["year"] == 2026 and first["workflow_id"] == "yearly-round/x" and "council" not in first
    national = bearer(
        SECRET, Principal(user_id="n", username="n", role="auditor", scope_code=None, scope_path="")
    )
    assert _listed(api, national)[:2] == [ROUND, "round-hanoi-2025"]
    # a ward's chairman sees his ward's rounds only (the scope is filtered in the query)
    ward = bearer(
        SECRET,
        Principal(
            user_id="c",
            username="c",
            role="commune_chairman",
            scope_code=OTHER_WARD,
            scope_path=f"79/{OTHER_WARD}",
        ),
    )
    assert _listed(api, ward) == ["round-other-2024"]


def test_the_round_list_filters_by_commune_year_and_phase(api: Any, listed: Any) -> None:
    assert _listed(api, CHAIRMAN, admin_unit_code=HCMC_WARD) == [ROUND, "round-ward-2023"]
    assert _listed(api, CHAIRMAN, year=2024) == ["round-other-2024"]
    assert _listed(api, CHAIRMAN, phase="closed") == ["round-ward-2023"]
    assert _listed(api, CHAIRMAN, admin_unit_code=HCMC_WARD, year=2024) == []
    assert _listed(api, CHAIRMAN, year=2025) == []  # Hà Nội's, outside the scope


def test_the_round_list_is_paged(api: Any, listed: Any) -> None:
    r = api.get("/rounds", query_string={"limit": 1, "offset": 1}, headers=OFFICER)
    assert r.get_json() == {"items": [r.get_json()["items"][0]], "total": 3}
    assert r.get_json()["items"][0]["id"] == "round-other-2024"
    assert _listed(api, OFFICER, limit=2, offset=2) == ["round-ward-2023"]
    assert _listed(api, OFFICER, offset=3) == []


def test_the_round_list_of_a_commune_outside_my_scope_is_404(api: Any, listed: Any) -> None:
    for code in (HANOI_WARD, "00000"):
        r = api.get("/rounds", query_string={"admin_unit_code": code}, headers=OFFICER)
        assert r.status_code == 404 and r.get_json()["code"] == "not_found", code
    assert api.get("/rounds").status_code == 401
    assert api.get("/rounds", headers=_as("household_representative")).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "năm nay"}, "year"),
        ({"year": 1999}, "year"),
        ({"phase": "voting"}, "phase"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"offset": -1}, "offset"),
        ({"admin_unit_code": ""}, "admin_unit_code"),
    ],
)
def test_the_round_list_refuses_bad_query_values(api: Any, query: dict[str, Any], field: str) -> None:
    r = api.get("/rounds", query_string=query, headers=OFFICER)
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "validation_error", body
    assert list(body["errors"]["query"]) == [field]


# --- supplementary decisions and closing (after the round's decision) --------------------------------


class _RecordingGateway(FakeGateway):
    """The fake gateway, remembering the Updates sent."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, Any]] = []

    def execute_update(self, workflow_id: str, update: str, arg: Any, *, result_type: Any = None) -> Any:
        self.updates.append((update, arg))
        return super().execute_update(workflow_id, update, arg, result_type=result_type)


def _late_case(api: Any, status: str = "awaiting_decision") -> str:
    """A case of the round's ward and year that reached `status` after the decision list was built."""
    import uuid

    case_id, now = str(uuid.uuid4()), datetime.now(UTC)
    with api.engine.begin() as conn:
        conn.execute(
            t.cases.insert().values(
                id=case_id,
                workflow_id=f"recognition/2026/learning_family/{case_id}",
                run_id="r",
                year=2026,
                title="learning_family",
                subject_id=f"late-{case_id[:8]}",
                admin_unit_code=HCMC_WARD,
                status=status,
                version=4,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    return case_id


def _drop_case(api: Any, case_id: str) -> None:
    with api.engine.begin() as conn:
        conn.execute(t.cases.delete().where(t.cases.c.id == case_id))


@pytest.fixture
def supplementary(api: Any) -> Any:
    """The round in `supplementary` (version 10) with a recording gateway; restored afterwards."""
    ext = api.application.extensions["evaluation"]
    saved, gateway = ext.gateway, _RecordingGateway()
    ext.gateway = gateway
    _set_phase(api, "supplementary", 10)
    try:
        yield gateway
    finally:
        _set_phase(api, "posting", 3)
        ext.gateway = saved


def test_a_supplementary_list_is_asked_of_the_round_with_if_match(api: Any, supplementary: Any) -> None:
    path = f"/rounds/{ROUND}/supplementary"
    late = _late_case(api)
    try:
        assert api.post(path, headers=OFFICER).status_code == 428
        assert api.post(path, headers={**OFFICER, "If-Match": "x"}).status_code == 422
        r = api.post(path, headers={**OFFICER, "If-Match": '"10"'})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["phase"] == "supplement_signature" and r.headers["ETag"] == '"9"'
        [(update, arg)] = supplementary.updates
        assert update == "supplement"
        assert (arg.actor, arg.role, arg.expected_version) == (
            "commune_association_officer",
            "commune_association_officer",
            10,
        )
    finally:
        _drop_case(api, late)


def test_an_empty_supplementary_list_is_refused_with_409_and_nothing_sent(
    api: Any, supplementary: Any
) -> None:
    draft = _late_case(api, status="draft")  # not awaiting a decision: no supplementary list
    try:
        r = api.post(
            f"/rounds/{ROUND}/supplementary", headers={**OFFICER, "If-Match": '"10"', "Accept-Language": "en"}
        )
        assert r.status_code == 409, r.get_json()
        assert r.get_json()["message"] == (
            "No case awaits a decision outside the round's decisions: there is no supplementary list to build."
        )
        assert supplementary.updates == []
    finally:
        _drop_case(api, draft)


def test_supplementary_steps_refuse_wrong_roles_scope_and_phase(api: Any, supplementary: Any) -> None:
    village = _as("village_officer")
    hanoi = bearer(
        SECRET,
        Principal(
            user_id="hn",
            username="hn",
            role="commune_association_officer",
            scope_code="01",
            scope_path="01",
        ),
    )
    hanoi_chairman = bearer(
        SECRET,
        Principal(user_id="hc", username="hc", role="commune_chairman", scope_code="01", scope_path="01"),
    )
    sign = f"/rounds/{ROUND}/supplementary/sign"
    good = {"signer_name": "Lê Văn Sang", "signed_on": "2026-12-20"}
    for path, headers in (
        (f"/rounds/{ROUND}/supplementary", village),
        (f"/rounds/{ROUND}/close", village),
        (sign, OFFICER),  # the chairman alone signs
    ):
        r = api.post(path, json=good if path == sign else None, headers={**headers, "If-Match": '"10"'})
        assert r.status_code == 403 and r.get_json()["code"] == "forbidden", (path, r.get_json())
    for path, headers in (
        (f"/rounds/{ROUND}/supplementary", hanoi),
        (f"/rounds/{ROUND}/close", hanoi),
        (sign, hanoi_chairman),
        ("/rounds/no-such-round/supplementary", OFFICER),
    ):
        r = api.post(path, json=good if path == sign else None, headers={**headers, "If-Match": '"10"'})
        assert r.status_code == 404 and r.get_json()["code"] == "not_found", (path, r.get_json())
    r = api.post(sign, json={"signer_name": ""}, headers={**CHAIRMAN, "If-Match": '"10"'})
    assert r.status_code == 422 and {"signer_name", "signed_on"} <= set(r.get_json()["errors"]["json"])
    # In `supplementary` nothing awaits the signature: 409 naming the phase, nothing sent.
    r = api.post(sign, json=good, headers={**CHAIRMAN, "If-Match": '"10"', "Accept-Language": "en"})
    assert r.status_code == 409
    assert r.get_json()["message"] == (
        "The round is in the supplementary decisions phase, not awaiting the supplementary signature."
    )
    assert supplementary.updates == []
    _set_phase(api, "supplement_signature", 11)
    r = api.post(sign, json=good, headers={**CHAIRMAN, "If-Match": '"11"'})
    assert r.status_code == 200 and r.get_json()["phase"] == "recording"
    assert [u for u, _ in supplementary.updates] == ["sign_supplement"]
    # Before the round's decision, and once it is closed: 409.
    for phase, version in (("council", 4), ("closed", 12)):
        _set_phase(api, phase, version)
        for path in (f"/rounds/{ROUND}/supplementary", f"/rounds/{ROUND}/close"):
            r = api.post(path, headers={**OFFICER, "If-Match": f'"{version}"'})
            assert r.status_code == 409 and r.get_json()["code"] == "invalid_transition", (phase, path)
    assert [u for u, _ in supplementary.updates] == ["sign_supplement"]


def test_the_association_closes_the_round(api: Any, supplementary: Any) -> None:
    path = f"/rounds/{ROUND}/close"
    assert api.post(path, headers=OFFICER).status_code == 428
    r = api.post(path, headers={**OFFICER, "If-Match": '"10"'})
    assert r.status_code == 200 and r.get_json()["phase"] == "closed"
    assert [u for u, _ in supplementary.updates] == ["close"]


def test_the_supplementary_lists_are_read_apart(api: Any) -> None:
    r = api.get(f"/rounds/{ROUND}/decision-list", query_string={"kind": "supplementary"}, headers=OFFICER)
    assert r.status_code == 200 and r.get_json() == {"items": [], "total": 0}
    r = api.get(f"/rounds/{ROUND}/decision-list", query_string={"kind": "amendment"}, headers=OFFICER)
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]["query"]
