"""NominationRound contracts: names, activity names and payloads (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass

from workflows import ids

WORKFLOW = "NominationRound"
# Activities of the awards service (awards task queue)
CLOSE_NOMINATIONS = "close_nominations"
DRAW_SHORTLIST = "draw_shortlist"
RECORD_AWARD_DECISION = "record_award_decision"
BUILD_AWARD_DOCUMENTS = "build_award_documents"
# Updates and query
UPDATE_CLOSE_NOMINATIONS = "close_nominations"
UPDATE_CLOSE_SCORING = "close_scoring"
UPDATE_SIGN_DECISION = "sign_decision"
QUERY_STATUS = "status"

PHASES = ("nominating", "scoring", "shortlisted", "decided", "done")


@dataclass
class NominationRoundInput:
    """What the round needs: its id and deadlines (ISO dates, Vietnam's day ends at 17:00 UTC)."""

    round_id: str
    nomination_deadline: str
    council_deadline: str
    unit_name: str = ""
    activity_task_queue: str = ids.AWARDS_TASK_QUEUE


@dataclass
class StepInput:
    """A person closing a phase early, with the reason the audit keeps."""

    actor: str
    role: str
    reason: str


@dataclass
class SignInput:
    """The signer of the award decision."""

    actor: str
    role: str
    signer_name: str
    number: str
    decided_on: str
    reason: str


@dataclass
class PhaseInput:
    """An activity's input: the round, who acts and why."""

    round_id: str
    actor: str
    reason: str
    workflow_id: str


@dataclass
class DecisionInput:
    """record_award_decision's input."""

    round_id: str
    number: str
    decided_on: str
    signer: str
    signer_name: str
    reason: str
    workflow_id: str


@dataclass
class DocumentsInput:
    """build_award_documents' input."""

    round_id: str
    unit_name: str
    actor: str
    workflow_id: str


@dataclass
class RoundStatus:
    """The workflow's state (query result and run result)."""

    round_id: str
    phase: str
    closed_by: list[str]
    decision_id: str | None = None
