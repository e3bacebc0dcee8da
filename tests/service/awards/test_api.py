"""Bad input to the awards API: 422 naming the field, 404 for what does not exist, 503 (and nothing
written) when the evaluation service does not answer, never a 500."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from common.auth import Principal
from common.db import make_engine
from common.errors import NotFound
from common.settings import DEFAULT_SECRET_KEY, CommonSettings
from infra.migrate import upgrade
from services.awards.adapters import tables as t
from services.awards.adapters.unit_of_work import SqlUnitOfWork
from services.awards.app import create_app
from services.awards.config import Settings
from services.awards.domain.eligibility import Recognition
from services.awards.domain.model import AwardForm, AwardRound
from tests.conftest import free_port
from tests.signin import bearer

GOOD = {
    "nominee_kind": "household",
    "subject_id": "HH-1",
    "name": "Hộ 1",
    "unit_code": "15664-V01",
    "form_key": "giay_khen:commune_chairman",
    "achievements": "x",
    "declarations": {"discipline": False, "inspection": False, "complaint": False},
}
OPEN = {
    "plan_code": "van-hoa-2023",
    "kind": "so_ket",
    "year": 2026,
    "level": "commune",
    "admin_unit_code": "15664",
}
ADMIN_PRINCIPAL = Principal("a", "admin", "administrator", None, "")
ADMIN = bearer(DEFAULT_SECRET_KEY, ADMIN_PRINCIPAL)


def _awards_app(url: str) -> Any:
    """The awards app on a new database at `url` holding round r-1 (nominating); its evaluation service is
    a closed port."""
    upgrade("awards", url)
    with SqlUnitOfWork(make_engine(url)) as uow:
        uow.rounds.add(
            AwardRound(
                id="r-1",
                plan_code="van-hoa-2023",
                kind="so_ket",
                year=2026,
                level="commune",
                admin_unit_code="15664",
                status="nominating",
                created_by="t",
                created_at=datetime.now(UTC),
                admin_unit_path="38/15664",
                forms=(AwardForm("giay_khen", "commune_chairman", "Giấy khen", 2),),
                workflow_id="nomination-round/r-1",
            )
        )
        uow.commit()
    settings = Settings(
        database_url=url, common=CommonSettings(evaluation_url=f"http://127.0.0.1:{free_port()}")
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _awards_app(f"sqlite:///{tmp_path_factory.mktemp('awards-api') / 'awards.db'}").test_client()


UNITS = {"38": "38", "15664": "38/15664", "15664-V01": "38/15664/15664-V01", "15667": "38/15667"}


class _TwoYearsRecognised:
    """The evaluation service: every subject recognised in 2024 and 2025 (eligible for the commune
    chairman's Giấy khen); the units of `UNITS` (Thanh Hóa, the commune Vạn Hòa, a village of it, a
    neighbouring commune); no plan."""

    def recognitions(self, subject_id: str) -> list[Recognition]:
        return [Recognition("learning_family", 2024), Recognition("learning_family", 2025)]

    def admin_unit(self, code: str) -> dict[str, Any]:
        if code not in UNITS:
            raise NotFound(f"Không tìm thấy đơn vị hành chính {code}.", f"No admin unit {code}.")
        return {"code": code, "name": f"Đơn vị {code}", "path": UNITS[code]}

    def plan(self, code: str) -> dict[str, Any]:
        raise NotFound(f"Không tìm thấy kế hoạch {code}.", f"No plan {code}.")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "yearly"}, "kind"),
        ({"year": 2031}, "year"),
        ({"level": "village"}, "level"),
        ({"admin_unit_code": "../x"}, "admin_unit_code"),
        ({"quotas": {"giay_khen:commune_chairman": -1}}, "quotas"),
        ({"nomination_deadline": "31/12/2026"}, "nomination_deadline"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_round_is_refused_with_its_field(api: Any, change: dict[str, Any], field: str) -> None:
    r = api.post("/rounds", json={**OPEN, **change}, headers=ADMIN)
    assert r.status_code == 422 and field in r.get_json()["errors"]["json"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nominee_kind": "clan"}, "nominee_kind"),
        ({"subject_id": ""}, "subject_id"),
        ({"declarations": {"lawsuit": False}}, "declarations"),
        ({"declarations": None}, "declarations"),
        (
            {
                "prior_awards": [
                    {"form": "huan_chuong", "authority": "x", "year": 2020, "decision_number": "1"}
                ]
            },
            "prior_awards",
        ),
        ({"priority_flags": ["friend_of_the_chairman"]}, "priority_flags"),
        ({"unit_code": "a b"}, "unit_code"),
        ({"initiatives": ["x"] * 51}, "initiatives"),
    ],
)
def test_a_bad_nomination_is_refused_with_its_field(api: Any, change: dict[str, Any], field: str) -> None:
    r = api.post("/rounds/r-1/nominations", json={**GOOD, **change}, headers=ADMIN)
    assert r.status_code == 422 and field in r.get_json()["errors"]["json"], r.get_json()


def test_a_missing_field_a_form_the_round_lacks_and_a_broken_body_are_422(api: Any) -> None:
    body = {k: v for k, v in GOOD.items() if k != "declarations"}
    assert (
        "declarations"
        in api.post("/rounds/r-1/nominations", json=body, headers=ADMIN).get_json()["errors"]["json"]
    )
    r = api.post("/rounds/r-1/nominations", json={**GOOD, "form_key": "bang_khen:province"}, headers=ADMIN)
    assert r.status_code == 422 and r.get_json()["errors"]["form_key"][0].startswith(
        "Hình thức phải là một trong: "
    )
    english = {**ADMIN, "Accept-Language": "en"}
    r = api.post("/rounds/r-1/nominations", json={**GOOD, "form_key": "bang_khen:province"}, headers=english)
    assert r.get_json()["errors"]["form_key"][0].startswith("One of: ")
    r = api.post("/rounds/r-1/nominations", data="{", content_type="application/json", headers=ADMIN)
    assert r.status_code == 422


def test_the_council_needs_three_members_and_scores_stay_in_range(api: Any) -> None:
    r = api.put(
        "/rounds/r-1/council",
        json={"members": [{"username": "a", "full_name": "A", "position_vi": "B"}]},
        headers=ADMIN,
    )
    assert r.status_code == 422 and "members" in r.get_json()["errors"]["json"]
    r = api.post("/nominations/nope/scores", json={"score": -1, "approve": True}, headers=ADMIN)
    assert r.status_code == 422 and "score" in r.get_json()["errors"]["json"]
    r = api.post(
        "/rounds/r-1/decision",
        json={"number": "1 QĐ", "decided_on": "2026-02-30", "signer_name": "", "reason": "r"},
        headers=ADMIN,
    )
    assert r.status_code == 422 and {"number", "decided_on", "signer_name"} <= set(
        r.get_json()["errors"]["json"]
    )


def test_what_does_not_exist_is_404(api: Any) -> None:
    for path in (
        "/rounds/nope",
        "/rounds/nope/nominations",
        "/nominations/nope",
        "/rounds/r-1/decision",
        "/nominations/nope/dossier.zip",
    ):
        assert api.get(path, headers=ADMIN).status_code == 404, path
    r = api.post(
        "/nominations/nope/evidence",
        data={"file": (io.BytesIO(b"x"), "a.txt")},
        content_type="multipart/form-data",
        headers=ADMIN,
    )
    assert r.status_code == 404


def test_without_the_evaluation_service_a_nomination_is_503_and_nothing_is_written(api: Any) -> None:
    r = api.post("/rounds/r-1/nominations", json=GOOD, headers=ADMIN)
    assert r.status_code == 503 and r.get_json()["errors"]["dependency"] == "evaluation"
    assert api.get("/rounds/r-1/nominations", headers=ADMIN).get_json() == []
    r = api.post("/rounds", json=OPEN, headers=ADMIN)
    assert r.status_code == 503
    assert [x["id"] for x in api.get("/rounds", headers=ADMIN).get_json()] == ["r-1"]


def test_a_second_nomination_of_the_same_subject_for_the_same_form_is_409_and_writes_nothing(
    tmp_path: Any,
) -> None:
    url = f"sqlite:///{tmp_path / 'awards.db'}"
    app = _awards_app(url)
    app.extensions["awards"].evaluation = _TwoYearsRecognised()
    client = app.test_client()
    first = client.post("/rounds/r-1/nominations", json=GOOD, headers=ADMIN)
    assert first.status_code == 201, first.get_json()
    engine = make_engine(url)

    def counts() -> tuple[int, ...]:
        with engine.connect() as db:
            return tuple(
                int(db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for table in (t.nominations, t.outbox, t.audit_log)
            )

    before = counts()
    r = client.post("/rounds/r-1/nominations", json={**GOOD, "name": "Hộ 1 (gửi lại)"}, headers=ADMIN)
    body = r.get_json()
    assert r.status_code == 409 and body["code"] == "conflict", body
    assert body["message"] == "Đối tượng đã được đề nghị hình thức này."
    assert body["errors"] == {
        "subject_id": ["Đối tượng 'HH-1' đã được đề nghị hình thức giay_khen:commune_chairman trong đợt này."]
    }
    english = client.post("/rounds/r-1/nominations", json=GOOD, headers={**ADMIN, "Accept-Language": "en"})
    assert english.status_code == 409 and english.get_json()["message"] == "Already nominated for this form."
    assert english.get_json()["errors"] == {
        "subject_id": ["'HH-1' is already nominated for giay_khen:commune_chairman in this round."]
    }
    assert counts() == before and before[0] == 1
    [only] = client.get("/rounds/r-1/nominations", headers=ADMIN).get_json()
    assert only["id"] == first.get_json()["id"] and only["name"] == "Hộ 1"


def test_two_identical_nominations_at_once_are_one_nomination_and_one_409(
    tmp_path: Any, monkeypatch: Any
) -> None:
    """The race the duplicate check cannot see (both requests read no nomination, PostgreSQL's second
    INSERT then waits on the first and fails on the unique key): simulated by a check that sees nothing.
    The second answers the same 409 naming subject_id, never a 500, and nothing of it is written."""
    from services.awards.adapters.nomination_repository import NominationRepository

    url = f"sqlite:///{tmp_path / 'awards.db'}"
    app = _awards_app(url)
    app.extensions["awards"].evaluation = _TwoYearsRecognised()
    client = app.test_client()
    assert client.post("/rounds/r-1/nominations", json=GOOD, headers=ADMIN).status_code == 201
    monkeypatch.setattr(NominationRepository, "find", lambda *args, **kwargs: None)
    engine = make_engine(url)
    with engine.connect() as db:
        before = [
            int(db.execute(sa.select(sa.func.count()).select_from(x)).scalar_one())
            for x in (t.nominations, t.outbox, t.audit_log)
        ]
    r = client.post("/rounds/r-1/nominations", json=GOOD, headers={**ADMIN, "Accept-Language": "en"})
    assert r.status_code == 409 and r.get_json()["errors"] == {
        "subject_id": ["'HH-1' is already nominated for giay_khen:commune_chairman in this round."]
    }, r.get_json()
    with engine.connect() as db:
        after = [
            int(db.execute(sa.select(sa.func.count()).select_from(x)).scalar_one())
            for x in (t.nominations, t.outbox, t.audit_log)
        ]
    assert after == before


def test_a_rounds_history_shows_its_nominations_and_verifies_and_tampering_is_found(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'awards.db'}"
    app = _awards_app(url)
    app.extensions["awards"].evaluation = _TwoYearsRecognised()
    client = app.test_client()
    assert client.post("/rounds/r-1/nominations", json=GOOD, headers=ADMIN).status_code == 201
    auditor = bearer(DEFAULT_SECRET_KEY, Principal("k", "kiem-toan", "auditor", "38", "38"))
    history = client.get("/rounds/r-1/history", headers=auditor)
    assert history.status_code == 200 and history.get_json()["verified"] is True, history.get_json()
    entries = history.get_json()["entries"]
    assert entries[-1]["action"] == "nomination.submitted" and entries[-1]["actor"] == "admin"
    assert history.get_json()["chain"] == "award_round:r-1"
    national_auditor = bearer(DEFAULT_SECRET_KEY, Principal("k", "kiem-toan", "auditor", None, ""))
    assert client.get("/audit/verify", headers=national_auditor).get_json()["ok"] is True
    with make_engine(url).begin() as db:  # someone edits the trail behind the application's back
        db.execute(t.audit_log.update().values(actor="someone-else"))
    assert client.get("/rounds/r-1/history", headers=auditor).get_json()["verified"] is False
    report = client.get("/audit/verify", headers=national_auditor).get_json()
    assert report["ok"] is False and report["problems"][0]["chain"] == "award_round:r-1"


def test_a_round_of_an_unknown_unit_or_plan_is_422_naming_it(tmp_path: Any) -> None:
    app = _awards_app(f"sqlite:///{tmp_path / 'awards.db'}")
    app.extensions["awards"].evaluation = _TwoYearsRecognised()
    client = app.test_client()
    r = client.post("/rounds", json={**OPEN, "admin_unit_code": "00001"}, headers=ADMIN)
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "admin_unit_code": ["Không có đơn vị hành chính mang mã '00001'."]
    }, r.get_json()
    r = client.post(
        "/rounds", json={**OPEN, "plan_code": "khong-co"}, headers={**ADMIN, "Accept-Language": "en"}
    )
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "plan_code": ["No active plan has the code 'khong-co'."]
    }, r.get_json()
    outside = bearer(
        DEFAULT_SECRET_KEY, Principal("o", "o", "commune_association_officer", "15667", "38/15667")
    )
    assert client.post("/rounds", json=OPEN, headers=outside).status_code == 404  # no existence leak
    assert [x["id"] for x in client.get("/rounds", headers=ADMIN).get_json()] == ["r-1"]


@pytest.mark.parametrize(
    ("principal", "unit_code", "reason"),
    [
        (ADMIN_PRINCIPAL, "00001", "Không có đơn vị hành chính mang mã '00001'."),
        (ADMIN_PRINCIPAL, "15667", "Đơn vị '15667' không thuộc địa bàn của đợt khen thưởng."),
        (ADMIN_PRINCIPAL, "38", "Đơn vị '38' không thuộc địa bàn của đợt khen thưởng."),
        (
            Principal("v", "v", "village_officer", "15664-V01", "38/15664/15664-V01"),
            "15664",
            "Đơn vị '15664' không thuộc phạm vi của bạn.",
        ),
    ],
)
def test_a_nominee_of_an_unknown_unit_or_one_outside_the_round_or_the_nominators_scope_is_422(
    tmp_path: Any, principal: Principal, unit_code: str, reason: str
) -> None:
    url = f"sqlite:///{tmp_path / 'awards.db'}"
    app = _awards_app(url)
    app.extensions["awards"].evaluation = _TwoYearsRecognised()
    client = app.test_client()
    headers = bearer(DEFAULT_SECRET_KEY, principal)
    r = client.post("/rounds/r-1/nominations", json={**GOOD, "unit_code": unit_code}, headers=headers)
    assert r.status_code == 422 and r.get_json()["errors"] == {"unit_code": [reason]}, r.get_json()
    with make_engine(url).connect() as db:
        for table in (t.nominations, t.outbox, t.audit_log):
            assert db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
    village = bearer(
        DEFAULT_SECRET_KEY, Principal("v", "v", "village_officer", "15664-V01", "38/15664/15664-V01")
    )
    assert client.post("/rounds/r-1/nominations", json=GOOD, headers=village).status_code == 201
