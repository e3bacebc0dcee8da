"""Council: conflict of interest, tally, vote and shortlist within quotas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.awards.domain.council import Score, conflict_of_interest, shortlist, tally
from services.awards.domain.model import CouncilMember, Nomination

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def nom(
    i: int,
    *,
    form: str = "f",
    household: str | None = None,
    unit: str = "V1",
    priority: int = 0,
    subject: str | None = None,
) -> Nomination:
    return Nomination(
        id=f"n{i}",
        round_id="r",
        nominee_kind="household",
        subject_id=subject or f"S{i}",
        name=f"N{i}",
        unit_code=unit,
        household_id=household,
        form_key=form,
        achievements="",
        initiatives=(),
        declarations={},
        prior_awards=(),
        priority_flags=(),
        evidence=(),
        status="eligible",
        nominated_by="u",
        nominated_at=T0 + timedelta(minutes=i),
        priority=priority,
    )


def member(household: str | None = None, unit: str | None = None) -> CouncilMember:
    return CouncilMember("r", "m", "M", "Ủy viên", household, unit)


def test_a_member_may_not_score_their_own_household_or_unit() -> None:
    assert conflict_of_interest(member(household="H1"), nom(1, household="H1")) == "same_household"
    assert conflict_of_interest(member(household="H1"), nom(1, subject="H1")) == "same_household"
    assert conflict_of_interest(member(unit="V1"), nom(1, unit="V1")) == "same_unit"
    assert conflict_of_interest(member(unit="DV9"), nom(1, subject="DV9", unit="V2")) == "same_unit"
    assert conflict_of_interest(member(household="H2", unit="V3"), nom(1, household="H1")) is None
    assert conflict_of_interest(member(), nom(1)) is None


def test_a_nominee_passes_with_a_majority_and_the_pass_mark() -> None:
    scores = [Score("n1", "a", 80, True), Score("n1", "b", 60, True), Score("n1", "c", 40, False)]
    t = tally("n1", scores)
    assert (t.average, t.approvals, t.votes, t.passed) == (60.0, 2, 3, True)
    assert not tally("n1", scores[:1] + [Score("n1", "b", 90, False)]).passed  # a tie is no majority
    assert not tally("n1", [Score("n1", "a", 49, True)]).passed
    assert not tally("n1", []).passed


def test_the_shortlist_keeps_the_best_within_each_forms_quota() -> None:
    noms = [nom(1), nom(2), nom(3), nom(4, form="g"), nom(5, priority=3)]
    scores = [Score(f"n{i}", "a", s, True) for i, s in ((1, 70), (2, 90), (3, 40), (4, 80), (5, 70))]
    out = {o.nomination_id: (o.shortlisted, o.reason) for o in shortlist(noms, scores, {"f": 2, "g": 0})}
    # n5 ties n1 at 70 and wins on priority; n3 is under the pass mark; g has no room.
    assert out == {
        "n2": (True, None),
        "n5": (True, None),
        "n1": (False, "quota"),
        "n3": (False, "not_passed"),
        "n4": (False, "quota"),
    }


@given(st.lists(st.tuples(st.integers(0, 100), st.booleans()), min_size=1, max_size=12), st.integers(0, 5))
def test_never_more_than_the_quota_and_only_those_who_passed(
    votes: list[tuple[int, bool]], quota: int
) -> None:
    noms = [nom(i) for i in range(len(votes))]
    scores = [Score(f"n{i}", "a", s, ok) for i, (s, ok) in enumerate(votes)]
    out = shortlist(noms, scores, {"f": quota})
    chosen = [o.nomination_id for o in out if o.shortlisted]
    assert len(chosen) == min(quota, sum(1 for s, ok in votes if ok and s >= 50))
    assert all(tally(c, scores).passed for c in chosen)
    worst_chosen = min((tally(c, scores).average for c in chosen), default=101)
    assert all(tally(o.nomination_id, scores).average <= worst_chosen for o in out if o.reason == "quota")


def test_a_conflict_of_interest_is_refused_with_its_reason_in_both_languages() -> None:
    from services.awards.domain.errors import ConflictOfInterest

    refused = ConflictOfInterest("same_household")
    assert refused.errors == {
        "conflict": ["Thành viên hội đồng cùng hộ gia đình với đối tượng được đề nghị (same_household)."]
    }
    assert refused.errors_en == {
        "conflict": ["The council member belongs to the nominee's household (same_household)."]
    }
    assert ConflictOfInterest("same_unit").errors_for(english=True) == {
        "conflict": ["The council member belongs to the nominee's unit (same_unit)."]
    }
