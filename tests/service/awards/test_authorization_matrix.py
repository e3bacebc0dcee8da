"""The authorization matrix of the awards API: every endpoint (read from the Flask url_map, so a new
endpoint without a row here fails) × every role × in scope / out of scope. Wrong role: 403; right role
out of its scope: 404; right role in scope: through to the use case (which here answers with the round's
phase or the stored document). Without a token: 401 everywhere except the public endpoints.

The round belongs to the commune 15664 (Thanh Hóa, 38) and is decided; callers answer for the commune,
its village (the level below) or for Hà Nội (out of scope)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from common.auth import ROLES, Principal
from common.db import make_engine
from common.settings import DEFAULT_SECRET_KEY, CommonSettings
from common.web_auth import is_public
from infra.migrate import upgrade
from services.awards.adapters.unit_of_work import SqlUnitOfWork
from services.awards.app import build_storage, create_app
from services.awards.config import Settings
from services.awards.domain.model import AwardForm, AwardRound, Nomination
from tests.conftest import free_port
from tests.signin import bearer

PUBLIC = {"static", "api-docs.openapi_json", "health.Health"}
ROUND, NOM = "r-1", "n-1"
MANAGERS = {"administrator", "commune_association_officer", "commune_chairman", "unit_head"}
SIGNERS = {"administrator", "commune_chairman", "unit_head"}
STAFF = {
    "village_officer",
    "commune_association_officer",
    "learning_centre_staff",
    "commune_chairman",
    "unit_head",
    "administrator",
}
READERS = STAFF | {"auditor"}
COUNCIL = {"members": [{"username": f"m{i}", "full_name": "X", "position_vi": "Ủy viên"} for i in range(3)]}
NOMINEE = {
    "nominee_kind": "household",
    "subject_id": "HH-9",
    "name": "Hộ 9",
    "unit_code": "15664-V01",
    "form_key": "giay_khen:commune_chairman",
    "achievements": "x",
    "declarations": {"discipline": False, "inspection": False, "complaint": False},
}
DECISION = {"number": "1/QĐ-UBND", "decided_on": "2026-06-01", "signer_name": "A", "reason": "r"}
OPEN = {
    "plan_code": "van-hoa-2023",
    "kind": "so_ket",
    "year": 2026,
    "level": "commune",
    "admin_unit_code": "15664",
}

# (method, rule) -> (roles allowed, request keyword arguments)
MATRIX: dict[tuple[str, str], tuple[set[str], dict[str, Any]]] = {
    ("POST", "/rounds"): (MANAGERS, {"json": OPEN}),
    ("GET", "/rounds"): (READERS, {}),
    ("GET", "/rounds/<round_id>"): (READERS, {}),
    ("GET", "/rounds/<round_id>/history"): (READERS, {}),
    ("GET", "/audit/verify"): ({"auditor", "administrator"}, {}),
    ("PUT", "/rounds/<round_id>/council"): (MANAGERS, {"json": COUNCIL}),
    ("GET", "/rounds/<round_id>/council"): (READERS, {}),
    ("POST", "/rounds/<round_id>/close-nominations"): (MANAGERS, {"json": {"reason": "r"}}),
    ("POST", "/rounds/<round_id>/close-scoring"): (MANAGERS, {"json": {"reason": "r"}}),
    ("POST", "/rounds/<round_id>/decision"): (SIGNERS, {"json": DECISION}),
    ("GET", "/rounds/<round_id>/decision"): (READERS, {}),
    ("GET", "/rounds/<round_id>/decision.pdf"): (READERS, {}),
    ("POST", "/rounds/<round_id>/nominations"): (STAFF, {"json": NOMINEE}),
    ("GET", "/rounds/<round_id>/nominations"): (READERS, {}),
    ("GET", "/nominations/<nomination_id>"): (READERS, {}),
    ("POST", "/nominations/<nomination_id>/evidence"): (
        STAFF,
        {"data": {"file": (io.BytesIO(b"x"), "a.txt")}, "content_type": "multipart/form-data"},
    ),
    ("POST", "/nominations/<nomination_id>/scores"): (STAFF, {"json": {"score": 50, "approve": True}}),
    ("GET", "/nominations/<nomination_id>/dossier.pdf"): (READERS, {}),
    ("GET", "/nominations/<nomination_id>/dossier.zip"): (READERS, {}),
}
SCOPES = {"in": "38/15664", "below": "38/15664/15664-V01", "out": "01/00004"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, s3_server: dict[str, Any]) -> Any:
    root = tmp_path_factory.mktemp("awards-matrix")
    settings = Settings(
        database_url=f"sqlite:///{root / 'awards.db'}",
        documents_bucket=f"awards-{uuid.uuid4().hex[:8]}",
        common=CommonSettings(
            s3_endpoint=s3_server["endpoint"],
            s3_access_key=s3_server["access_key"],
            s3_secret_key=s3_server["secret_key"],
            evaluation_url=f"http://127.0.0.1:{free_port()}",
        ),
    )
    upgrade("awards", settings.database_url)
    storage = build_storage(settings)
    storage.ensure_bucket()
    for key in ("d.pdf", "n.pdf", "n.zip"):
        storage.put_stream(key, io.BytesIO(b"%PDF-1.4"), content_type="application/pdf", max_bytes=100)
    now = datetime.now(UTC)
    with SqlUnitOfWork(make_engine(settings.database_url)) as uow:
        uow.rounds.add(
            AwardRound(
                id=ROUND,
                plan_code="van-hoa-2023",
                kind="so_ket",
                year=2026,
                level="commune",
                admin_unit_code="15664",
                status="decided",
                created_by="t",
                created_at=now,
                admin_unit_path="38/15664",
                forms=(AwardForm("giay_khen", "commune_chairman", "Giấy khen", 2),),
                workflow_id="nomination-round/r-1",
            )
        )
        uow.nominations.add(
            Nomination(
                id=NOM,
                round_id=ROUND,
                nominee_kind="household",
                subject_id="HH-1",
                name="Hộ 1",
                unit_code="15664-V01",
                household_id=None,
                form_key="giay_khen:commune_chairman",
                achievements="x",
                initiatives=(),
                declarations={},
                prior_awards=(),
                priority_flags=(),
                evidence=(),
                status="awarded",
                nominated_by="other",
                nominated_at=now,
            )
        )
        uow.decisions.add(
            id="d-1",
            round_id=ROUND,
            number="1/QĐ",
            decided_on=date(2026, 6, 1),
            signer="s",
            signer_name="S",
            pdf_key="d.pdf",
            pdf_sha256="0" * 64,
            created_at=now,
        )
        uow.decisions.add_dossier(
            nomination_id=NOM,
            round_id=ROUND,
            pdf_key="n.pdf",
            pdf_sha256="0" * 64,
            zip_key="n.zip",
            zip_sha256="0" * 64,
            created_at=now,
        )
        uow.commit()
    return create_app(settings)


def _rules(app: Any) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if is_public(app, rule.endpoint) or rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, str(rule), rule.endpoint))
    return out


def _path(rule: str) -> str:
    return rule.replace("<round_id>", ROUND).replace("<nomination_id>", NOM)


def _headers(role: str, scope: str) -> dict[str, str]:
    code = scope.rsplit("/", 1)[-1]
    return bearer(DEFAULT_SECRET_KEY, Principal(f"id-{role}", f"{role}-x", role, code, scope))


def _call(app: Any, method: str, rule: str, headers: dict[str, str]) -> Any:
    kwargs = dict(MATRIX[(method, rule)][1])
    if "data" in kwargs:
        kwargs["data"] = {"file": (io.BytesIO(b"x"), "a.txt")}
    return app.test_client().open(_path(rule), method=method, headers=headers, **kwargs)


def test_every_endpoint_has_a_row(app: Any) -> None:
    assert {(m, r) for m, r, _ in _rules(app)} == set(MATRIX)


def test_without_a_token_every_endpoint_answers_401(app: Any) -> None:
    for method, rule, _ in _rules(app):
        r = _call(app, method, rule, {})
        assert r.status_code == 401, (method, rule)
        assert r.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize("role", ROLES)
def test_roles_and_scope(app: Any, role: str) -> None:
    for method, rule, _ in _rules(app):
        allowed = MATRIX[(method, rule)][0]
        r = _call(app, method, rule, _headers(role, SCOPES["in"]))
        if role not in allowed:
            assert r.status_code == 403, (role, method, rule, r.get_json())
            continue
        # In scope the use case answers: the round is decided, so phase-bound writes are 409. Verifying
        # every chain is the whole country's: 404 to anyone with a narrower scope.
        national_only = rule == "/audit/verify"
        assert r.status_code == 404 if national_only else r.status_code not in (401, 403, 404), (
            role,
            method,
            rule,
            r.get_json(),
        )
        if rule == "/rounds" or (method == "POST" and rule.endswith("/nominations")):
            continue  # opening asks the evaluation service first; nominating: see the next test
        if rule == "/audit/verify":
            continue  # national users only: see test_only_national_auditors_and_administrators_verify
        out = _call(app, method, rule, _headers(role, SCOPES["out"]))
        assert out.status_code == 404, (role, method, rule, out.get_json())


def test_a_nominator_from_the_village_reaches_the_round_and_out_of_scope_does_not(app: Any) -> None:
    rule = "/rounds/<round_id>/nominations"
    below = _call(app, "POST", rule, _headers("village_officer", SCOPES["below"]))
    assert below.status_code == 409 and below.get_json()["code"] == "invalid_transition"  # decided already
    out = _call(app, "POST", rule, _headers("village_officer", SCOPES["out"]))
    assert out.status_code == 404
    listed = _call(app, "GET", "/rounds", _headers("auditor", SCOPES["out"]))
    assert listed.status_code == 200 and listed.get_json() == []
    listed = _call(app, "GET", "/rounds", _headers("auditor", SCOPES["in"]))
    assert [r["id"] for r in listed.get_json()] == [ROUND]


def test_only_national_auditors_and_administrators_verify_every_chain(app: Any) -> None:
    for role in ROLES:
        r = _call(
            app,
            "GET",
            "/audit/verify",
            bearer(DEFAULT_SECRET_KEY, Principal(f"id-{role}", role, role, None, "")),
        )
        if role in ("auditor", "administrator"):
            assert r.status_code == 200 and r.get_json()["ok"] is True, (role, r.get_json())
        else:
            assert r.status_code == 403, role
