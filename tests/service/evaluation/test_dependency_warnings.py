"""A revocation after the round's decision is recorded does not revoke the dependents it leaves short (a
revocation is the chairman's signed act) but flags them, in its own transaction: a village community
recognised with exactly 70 % of its households Learning Family, one of those families revoked → the
village is flagged (an audit entry in the round's chain and the village case's, one outbox event
`recognition.dependency_unmet`, a warning on GET /rounds/{id}); the same request again flags nothing
more; revoking the village itself drops the warning; a revocation that leaves the share met flags
nothing. A supplementary decision whose recognitions meet the share again restores the flag when its page
is recorded (`decision.dependency_restored` in both chains, one `recognition.dependency_restored` event),
once; one that leaves the share short restores nothing; a recognition flagged again after its restore is
restored again. On a real SQLite database, the round driven as its workflow would."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench.round_seed import seed_awaiting_cases
from common.auth import Principal
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service import amendments, decision_batch, decision_list, round_steps, rounds
from services.evaluation.service.audit import verify_audit
from services.evaluation.service.decision_batch import stable_id
from services.evaluation.service.round_audit import decision_number, get_round_or_raise, round_chain
from services.evaluation.service.steps import Actor
from tests.conftest import free_port
from tests.service.evaluation.matrix_world import FakeStorage
from tests.service.evaluation.test_round_dependencies import (
    AT_60,
    COMMUNE,
    PLAN,
    YEAR,
    _phase,
    _recorded,
    _sign,
    _world,
)
from tests.signin import bearer
from workflows.yearly_round import contracts as rc

UNMET = "decision.dependency_unmet"
EVENT = "recognition.dependency_unmet"
RESTORED = "decision.dependency_restored"
RESTORED_EVENT = "recognition.dependency_restored"
AT_50 = "Tỷ lệ đạt danh hiệu “Gia đình học tập” là 50%, chưa đạt 70% (10 thành viên)."
MET_70 = "Tỷ lệ đạt danh hiệu “Gia đình học tập” là 70%, đạt mức 70% (10 thành viên)."
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


def _entries(w: dict[str, Any], chain: str, action: str = UNMET) -> list[Any]:
    with w["uow"]() as uow:
        return [e for e in uow.audit.entries(chain) if e.action == action]


def _events(w: dict[str, Any], event_type: str = EVENT) -> list[dict[str, Any]]:
    with w["engine"].connect() as conn:
        rows = conn.execute(
            sa.select(t.outbox.c.body).where(t.outbox.c.event_type == event_type).order_by(t.outbox.c.seq)
        ).scalars()
        return [json.loads(b) for b in rows]


def _late_family(w: dict[str, Any], name: str, i: int) -> str:
    """One of village `name`'s households outside the round's lists (`extra`, no case yet) applies for
    Learning Family and reaches awaiting_decision after the round's decision: a supplementary case."""
    prefix = f"L{name}{i}"
    (case_id,) = seed_awaiting_cases(
        w["engine"],
        commune=COMMUNE,
        year=YEAR,
        plan_code=PLAN,
        villages=[w["villages"][name]],
        count=1,
        prefix=prefix,
    )
    with w["engine"].begin() as conn:  # the case is about the existing household, not a new one
        conn.execute(t.cases.update().where(t.cases.c.id == case_id).values(subject_id=w["extra"][name][i]))
        conn.execute(t.households.delete().where(t.households.c.household_code.like(f"{prefix}-%")))
    return case_id


def _version(w: dict[str, Any]) -> int:
    with w["uow"]() as uow:
        return int(uow.rounds.get(w["round_id"])["version"])


def _record(w: dict[str, Any], decision_id: str, limit: int = 500) -> None:
    """Record every page of a signed decision, as the workflow's activity does."""
    cursor = ""
    while True:
        page = decision_batch.record_decision_page(
            w["uow"](), inp=rc.DecisionPageInput(decision_id, cursor, limit)
        )
        cursor = page.next_after
        if page.done:
            return


def _signed_supplement(w: dict[str, Any], signed_on: str) -> list[dict[str, Any]]:
    """The round back in `supplementary`, a supplementary list built (the cases awaiting decision outside
    the round's lists) and signed by the chairman; returns its decisions, not yet recorded."""
    v = _version(w)
    _phase(w, rc.DOCUMENTS, v + 1)
    _phase(w, rc.SUPPLEMENTARY, v + 2)
    supplement = rc.SupplementInput("can-bo-xa", "commune_association_officer", v + 2)
    built = decision_list.build_supplementary_list(
        w["uow"](), inp=rc.SupplementListInput(w["round_id"], v + 3, supplement)
    )
    assert built.decision_ids
    _phase(w, rc.SUPPLEMENT_SIGNATURE, v + 3)
    _sign(w, version=v + 4, signed_on=signed_on)
    _phase(w, rc.RECORDING, v + 5)
    with w["uow"]() as uow:
        return [uow.decisions.get(i) for i in built.decision_ids]


