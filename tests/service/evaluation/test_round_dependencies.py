"""Recognition dependencies judged again whenever an outcome on a round's draft list changes, on a real
SQLite database: an upheld objection and the council's votes (by the actor of that step), a revocation
while a supplementary list awaits signature, and the chairman's signature as the last guard (by "system").
A village community at exactly 70 % of its households Learning Family falls under its share when one of
its families leaves the list, and is recognised again when the share is met again; a subject refused for
another reason stays refused. Every change is on the list and audited; the chains verify."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench.round_seed import ensure_villages, seed_awaiting_cases
from common.db import make_engine
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.service import amendments, decision_batch, decision_list, round_steps, rounds
from services.evaluation.service.audit import verify_audit
from services.evaluation.service.round_audit import round_chain
from services.evaluation.service.steps import Actor
from tests.conftest import seed_reference_data
from tests.service.evaluation.matrix_world import FakeStorage
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

COMMUNE, YEAR, PLAN = "15664", 2026, "van-hoa-2023"
IN_POSTING = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
VILLAGE_KEY = "cong-dong-hoc-tap-thon@2023.1"
AT_60 = "Tỷ lệ đạt danh hiệu “Gia đình học tập” là 60%, chưa đạt 70% (10 thành viên)."
OFFICER = Actor("can-bo-xa", "commune_association_officer")
REJUDGED = "decision.item_rejudged"


class Gateway:
    def __init__(self) -> None:
        self.signals: list[tuple[str, str]] = []

    def signal(self, workflow_id: str, signal: str, arg: Any = None) -> None:
        self.signals.append((workflow_id, signal))


def _village_case(engine: sa.Engine, village: str, prefix: str, status: str = lc.AWAITING_DECISION) -> str:
    """A learning-community case about the village itself."""
    (cid,) = seed_awaiting_cases(
        engine,
        commune=COMMUNE,
        year=YEAR,
        plan_code=PLAN,
        villages=[village],
        count=1,
        prefix=prefix,
        title="learning_community_village",
    )
    with engine.begin() as conn:
        conn.execute(t.cases.update().where(t.cases.c.id == cid).values(subject_id=village, status=status))
        conn.execute(
            t.case_progress.update()
            .where(t.case_progress.c.case_id == cid)
            .values(criteria_set_key=VILLAGE_KEY)
        )
        conn.execute(t.households.delete().where(t.households.c.household_code.like(f"{prefix}-%")))
    return cid


def _world(tmp_path: Path, *, village_a_status: str = lc.AWAITING_DECISION) -> dict[str, Any]:
    """Two villages of 10 households each, 7 of them applying for Learning Family (exactly 70 %), and
    each village's community case."""
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    villages = ensure_villages(uow, COMMUNE, 2)
    workflow_id, round_id = rounds.round_id_for(COMMUNE, YEAR, PLAN)
    rounds.record_round_opened(
        uow(), inp=rc.RoundOpenedInput(round_id, workflow_id, COMMUNE, YEAR, PLAN, "t")
    )
    families, extra = {}, {}
    for name, village in zip("AB", villages, strict=True):
        families[name] = seed_awaiting_cases(
            engine, commune=COMMUNE, year=YEAR, plan_code=PLAN, villages=[village], count=7, prefix=f"F{name}"
        )
        extra[name] = [f"extra-{name}-{i}" for i in range(3)]
        with engine.begin() as conn:
            conn.execute(
                t.households.insert(),
                [
                    {
                        "id": hid,
                        "commune_code": COMMUNE,
                        "household_code": hid,
                        "village_code": village,
                        "head_name": "Hộ chưa đăng ký",
                        "address": "x",
                    }
                    for hid in extra[name]
                ],
            )
    community = {
        "A": _village_case(engine, villages[0], "VA", village_a_status),
        "B": _village_case(engine, villages[1], "VB"),
    }
    return {
        "engine": engine,
        "uow": uow,
        "round_id": round_id,
        "villages": dict(zip("AB", villages, strict=True)),
        "families": families,
        "extra": extra,
        "community": community,
    }


def _phase(w: dict[str, Any], phase: str, version: int, **detail: Any) -> None:
    rounds.record_round_phase(
        w["uow"](), inp=rc.RoundPhaseInput(w["round_id"], phase, version, detail=detail)
    )


