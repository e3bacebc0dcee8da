"""Yearly round contracts: activity names and payloads shared by the workflow and the evaluation service
(stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflows.recognition import contracts as _case

WORKFLOW_NAME = "YearlyRound"

# Phases of a round, in order.
OPEN = "self_assessment"  # the self-assessment window is open; cases are opened and reviewed
REVIEWING = "reviewing"  # the window has closed; reviews run until the quarter of the decision
POSTING = "posting"  # the proposed list is posted publicly; objections may be filed
COUNCIL = "council"  # the council meets and votes; minutes are recorded
AWAITING_SIGNATURE = "awaiting_signature"  # the chairman reviews and signs
RECORDING = "recording"  # the signed decision is recorded on every case, page by page
DOCUMENTS = "documents"  # the decision and the certificates are generated and stored
# After the main decision: the round takes supplementary decisions (quyết định công nhận bổ sung) for the
# cases that reached awaiting_decision later, until the plan's `calendar.supplementary_until` (31/12 of its
# year by default) or until the association closes it.
SUPPLEMENTARY = "supplementary"
SUPPLEMENT_SIGNATURE = "supplement_signature"  # a supplementary list is built; the chairman signs it
CLOSED = "closed"
PHASES = (
    OPEN,
    REVIEWING,
    POSTING,
    COUNCIL,
    AWAITING_SIGNATURE,
    RECORDING,
    DOCUMENTS,
    SUPPLEMENTARY,
    SUPPLEMENT_SIGNATURE,
    CLOSED,
)
# The patch (workflow.patched) under which a round enters SUPPLEMENTARY after its documents instead of
# closing: histories recorded before it replay unchanged.
SUPPLEMENTS_PATCH = "supplementary-decisions"

# Activities served by the evaluation service's worker on EVALUATION_TASK_QUEUE.
RECORD_ROUND_OPENED = "record_round_opened"
RECORD_ROUND_PHASE = "record_round_phase"
ROUND_PROGRESS = "round_progress"
BUILD_DECISION_LIST = "build_decision_list"
BUILD_SUPPLEMENTARY_LIST = "build_supplementary_list"
OPEN_OBJECTIONS = "open_objections"
RECORD_COUNCIL = "record_council"
RECORD_SIGNATURE = "record_signature"
RECORD_DECISION_PAGE = "record_decision_page"
GENERATE_DECISION_DOCUMENTS = "generate_decision_documents"
GENERATE_CERTIFICATE_PAGE = "generate_certificate_page"

# Signal of the RecognitionCase workflow (and its payload): the decision has been recorded on the case.
CASE_DECIDED_SIGNAL = _case.CASE_DECIDED_SIGNAL
CaseDecided = _case.CaseDecided
# Signal of the round: an objection changed (filed, assigned, resolved), re-count the open ones.
OBJECTIONS_CHANGED_SIGNAL = "objections_changed"

PAGE_SIZE = 500  # cases recorded per activity (one transaction)
PAGES_PER_RUN = 4  # pages per workflow run before continue-as-new (keeps the history short)
CERTIFICATE_PAGE = 50  # certificates rendered per activity


@dataclass(frozen=True)
class RoundInput:
    """What opens a round; `resume` carries the state across continue-as-new."""

    round_id: str
    admin_unit_code: str
    year: int
    plan_code: str
    opened_by: str
    resume: RoundResume | None = None


@dataclass(frozen=True)
class RoundResume:
    """Where a continued run picks up."""

    phase: str
    version: int
    schedule: RoundSchedule
    decision_ids: list[str]
    decision_index: int = 0
    cursor: str = ""
    recorded: int = 0
    objections_close: str | None = None  # kept for the `status` query of the continued run
    first: int = 0  # the first decision of the batch being recorded (0: the main decision)


@dataclass(frozen=True)
class RoundOpenedInput:
    round_id: str
    workflow_id: str
    admin_unit_code: str
    year: int
    plan_code: str
    opened_by: str


@dataclass(frozen=True)
class RoundSchedule:
    """The round's dates from its plan (ISO datetimes, Asia/Ho_Chi_Minh)."""

    self_assessment_opens: str
    self_assessment_remind: str
    self_assessment_closes: str
    decision_from: str  # the first day of the decision's quarter
    posting_days: int
    posting_working_days: bool
    days_off: list[str] = field(default_factory=list)
    # The end of the supplementary decisions (the plan's `calendar.supplementary_until`, 23:59:59); empty
    # in schedules recorded before the field existed: then `supplements_until(year)`, 31/12.
    supplements_until: str = ""


