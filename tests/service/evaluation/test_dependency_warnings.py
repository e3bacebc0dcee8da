"""A revocation after the round's decision is recorded does not revoke the dependents it leaves short (a
revocation is the chairman's signed act) but flags them, in its own transaction: a village community
recognised with exactly 70 % of its households Learning Family, one of those families revoked → the
village is flagged (an audit entry in the round's chain and the village case's, one outbox event
`recognition.dependency_unmet`, a warning on GET /rounds/{id}); the same request again flags nothing
more; revoking the village itself drops the warning; a revocation that leaves the share met flags
nothing. On a real SQLite database, the round driven as its workflow would."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from common.auth import Principal
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service import amendments, rounds
from services.evaluation.service.audit import verify_audit
from services.evaluation.service.round_audit import decision_number, round_chain
from services.evaluation.service.steps import Actor
from tests.conftest import free_port
from tests.service.evaluation.matrix_world import FakeStorage
from tests.service.evaluation.test_round_dependencies import (
    AT_60,
    COMMUNE,
    _recorded,
    _world,
)
from tests.signin import bearer

UNMET = "decision.dependency_unmet"
EVENT = "recognition.dependency_unmet"
CHAIRMAN = Actor("chu-tich", "commune_chairman")
SECRET = "dependency-warnings-secret-01"


@pytest.fixture
def recorded(tmp_path: Path) -> dict[str, Any]:
    """Two villages recognised, each at exactly 70 %, by the round's recorded decision."""
    w = _world(tmp_path)
    decisions = _recorded(w)
    w["decisions"] = {d["title"]: d for d in decisions}
    w["url"] = str(w["engine"].url)
    with w["uow"]() as uow:
        held = {
            r["case_id"]
            for r in uow.decisions.recognitions_of(w["decisions"]["learning_community_village"]["id"])
        }
    assert held == {w["community"]["A"], w["community"]["B"]}
    return w


def _revoke(
    w: dict[str, Any], title: str, case_ids: list[str], reason: str = "Hộ kê khai không đúng"
) -> dict[str, Any]:
    return amendments.amend_decision(
        w["uow"](),
        FakeStorage(),
        round_id=w["round_id"],
        decision_id=w["decisions"][title]["id"],
        kind="revocation",
        reason=reason,
        changes=[],
        case_ids=case_ids,
        signer_name="Lê Văn Sang",
        signed_on=date(2026, 12, 20),
        actor=CHAIRMAN,
    )


def _entries(w: dict[str, Any], chain: str) -> list[Any]:
    with w["uow"]() as uow:
        return [e for e in uow.audit.entries(chain) if e.action == UNMET]


def _events(w: dict[str, Any]) -> list[dict[str, Any]]:
    with w["engine"].connect() as conn:
        rows = conn.execute(sa.select(t.outbox.c.body).where(t.outbox.c.event_type == EVENT)).scalars()
        return [json.loads(b) for b in rows]


def _another_family_recognised(w: dict[str, Any]) -> None:
    """A household of village A outside the list holds the title this year, recorded by another decision
    (a supplementary one, say)."""
    with w["engine"].begin() as conn:
        family = (
            conn.execute(sa.select(t.recognitions).where(t.recognitions.c.case_id == w["families"]["A"][0]))
            .mappings()
            .one()
        )
        conn.execute(
            t.cases.insert().values(
                **{
                    k: v
                    for k, v in conn.execute(sa.select(t.cases).where(t.cases.c.id == family["case_id"]))
                    .mappings()
                    .one()
                    .items()
                    if k not in ("id", "workflow_id", "subject_id")
                },
                id="case-extra-A",
                workflow_id="wf-extra-A",
                subject_id=w["extra"]["A"][0],
            )
        )
        conn.execute(
            t.recognitions.insert().values(
                **{k: v for k, v in family.items() if k not in ("id", "case_id", "subject_id")},
                id="rec-extra-A",
                case_id="case-extra-A",
                subject_id=w["extra"]["A"][0],
            )
        )


def _warnings(w: dict[str, Any]) -> list[dict[str, Any]]:
    return rounds.get_round(w["uow"](), round_id=w["round_id"])["dependency_warnings"]


