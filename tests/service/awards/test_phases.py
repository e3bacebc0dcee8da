"""The steps the NominationRound workflow drives, on a real SQLite database: each is idempotent (an
activity retried after a crash changes nothing twice), quotas hold, higher forms travel to the open
round of the level above."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from common.audit import verify_chain
from common.db import make_engine
from infra.migrate import upgrade
from services.awards.adapters import tables as t
from services.awards.adapters.unit_of_work import SqlUnitOfWork
from services.awards.domain.council import Score
from services.awards.domain.errors import WrongPhase
from services.awards.domain.model import AwardForm, AwardRound, Nomination
from services.awards.service import phases
from services.awards.service.rounds import chain

NOW = datetime(2026, 5, 1, tzinfo=UTC)
GK = AwardForm("giay_khen", "commune_chairman", "Giấy khen", 1)
BK = AwardForm("bang_khen", "province", "Bằng khen", 5)


@pytest.fixture
def uow(tmp_path: Path) -> SqlUnitOfWork:
    url = f"sqlite:///{tmp_path / 'awards.db'}"
    upgrade("awards", url)
    engine = make_engine(url)
    return lambda: SqlUnitOfWork(engine)  # type: ignore[return-value]


def _round(
    rid: str, level: str, path: str, forms: tuple[AwardForm, ...], status: str = "nominating"
) -> AwardRound:
    return AwardRound(
        id=rid,
        plan_code="p",
        kind="so_ket",
        year=2026,
        level=level,
        admin_unit_code=path.split("/")[-1],
        status=status,
        created_by="t",
        created_at=NOW,
        admin_unit_path=path,
        forms=forms,
    )


def _nom(i: int, rid: str, form: str) -> Nomination:
    return Nomination(
        id=f"n{i}",
        round_id=rid,
        nominee_kind="household",
        subject_id=f"S{i}",
        name=f"Hộ {i}",
        unit_code="V1",
        household_id=None,
        form_key=form,
        achievements="x",
        initiatives=(f"SK{i}",),
        declarations={},
        prior_awards=(),
        priority_flags=(),
        evidence=(),
        status="eligible",
        nominated_by="u",
        nominated_at=NOW + timedelta(minutes=i),
    )


def _seed(uow, *, parent_open: bool, nominators: tuple[str, str, str] = ("u", "u", "u")) -> None:  # type: ignore[no-untyped-def]
    """The commune's round with n1, n2 (Giấy khen) and n3 (Bằng khen), scored in that order, by
    `nominators`; the province's round above it."""
    with uow() as w:
        w.rounds.add(_round("child", "commune", "38/15664", (GK, BK)))
        w.rounds.add(_round("parent", "province", "38", (BK,), "nominating" if parent_open else "scoring"))
        for i, form, nominator in zip((1, 2, 3), (GK.key, GK.key, BK.key), nominators, strict=True):
            w.nominations.add(replace(_nom(i, "child", form), nominated_by=nominator))
            for m, score in (("a", 90 - i), ("b", 80 - i), ("c", 70)):
                w.council.put_score("child", Score(f"n{i}", m, score, True), NOW)
        w.commit()


def _decide(uow, number: str = "1/QĐ", day: date = date(2026, 6, 1)) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return phases.record_decision(
        uow(), round_id="child", number=number, decided_on=day, signer="c", signer_name="C", reason="r"
    )


def _told(uow) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """The payloads of the `nomination.decided` events written, in order."""
    with uow() as w:
        q = sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "nomination.decided")
        return [
            json.loads(body)["payload"] for body in w.connection.execute(q.order_by(t.outbox.c.seq)).scalars()
        ]


def _statuses(uow, rid: str) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    with uow() as w:
        return {n.id: (n.status, n.forwarded_to) for n in w.nominations.of_round(rid)}