def _posted(w: dict[str, Any]) -> rc.DecisionList:
    built = decision_list.build_decision_list(w["uow"](), round_id=w["round_id"])
    _phase(w, rc.REVIEWING, 2)
    _phase(
        w,
        rc.POSTING,
        3,
        at="2026-10-01T08:00:00+07:00",
        posting_days=5,
        posting_working_days=True,
        days_off=[],
    )
    return built


def _uphold(w: dict[str, Any], case_id: str) -> None:
    gateway = Gateway()
    obj = round_steps.file_objection(
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        actor=OFFICER,
        filed_by="Bà Lê Thị Hoa",
        content="Hộ này chưa đủ điều kiện",
        case_id=case_id,
        now=IN_POSTING,
    )
    round_steps.resolve_objection(
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        objection_id=obj["id"],
        actor=Actor("truong-ban", "commune_chairman"),
        resolution="Xác minh đúng: hộ có con bỏ học",
        upheld=True,
        expected_version=1,
    )


def _council(w: dict[str, Any], votes: list[rc.Vote]) -> None:
    _phase(w, rc.COUNCIL, 4)
    minutes = rc.CouncilMinutes(
        met_on="2026-10-15",
        chair="Ông Lê Văn Sang",
        secretary="Bà Trần Thị Hà",
        attendance=["Ông Lê Văn Sang", "Bà Trần Thị Hà", "Ông Đỗ Văn Minh"],
        absent=[],
        votes=votes,
    )
    council = rc.CouncilInput("thu-ky", "commune_association_officer", 4, minutes)
    assert round_steps.record_council(w["uow"](), inp=rc.CouncilRecordInput(w["round_id"], 5, council))


def _sign(w: dict[str, Any], version: int = 7, signed_on: str = "2026-12-15") -> None:
    sign = rc.SignInput("chu-tich", "commune_chairman", version - 1, "Lê Văn Sang", signed_on)
    assert round_steps.record_signature(w["uow"](), inp=rc.SignRecordInput(w["round_id"], version, sign))


def _recorded(w: dict[str, Any]) -> list[dict[str, Any]]:
    """Post the list, take the council (no votes against), sign and record every page of the round's
    decisions, as the workflow's activities do; returns the decisions."""
    _posted(w)
    _council(w, [])
    _phase(w, rc.AWAITING_SIGNATURE, 6)
    _sign(w)
    _phase(w, rc.RECORDING, 8)
    with w["uow"]() as uow:
        decisions = uow.decisions.of_round(w["round_id"])
    for decision in decisions:
        cursor = ""
        while True:
            page = decision_batch.record_decision_page(
                w["uow"](), inp=rc.DecisionPageInput(decision["id"], cursor, 500)
            )
            cursor = page.next_after
            if page.done:
                break
    return decisions


def _villages(w: dict[str, Any], kind: str = "recognition") -> dict[str, dict[str, Any]]:
    """The village communities' rows as GET /rounds/{id}/decision-list answers them."""
    items = decision_list.decision_list(
        w["uow"](),
        round_id=w["round_id"],
        title="learning_community_village",
        outcome=None,
        village=None,
        offset=0,
        limit=10,
        kind=kind,
    )["items"]
    return {i["case_id"]: i for i in items}


def _rejudged(w: dict[str, Any]) -> list[Any]:
    with w["uow"]() as uow:
        return [e for e in uow.audit.entries(round_chain(w["round_id"])) if e.action == REJUDGED]


def _verified(w: dict[str, Any]) -> None:
    assert verify_audit(w["uow"]()).ok


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    return _world(tmp_path)


def test_a_village_at_70_percent_whose_family_is_voted_down_is_refused_with_the_reason(
    world: dict[str, Any],
) -> None:
    w = world
    built = _posted(w)
    assert built.not_recognised == 0  # both villages at exactly 70 %
    va, vb = w["community"]["A"], w["community"]["B"]
    # Village B is voted down itself, and one of its families too: it stays refused for the council.
    _council(
        w,
        [
            rc.Vote(w["families"]["A"][0], 1, 2, 0),
            rc.Vote(w["families"]["B"][0], 0, 3, 0),
            rc.Vote(vb, 1, 2, 0),
        ],
    )
    rows = _villages(w)
    assert rows[va]["outcome"] == lc.NOT_RECOGNISED and rows[va]["reason"] == AT_60
    assert rows[vb]["outcome"] == lc.NOT_RECOGNISED
    assert rows[vb]["reason"] == "Hội đồng không thông qua (1/3 phiếu tán thành)."
    (entry,) = _rejudged(w)
    assert entry.actor == "thu-ky" and entry.role == "commune_association_officer"
    assert entry.reason == AT_60
    assert entry.before == {"outcome": lc.RECOGNISED, "reason": None}
    assert entry.after["outcome"] == lc.NOT_RECOGNISED and entry.after["reason"] == AT_60
    assert entry.after["case_id"] == va and entry.after["trigger"] == "round.council_recorded"
    with w["uow"]() as uow:
        in_case = [e.action for e in uow.audit.entries(f"case:{va}")]
    assert REJUDGED in in_case
    # The signature finds nothing more to change, and the decision records the refusal.
    _phase(w, rc.AWAITING_SIGNATURE, 6)
    _sign(w)
    assert len(_rejudged(w)) == 1
    _verified(w)