def test_a_revoked_family_flags_its_village_once_and_revoking_the_village_drops_the_warning(
    recorded: dict[str, Any],
) -> None:
    w = recorded
    va, vb = w["community"]["A"], w["community"]["B"]
    villages = w["decisions"]["learning_community_village"]
    assert _warnings(w) == []
    revocation = _revoke(w, "learning_family", [w["families"]["A"][2]])
    assert revocation["created"]
    # The village stays recognised (not revoked automatically) ...
    with w["uow"]() as uow:
        standing = {r["case_id"]: r for r in uow.decisions.recognitions_of(villages["id"])}
    assert not standing[va]["revoked"] and not standing[vb]["revoked"]
    # ... but is flagged in the round's chain and its own case's, with the judge's reason.
    (entry,) = _entries(w, round_chain(w["round_id"]))
    assert entry.actor == "chu-tich" and entry.role == "commune_chairman" and entry.reason == AT_60
    assert entry.after == {
        "decision_id": villages["id"],
        "decision_number": decision_number(villages),
        "case_id": va,
        "subject_id": w["villages"]["A"],
        "title": "learning_community_village",
        "trigger": revocation["id"],
        "trigger_number": revocation["number_text"],
    }
    (in_case,) = _entries(w, f"case:{va}")
    assert in_case.after == entry.after and in_case.reason == AT_60
    assert _entries(w, f"case:{vb}") == []
    # One event, to the commune (no village code: its association and chairman are told).
    (event,) = _events(w)
    assert event["payload"]["case_id"] == va and event["payload"]["reason"] == AT_60
    assert event["payload"]["admin_unit_code"] == COMMUNE and "village_code" not in event["payload"]
    assert event["payload"]["trigger"] == revocation["id"]
    (warning,) = _warnings(w)
    assert (warning["case_id"], warning["subject_id"], warning["reason"]) == (va, w["villages"]["A"], AT_60)
    assert warning["decision_number"] == decision_number(villages)
    assert warning["subject_name"] and warning["flagged_at"] is not None

    # The same request again: the decision already issued, nothing flagged twice.
    again = _revoke(w, "learning_family", [w["families"]["A"][2]])
    assert not again["created"] and again["id"] == revocation["id"]
    assert len(_entries(w, round_chain(w["round_id"]))) == 1 and len(_events(w)) == 1
    assert len(_warnings(w)) == 1

    # Over HTTP: GET /rounds/{id} carries the warning.
    common = CommonSettings(
        broker_url="memory://",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key=SECRET,
    )
    api = create_app(Settings(database_url=w["url"], common=common)).test_client()
    with w["uow"]() as uow:
        path = uow.admin_units.get(COMMUNE).path
    auditor = bearer(
        SECRET,
        Principal(user_id="a", username="kiem-toan", role="auditor", scope_code=COMMUNE, scope_path=path),
    )
    r = api.get(f"/rounds/{w['round_id']}", headers=auditor)
    assert r.status_code == 200, r.get_json()
    (shown,) = r.get_json()["dependency_warnings"]
    assert (
        shown["case_id"] == va and shown["reason"] == AT_60 and shown["title"] == "learning_community_village"
    )
    assert (
        shown["decision_number"] == decision_number(villages)
        and shown["trigger_number"] == revocation["number_text"]
    )

    # The chairman revokes the village itself: the warning is gone (the audit keeps the flag).
    _revoke(w, "learning_community_village", [va], reason="Không còn đủ tỷ lệ gia đình học tập")
    assert _warnings(w) == []
    assert api.get(f"/rounds/{w['round_id']}", headers=auditor).get_json()["dependency_warnings"] == []
    assert len(_entries(w, round_chain(w["round_id"]))) == 1 and len(_events(w)) == 1
    assert verify_audit(w["uow"]()).ok


def test_a_revocation_that_leaves_the_share_met_flags_nothing(recorded: dict[str, Any]) -> None:
    w = recorded
    # A household of village A outside the list holds the title this year (recorded by another
    # decision): A is at 80 %, and one family revoked leaves it at 70 %.
    _another_family_recognised(w)
    _revoke(w, "learning_family", [w["families"]["A"][2]])
    assert _entries(w, round_chain(w["round_id"])) == [] and _events(w) == [] and _warnings(w) == []
    # A second family revoked takes A to 60 %: now it is flagged, by that revocation.
    second = _revoke(w, "learning_family", [w["families"]["A"][3]], reason="Hộ chuyển đi nơi khác")
    (entry,) = _entries(w, round_chain(w["round_id"]))
    assert entry.reason == AT_60 and entry.after["trigger"] == second["id"]
    assert [e["id"] for e in _events(w)] and len(_warnings(w)) == 1
    assert verify_audit(w["uow"]()).ok


def test_a_later_decision_that_restores_the_share_clears_the_warning(recorded: dict[str, Any]) -> None:
    """Warnings are judged again on reading: once another family of the village holds the title (a later
    supplementary decision), the village is no longer short and its warning goes; the flag stays in
    the audit trail."""
    w = recorded
    _revoke(w, "learning_family", [w["families"]["A"][2]])
    assert [x["case_id"] for x in _warnings(w)] == [w["community"]["A"]]
    _another_family_recognised(w)
    assert _warnings(w) == []
    assert len(_entries(w, round_chain(w["round_id"]))) == 1 and len(_events(w)) == 1
    assert verify_audit(w["uow"]()).ok