def test_each_step_runs_once_however_often_it_is_retried(uow) -> None:  # type: ignore[no-untyped-def]
    _seed(uow, parent_open=True)
    with pytest.raises(WrongPhase) as refused:
        phases.draw_shortlist(uow(), round_id="child", actor="x", reason="r")
    assert refused.value.errors == {
        "phase": ["Đợt khen thưởng đang ở bước 'nominating'."],
        "needed": ["Thao tác này chỉ làm được ở bước 'scoring'."],
    }
    assert refused.value.errors_en == {
        "phase": ["The round is in phase 'nominating'."],
        "needed": ["This is done only in phase 'scoring'."],
    }
    for _ in range(2):
        phases.close_nominations(uow(), round_id="child", actor="m", reason="r")
        summary = phases.draw_shortlist(uow(), round_id="child", actor="m", reason="r")
    assert summary["counts"] == {"shortlisted": 1, "not_selected": 1, "forwarded": 1}
    first = _decide(uow, "1/QĐ", date(2026, 6, 1))
    again = _decide(uow, "2/QĐ", date(2026, 6, 2))
    assert first == again
    assert _statuses(uow, "child") == {
        "n1": ("awarded", None),
        "n2": ("not_selected", None),
        "n3": ("forwarded", "parent"),
    }
    # The Bằng khen nomination now waits in the province's round, once.
    [copy] = _statuses(uow, "parent").items()
    assert copy[1] == ("eligible", None)
    with uow() as w:
        actions = [e.action for e in w.audit.entries(chain("child"))]
        assert verify_chain(w.connection, t.audit_log, chain("child")).ok
    assert actions == ["round.nominations_closed", "round.shortlisted", "round.decided"]


def test_without_an_open_round_above_the_proposal_is_forwarded_on_paper(uow) -> None:  # type: ignore[no-untyped-def]
    _seed(uow, parent_open=False)
    phases.close_nominations(uow(), round_id="child", actor="m", reason="r")
    phases.draw_shortlist(uow(), round_id="child", actor="m", reason="r")
    assert _statuses(uow, "child")["n3"] == ("forwarded", "")
    assert _statuses(uow, "parent") == {}


def test_the_award_history_counts_for_later_rounds(uow) -> None:  # type: ignore[no-untyped-def]
    _seed(uow, parent_open=False)
    phases.close_nominations(uow(), round_id="child", actor="m", reason="r")
    phases.draw_shortlist(uow(), round_id="child", actor="m", reason="r")
    _decide(uow, "1/QĐ", date(2026, 6, 1))
    with uow() as w:
        [(awarded, year)] = w.nominations.awards_of("S1")
        assert (awarded.form_key, year, awarded.initiatives) == (GK.key, 2026, ("SK1",))
        assert w.nominations.awards_of("S2") == []


def test_each_nominator_is_told_what_the_decision_gave_those_they_nominated(uow) -> None:  # type: ignore[no-untyped-def]
    """n1 (Giấy khen, best scored) and n3 (Bằng khen: sent on to the province) are thon-1's, n2 thon-2's."""
    _seed(uow, parent_open=True, nominators=("thon-1", "thon-2", "thon-1"))
    phases.close_nominations(uow(), round_id="child", actor="m", reason="r")
    phases.draw_shortlist(uow(), round_id="child", actor="m", reason="r")
    for _ in range(2):  # a retried decision tells nobody twice
        _decide(uow, "1/QĐ", date(2026, 6, 1))

    told = _told(uow)
    assert [
        (p["addressee"], p["awarded_count"], p["nominated_count"], p["awarded_names"], p["admin_unit_code"])
        for p in told
    ] == [("thon-1", 1, 1, "Hộ 1", "15664"), ("thon-2", 0, 1, None, "15664")]
    assert {(p["number"], p["decided_on"], p["actor"]) for p in told} == {("1/QĐ", "2026-06-01", "c")}


def test_a_nomination_forwarded_up_is_told_to_its_first_nominator_when_the_round_above_decides(uow) -> None:  # type: ignore[no-untyped-def]
    """n3 (Bằng khen), proposed by thon-1 in the commune, travels to the province's round: when that round
    decides, thon-1 learns its outcome (the copy there names the commune's round, not a person)."""
    _seed(uow, parent_open=True, nominators=("thon-1", "thon-2", "thon-1"))
    phases.close_nominations(uow(), round_id="child", actor="m", reason="r")
    phases.draw_shortlist(uow(), round_id="child", actor="m", reason="r")
    with uow() as w:  # the province's council shortlists the copy (its own scoring is not this test's)
        [copy] = w.nominations.of_round("parent")
        assert copy.nominated_by == "round:child"
        w.nominations.set_status(copy.id, "shortlisted")
        w.rounds.set_status("parent", "shortlisted")
        w.commit()
    phases.record_decision(
        uow(),
        round_id="parent",
        number="9/QĐ-UBND",
        decided_on=date(2026, 7, 1),
        signer="p",
        signer_name="P",
        reason="r",
    )

    told = [p for p in _told(uow) if p["round_id"] == "parent"]
    assert [(p["addressee"], p["awarded_count"], p["awarded_names"], p["admin_unit_code"]) for p in told] == [
        ("thon-1", 1, "Hộ 3", "38")
    ]