@dataclass(frozen=True)
class RoundPhaseInput:
    round_id: str
    phase: str
    version: int
    actor: str = "system"
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PhaseResult:
    """What recording a phase computed (the end of the posting window for `posting`)."""

    objections_close: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # False when the phase was refused: the move to council found an objection still open (filed between
    # the workflow's last count and the move); nothing was written.
    moved: bool = True


@dataclass(frozen=True)
class DecisionList:
    """The drafts built from the cases awaiting decision: one decision per title."""

    decision_ids: list[str]
    recognised: int
    not_recognised: int


@dataclass(frozen=True)
class Vote:
    """The council's vote on one subject of the list."""

    case_id: str
    in_favour: int
    against: int
    abstain: int = 0


@dataclass(frozen=True)
class CouncilMinutes:
    """The council's meeting: who attended, votes per subject, the chair and the secretary."""

    met_on: str  # ISO date
    chair: str
    secretary: str
    attendance: list[str]
    absent: list[str]
    votes: list[Vote]
    notes: str = ""


@dataclass(frozen=True)
class CouncilInput:
    """An Update: record the council's minutes (by a commune officer)."""

    actor: str
    role: str
    expected_version: int
    minutes: CouncilMinutes
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class CouncilRecordInput:
    round_id: str
    version: int
    council: CouncilInput


@dataclass(frozen=True)
class SignInput:
    """An Update: the commune chairman signs the decisions of the round."""

    actor: str
    role: str
    expected_version: int
    signer_name: str
    signed_on: str  # ISO date
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class SignRecordInput:
    round_id: str
    version: int
    sign: SignInput


@dataclass(frozen=True)
class SupplementInput:
    """An Update: the commune association builds a supplementary list (from the cases awaiting decision
    that are in no decision of the round yet)."""

    actor: str
    role: str
    expected_version: int
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class SupplementListInput:
    round_id: str
    version: int  # the round's version the list is built at (part of the drafts' ids)
    supplement: SupplementInput


@dataclass(frozen=True)
class CloseInput:
    """An Update: the commune association closes the round before the end of its year (no more
    supplementary decisions)."""

    actor: str
    role: str
    expected_version: int
    on_behalf_of: str | None = None


def supplements_until(year: int) -> str:
    """The default end of the supplementary decisions, when the plan states none (or the round's schedule
    predates `RoundSchedule.supplements_until`): 31/12 of the round's year, 23:59:59 Vietnam time (ISO)."""
    return f"{year}-12-31T23:59:59+07:00"


@dataclass(frozen=True)
class RoundStep:
    """The answer of an Update: the round's phase and version after it."""

    phase: str
    version: int


@dataclass(frozen=True)
class DecisionPageInput:
    decision_id: str
    after: str
    limit: int


@dataclass(frozen=True)
class DecisionPage:
    """One page recorded: the case workflows to tell, the cursor for the next page."""

    workflow_ids: list[str]
    outcomes: list[str]
    next_after: str
    newly_recorded: int
    done: bool


@dataclass(frozen=True)
class CertificatePage:
    next_after: str
    generated: int
    done: bool


@dataclass(frozen=True)
class RoundStatus:
    """The answer of the `status` query."""

    phase: str
    version: int
    decision_ids: list[str]
    recorded: int
    objections_close: str | None
    supplements_until: str | None = None


@dataclass(frozen=True)
class RoundResult:
    round_id: str
    phase: str
    recorded: int