def test_an_upheld_objection_against_a_family_takes_its_village_under_the_share(
    world: dict[str, Any],
) -> None:
    w = world
    _posted(w)
    va = w["community"]["A"]
    _uphold(w, w["families"]["A"][3])
    rows = _villages(w)
    assert rows[va]["outcome"] == lc.NOT_RECOGNISED and rows[va]["reason"] == AT_60
    assert rows[w["community"]["B"]]["outcome"] == lc.RECOGNISED
    (entry,) = _rejudged(w)
    assert entry.actor == "truong-ban" and entry.after["trigger"] == "objection.resolved"
    assert entry.before["outcome"] == lc.RECOGNISED and entry.after["outcome"] == lc.NOT_RECOGNISED
    # The objection's own entry comes first in the round's chain, then its consequence.
    with w["uow"]() as uow:
        actions = [e.action for e in uow.audit.entries(round_chain(w["round_id"]))]
    assert actions.index("objection.resolved") < actions.index(REJUDGED)
    _verified(w)


def test_a_village_refused_for_its_share_alone_is_recognised_again_when_the_share_is_met(
    world: dict[str, Any],
) -> None:
    w = world
    _posted(w)
    va, vb = w["community"]["A"], w["community"]["B"]
    _uphold(w, w["families"]["A"][0])  # A: 60 %
    _uphold(w, vb)  # B refused by an objection about the village itself (another reason)
    _uphold(w, w["families"]["B"][0])  # ... and its share falls too: still the objection's reason
    assert _villages(w)[va]["reason"] == AT_60
    b_reason = _villages(w)[vb]["reason"]
    assert b_reason.startswith("Kiến nghị được chấp nhận")
    # Meanwhile a household of each village that was not on the list holds the title this year (recorded
    # by another decision): A's share is 70 % again.
    with w["engine"].begin() as conn:
        now = datetime.now(UTC)
        conn.execute(
            t.rounds.insert().values(
                id="r-other",
                workflow_id="wf-other",
                admin_unit_code=COMMUNE,
                year=YEAR,
                plan_code="other-plan",
                phase="closed",
                version=9,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            t.decisions.insert().values(
                id="d-other",
                round_id="r-other",
                title="learning_family",
                kind="recognition",
                number=9,
                symbol="QĐ-UBND",
                status="recorded",
                created_at=now,
                updated_at=now,
            )
        )
        for name in "AB":
            conn.execute(
                t.cases.insert().values(
                    id=f"case-{name}",
                    workflow_id=f"wf-case-{name}",
                    run_id="r",
                    year=YEAR,
                    title="learning_family",
                    subject_id=w["extra"][name][0],
                    admin_unit_code=COMMUNE,
                    status=lc.RECOGNISED,
                    version=8,
                    opened_by="t",
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(
                t.recognitions.insert().values(
                    id=f"rec-{name}",
                    subject_id=w["extra"][name][0],
                    subject_kind="household",
                    title="learning_family",
                    year=YEAR,
                    case_id=f"case-{name}",
                    decision_id="d-other",
                    decision_number="09/QĐ-UBND",
                    decided_on=date(2026, 10, 1),
                    admin_unit_code=COMMUNE,
                    streak=1,
                    revoked=False,
                )
            )
    _council(w, [])
    rows = _villages(w)
    assert rows[va]["outcome"] == lc.RECOGNISED and rows[va]["reason"] is None
    assert rows[vb]["outcome"] == lc.NOT_RECOGNISED and rows[vb]["reason"] == b_reason
    entries = _rejudged(w)
    assert [e.after["outcome"] for e in entries] == [lc.NOT_RECOGNISED, lc.RECOGNISED]
    back = entries[-1]
    assert back.actor == "thu-ky" and back.before == {"outcome": lc.NOT_RECOGNISED, "reason": AT_60}
    assert back.reason == "Tỷ lệ đạt danh hiệu “Gia đình học tập” là 70%, đạt mức 70% (10 thành viên)."
    assert all(e.after["case_id"] == va for e in entries)  # nothing written about B
    _verified(w)


def test_the_signature_judges_the_dependencies_once_more_before_numbering(world: dict[str, Any]) -> None:
    w = world
    _posted(w)
    va = w["community"]["A"]
    _council(w, [])
    assert _rejudged(w) == [] and _villages(w)[va]["outcome"] == lc.RECOGNISED
    _phase(w, rc.AWAITING_SIGNATURE, 6)
    # A row changed by no step that re-judges (written directly): the signature is the last guard.
    with w["uow"]() as uow:
        family = next(d for d in uow.decisions.of_round(w["round_id"]) if d["title"] == "learning_family")
        uow.decisions.set_item(family["id"], w["families"]["A"][6], outcome=lc.NOT_RECOGNISED, reason="x")
        uow.commit()
    _sign(w)
    row = _villages(w)[va]
    assert row["outcome"] == lc.NOT_RECOGNISED and row["reason"] == AT_60
    (entry,) = _rejudged(w)
    assert entry.actor == "system" and entry.after["trigger"] == "round.signed"
    with w["uow"]() as uow:
        actions = [e.action for e in uow.audit.entries(round_chain(w["round_id"]))]
        decisions = uow.decisions.of_round(w["round_id"])
    assert actions.index(REJUDGED) < actions.index("round.signed")
    assert all(d["status"] == "signed" for d in decisions)
    # A retried signature changes nothing more.
    sign = rc.SignInput("chu-tich", "commune_chairman", 6, "Lê Văn Sang", "2026-12-15")
    assert not round_steps.record_signature(w["uow"](), inp=rc.SignRecordInput(w["round_id"], 7, sign))
    assert len(_rejudged(w)) == 1
    _verified(w)


def test_a_revocation_while_a_supplementary_list_awaits_signature_refuses_its_village(
    tmp_path: Path,
) -> None:
    """The supplementary list has no objections nor council; a revocation of a family recognised by the
    round's decision changes the village's share: re-judged at once, and again at the signature."""
    w = _world(tmp_path, village_a_status=lc.COMMUNE_REVIEW)
    va = w["community"]["A"]
    main = _recorded(w)
    _phase(w, rc.DOCUMENTS, 9)
    _phase(w, rc.SUPPLEMENTARY, 10)
    with w["engine"].begin() as conn:  # village A's case reaches awaiting_decision late
        conn.execute(t.cases.update().where(t.cases.c.id == va).values(status=lc.AWAITING_DECISION))
    supplement = rc.SupplementInput("can-bo-xa", "commune_association_officer", 10)
    built = decision_list.build_supplementary_list(
        w["uow"](), inp=rc.SupplementListInput(w["round_id"], 11, supplement)
    )
    _phase(w, rc.SUPPLEMENT_SIGNATURE, 11)
    assert built.recognised == 1 and _villages(w, "supplementary")[va]["outcome"] == lc.RECOGNISED
    family = next(d for d in main if d["title"] == "learning_family")
    amendments.amend_decision(
        w["uow"](),
        FakeStorage(),
        round_id=w["round_id"],
        decision_id=family["id"],
        kind="revocation",
        reason="Hộ vi phạm quy định",
        changes=[],
        case_ids=[w["families"]["A"][2]],
        signer_name="Lê Văn Sang",
        signed_on=date(2026, 12, 20),
        actor=Actor("chu-tich", "commune_chairman"),
    )
    row = _villages(w, "supplementary")[va]
    assert row["outcome"] == lc.NOT_RECOGNISED and row["reason"] == AT_60
    (entry,) = _rejudged(w)
    assert entry.actor == "chu-tich" and entry.after["trigger"] == "decision.revocation"
    _sign(w, version=12, signed_on="2026-12-21")
    assert len(_rejudged(w)) == 1  # the signature agrees
    assert _villages(w, "supplementary")[va]["outcome"] == lc.NOT_RECOGNISED
    _verified(w)
