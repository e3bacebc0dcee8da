"""Council: conflict of interest, scoring tally, vote, shortlist within quotas (pure Python)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.awards.domain.model import CouncilMember, Nomination

PASS_MARK = 50  # average score (0-100) a nominee needs besides a majority vote


@dataclass(frozen=True)
class Score:
    """One member's score and vote on one nomination."""

    nomination_id: str
    username: str
    score: int
    approve: bool


@dataclass(frozen=True)
class Tally:
    """What the council decided about one nomination."""

    nomination_id: str
    average: float
    approvals: int
    votes: int

    @property
    def passed(self) -> bool:
        """A majority of the votes cast approves and the average reaches the pass mark."""
        return self.votes > 0 and self.approvals * 2 > self.votes and self.average >= PASS_MARK


@dataclass(frozen=True)
class Outcome:
    """A nomination's place after the shortlist: shortlisted or not, and why not."""

    nomination_id: str
    shortlisted: bool
    reason: str | None  # "not_passed" | "quota" | None
    rank: int


def conflict_of_interest(member: CouncilMember, nomination: Nomination) -> str | None:
    """Why `member` may not score `nomination` (own household or own unit), or None."""
    if member.household_id and member.household_id in (nomination.household_id, nomination.subject_id):
        return "same_household"
    if member.unit_code and member.unit_code in (nomination.unit_code, nomination.subject_id):
        return "same_unit"
    return None


def tally(nomination_id: str, scores: Iterable[Score]) -> Tally:
    """Average score and approvals of one nomination."""
    own = [s for s in scores if s.nomination_id == nomination_id]
    average = sum(s.score for s in own) / len(own) if own else 0.0
    return Tally(nomination_id, round(average, 2), sum(1 for s in own if s.approve), len(own))


def shortlist(
    nominations: Sequence[Nomination], scores: Sequence[Score], quotas: Mapping[str, int]
) -> list[Outcome]:
    """Per form: those who passed, best first (average, then priority, then earliest), up to the quota."""
    tallies = {n.id: tally(n.id, scores) for n in nominations}
    outcomes: list[Outcome] = []
    for form_key in sorted({n.form_key for n in nominations}):
        of_form = [n for n in nominations if n.form_key == form_key]
        ranked = sorted(
            of_form,
            key=lambda n: (-tallies[n.id].average, -n.priority, n.nominated_at, n.id),
        )
        quota, taken = quotas.get(form_key, 0), 0
        for rank, n in enumerate(ranked, start=1):
            if not tallies[n.id].passed:
                outcomes.append(Outcome(n.id, False, "not_passed", rank))
            elif taken >= quota:
                outcomes.append(Outcome(n.id, False, "quota", rank))
            else:
                taken += 1
                outcomes.append(Outcome(n.id, True, None, rank))
    return outcomes