def _supplement(w: dict[str, Any], signed_on: str) -> dict[str, Any]:
    """A supplementary decision signed and recorded (one title: Learning Family); returns it."""
    (decision,) = _signed_supplement(w, signed_on)
    assert decision["title"] == "learning_family"
    _record(w, decision["id"])
    with w["uow"]() as uow:
        return dict(uow.decisions.get(decision["id"]))


def _village_a_actions(w: dict[str, Any]) -> list[tuple[str, str]]:
    """The flags and restores of village A's recognition in the round's chain, in order, by trigger."""
    va = w["community"]["A"]
    with w["uow"]() as uow:
        return [
            (e.action, e.after["trigger"])
            for e in uow.audit.entries(round_chain(w["round_id"]))
            if e.action in (UNMET, RESTORED) and e.after["case_id"] == va
        ]


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


def test_a_supplementary_decision_that_meets_the_share_again_restores_the_flag_once(
    recorded: dict[str, Any],
) -> None:
    w = recorded
    va = w["community"]["A"]
    villages = w["decisions"]["learning_community_village"]
    revocation = _revoke(w, "learning_family", [w["families"]["A"][2]])  # A: 60 %, flagged
    assert [x["case_id"] for x in _warnings(w)] == [va]
    late = _late_family(w, "A", 0)
    supplementary = _supplement(w, "2026-12-21")  # A: 70 % again
    with w["uow"]() as uow:
        assert uow.decisions.recognition("extra-A-0", "learning_family", YEAR)["case_id"] == late
    number = decision_number(supplementary)
    assert number not in (decision_number(villages), revocation["number_text"])
    after = {
        "decision_id": villages["id"],
        "decision_number": decision_number(villages),
        "case_id": va,
        "subject_id": w["villages"]["A"],
        "title": "learning_community_village",
        "trigger": supplementary["id"],
        "trigger_number": number,
    }
    # One restore entry in the round's chain and one in the village case's, by the signing chairman, with
    # the share met in the judge's words; after the flag and the supplementary decision's signature.
    (entry,) = _entries(w, round_chain(w["round_id"]), RESTORED)
    assert (entry.actor, entry.role, entry.reason) == ("chu-tich", "commune_chairman", MET_70)
    assert entry.after == after
    (in_case,) = _entries(w, f"case:{va}", RESTORED)
    assert (in_case.actor, in_case.role, in_case.reason, in_case.after) == (
        "chu-tich",
        "commune_chairman",
        MET_70,
        after,
    )
    assert _entries(w, f"case:{w['community']['B']}", RESTORED) == []
    with w["uow"]() as uow:
        actions = [e.action for e in uow.audit.entries(round_chain(w["round_id"]))]
    assert actions.index(UNMET) < max(i for i, a in enumerate(actions) if a == "round.signed")
    assert max(i for i, a in enumerate(actions) if a == "round.signed") < actions.index(RESTORED)
    # One event, to the commune, with the flag's payload fields and a deterministic id.
    (event,) = _events(w, RESTORED_EVENT)
    assert event["id"] == stable_id("event", RESTORED_EVENT, supplementary["id"], va)
    assert event["payload"] == {
        **after,
        "round_id": w["round_id"],
        "year": YEAR,
        "reason": MET_70,
        "admin_unit_code": COMMUNE,
        "subject_village_code": w["villages"]["A"],
        # whose title it is, as the register names the village community
        "subject_code": w["villages"]["A"],
        "subject_name": "Thôn 1",
    }
    (unmet_event,) = _events(w)
    assert set(event["payload"]) == set(unmet_event["payload"])
    # The warning is gone (still judged on reading); the flag stays in the audit trail.
    assert _warnings(w) == []
    assert len(_entries(w, round_chain(w["round_id"]))) == 1 and len(_events(w)) == 1
    assert verify_audit(w["uow"]()).ok

    # Retried: the signature and the page again, and the restore itself again, write nothing more.
    sign = rc.SignInput("chu-tich", "commune_chairman", _version(w) - 2, "Lê Văn Sang", "2026-12-21")
    assert not round_steps.record_signature(
        w["uow"](), inp=rc.SignRecordInput(w["round_id"], _version(w) - 1, sign)
    )
    _record(w, supplementary["id"])
    with w["uow"]() as uow:
        again = decision_list.restore_met_dependencies(
            uow,
            get_round_or_raise(uow, w["round_id"]),
            trigger=supplementary["id"],
            trigger_number=number,
            actor="chu-tich",
            role="commune_chairman",
        )
        uow.commit()
    assert again == []
    assert len(_entries(w, round_chain(w["round_id"]), RESTORED)) == 1
    assert len(_entries(w, f"case:{va}", RESTORED)) == 1 and len(_events(w, RESTORED_EVENT)) == 1
    assert verify_audit(w["uow"]()).ok


