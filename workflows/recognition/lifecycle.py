"""The recognition case's states and the steps between them, with who may take each (stdlib only).

Shared by the workflow (which enforces it) and the evaluation service (which shows it): a step not in
this table is refused before it reaches the workflow's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

DRAFT = "draft"
VILLAGE_REVIEW = "village_review"  # submitted: the village branch checks it
EVIDENCE_REQUESTED = "evidence_requested"
COMMUNE_REVIEW = "commune_review"
AWAITING_DECISION = "awaiting_decision"  # the yearly round's quarter-IV decision takes it from here
WITHDRAWN = "withdrawn"
# The yearly round's signed decision moves a case awaiting decision to one of these two (terminal).
RECOGNISED = "recognised"
NOT_RECOGNISED = "not_recognised"
OUTCOMES = (RECOGNISED, NOT_RECOGNISED)
TERMINAL = frozenset({WITHDRAWN, RECOGNISED, NOT_RECOGNISED})
# Evidence may be added while the case is being assessed or reviewed; it closes once the commune has
# passed it on to the decision (the list the council and the chairman judge is then fixed).
EVIDENCE_OPEN = frozenset({DRAFT, VILLAGE_REVIEW, EVIDENCE_REQUESTED, COMMUNE_REVIEW})
STATUSES = (
    DRAFT,
    VILLAGE_REVIEW,
    EVIDENCE_REQUESTED,
    COMMUNE_REVIEW,
    AWAITING_DECISION,
    WITHDRAWN,
    RECOGNISED,
    NOT_RECOGNISED,
)

HOUSEHOLD = "household_representative"
VILLAGE = "village_officer"
COMMUNE = "commune_association_officer"
CENTRE = "learning_centre_staff"
UNIT_HEAD = "unit_head"
ADMIN = "administrator"
SUBJECT_SIDE = frozenset({HOUSEHOLD, UNIT_HEAD, VILLAGE, COMMUNE, CENTRE, ADMIN})  # staff may act on behalf
VILLAGE_REVIEWERS = frozenset({VILLAGE, ADMIN})
COMMUNE_REVIEWERS = frozenset({COMMUNE, CENTRE, ADMIN})

# The role whose inbox holds a case in each state.
WAITING_ON = MappingProxyType(
    {
        DRAFT: HOUSEHOLD,
        VILLAGE_REVIEW: VILLAGE,
        EVIDENCE_REQUESTED: HOUSEHOLD,
        COMMUNE_REVIEW: COMMUNE,
        AWAITING_DECISION: "commune_chairman",
    }
)
# The review level that owns a state's deadline.
LEVEL_OF = MappingProxyType({VILLAGE_REVIEW: "village", COMMUNE_REVIEW: "commune"})


@dataclass(frozen=True)
class Step:
    """One allowed action: from which states, by which roles, to which state (None: stays)."""

    action: str
    sources: frozenset[str]
    roles: frozenset[str]
    target: str | None


STEPS = MappingProxyType(
    {
        s.action: s
        for s in (
            Step("save_draft", frozenset({DRAFT}), SUBJECT_SIDE, None),
            Step("submit", frozenset({DRAFT}), SUBJECT_SIDE, VILLAGE_REVIEW),
            Step(
                "adjust_score",
                frozenset({VILLAGE_REVIEW, COMMUNE_REVIEW}),
                VILLAGE_REVIEWERS | COMMUNE_REVIEWERS,
                None,
            ),
            Step(
                "request_evidence",
                frozenset({VILLAGE_REVIEW, COMMUNE_REVIEW}),
                VILLAGE_REVIEWERS | COMMUNE_REVIEWERS,
                EVIDENCE_REQUESTED,
            ),
            Step(
                "provide_evidence", frozenset({EVIDENCE_REQUESTED}), SUBJECT_SIDE, None
            ),  # back to the asking level
            Step(
                "pass_review",
                frozenset({VILLAGE_REVIEW, COMMUNE_REVIEW}),
                VILLAGE_REVIEWERS | COMMUNE_REVIEWERS,
                None,
            ),
            Step(
                "withdraw",
                frozenset({DRAFT, VILLAGE_REVIEW, EVIDENCE_REQUESTED, COMMUNE_REVIEW}),
                SUBJECT_SIDE,
                WITHDRAWN,
            ),
        )
    }
)


def reviewers_of(status: str) -> frozenset[str]:
    """Who may review a case in this state."""
    return VILLAGE_REVIEWERS if status == VILLAGE_REVIEW else COMMUNE_REVIEWERS


def refusal(action: str, status: str, role: str, returned_to: str | None = None) -> str | None:
    """Why this role may not take this action now (Vietnamese), or None when it may."""
    step = STEPS.get(action)
    if step is None:
        return f"Thao tác không hợp lệ: {action}."
    if status not in step.sources:
        return f"Không thể thực hiện '{action}' khi hồ sơ đang ở trạng thái '{status}'."
    if role not in step.roles:
        return f"Vai trò '{role}' không được thực hiện '{action}'."
    if action in ("adjust_score", "request_evidence", "pass_review") and role not in reviewers_of(status):
        return f"Vai trò '{role}' không thẩm định ở cấp này."
    return None


def next_status(action: str, status: str, returned_to: str | None) -> str:
    """The state after an allowed action."""
    if action == "pass_review":
        return COMMUNE_REVIEW if status == VILLAGE_REVIEW else AWAITING_DECISION
    if action == "provide_evidence":
        return returned_to or VILLAGE_REVIEW
    target = STEPS[action].target
    return status if target is None else target