def test_a_supplementary_decision_that_leaves_the_share_short_restores_nothing(
    recorded: dict[str, Any],
) -> None:
    w = recorded
    va = w["community"]["A"]
    _revoke(w, "learning_family", [w["families"]["A"][2], w["families"]["A"][3]])  # A: 50 %
    (flag,) = _entries(w, round_chain(w["round_id"]))
    assert flag.reason == AT_50
    _late_family(w, "A", 0)
    _supplement(w, "2026-12-21")  # A: 60 %, still short
    assert _entries(w, round_chain(w["round_id"]), RESTORED) == []
    assert _entries(w, f"case:{va}", RESTORED) == [] and _events(w, RESTORED_EVENT) == []
    assert [x["case_id"] for x in _warnings(w)] == [va]
    # The next supplementary decision takes A to 70 %: restored by that one.
    _late_family(w, "A", 1)
    second = _supplement(w, "2026-12-22")
    assert _village_a_actions(w) == [(UNMET, flag.after["trigger"]), (RESTORED, second["id"])]
    (event,) = _events(w, RESTORED_EVENT)
    assert event["payload"]["trigger"] == second["id"] and event["payload"]["reason"] == MET_70
    assert _warnings(w) == []
    assert verify_audit(w["uow"]()).ok


def test_a_recognition_flagged_again_after_its_restore_is_restored_again(recorded: dict[str, Any]) -> None:
    w = recorded
    va = w["community"]["A"]
    first = _revoke(w, "learning_family", [w["families"]["A"][2]])  # A: 60 %
    _late_family(w, "A", 0)
    s1 = _supplement(w, "2026-12-21")  # 70 %: restored
    assert _warnings(w) == []
    second = _revoke(w, "learning_family", [w["families"]["A"][3]], reason="Hộ chuyển đi nơi khác")  # 60 %
    (warning,) = _warnings(w)  # flagged again, as before any restore
    assert warning["case_id"] == va and warning["trigger"] == second["id"] and warning["reason"] == AT_60
    assert len(_events(w)) == 2
    _late_family(w, "A", 1)
    s2 = _supplement(w, "2026-12-22")  # 70 % again: restored again
    assert _village_a_actions(w) == [
        (UNMET, first["id"]),
        (RESTORED, s1["id"]),
        (UNMET, second["id"]),
        (RESTORED, s2["id"]),
    ]
    assert [e.after["trigger"] for e in _entries(w, f"case:{va}", RESTORED)] == [s1["id"], s2["id"]]
    events = _events(w, RESTORED_EVENT)
    assert [e["id"] for e in events] == [
        stable_id("event", RESTORED_EVENT, s1["id"], va),
        stable_id("event", RESTORED_EVENT, s2["id"], va),
    ]
    assert _warnings(w) == []
    assert verify_audit(w["uow"]()).ok


def test_one_supplementary_decision_restoring_a_recognition_flagged_again_between_its_pages(
    recorded: dict[str, Any],
) -> None:
    """Pages of one case each: the first page restores the flag, a revocation flags it again before the
    second page, which restores it again — a second event of the same decision and case, with its own
    id."""
    w = recorded
    va = w["community"]["A"]
    first = _revoke(w, "learning_family", [w["families"]["A"][2]])  # A: 60 %
    _late_family(w, "A", 0)
    _late_family(w, "A", 1)
    (decision,) = _signed_supplement(w, "2026-12-21")
    page = decision_batch.record_decision_page(w["uow"](), inp=rc.DecisionPageInput(decision["id"], "", 1))
    assert page.newly_recorded == 1 and _warnings(w) == []  # 70 %: restored
    second = _revoke(w, "learning_family", [w["families"]["A"][3]], reason="Hộ chuyển đi nơi khác")  # 60 %
    assert len(_warnings(w)) == 1
    _record(w, decision["id"], limit=1)  # the second case: 70 % again
    assert _village_a_actions(w) == [
        (UNMET, first["id"]),
        (RESTORED, decision["id"]),
        (UNMET, second["id"]),
        (RESTORED, decision["id"]),
    ]
    events = _events(w, RESTORED_EVENT)
    assert [e["id"] for e in events] == [
        stable_id("event", RESTORED_EVENT, decision["id"], va),
        stable_id("event", RESTORED_EVENT, decision["id"], va, second["id"]),
    ]
    assert _warnings(w) == []
    assert verify_audit(w["uow"]()).ok
