"""Recognition case contracts: activity names and payloads shared by workflow and service (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass

WORKFLOW_NAME = "RecognitionCase"

# Activities served by the evaluation service's worker on EVALUATION_TASK_QUEUE.
RECORD_CASE_OPENED = "record_case_opened"
RECORD_CASE_WITHDRAWN = "record_case_withdrawn"


@dataclass(frozen=True)
class CaseInput:
    """What opens a case."""

    case_id: str
    year: int
    title: str
    subject_id: str
    admin_unit_code: str
    opened_by: str


@dataclass(frozen=True)
class CaseOpenedInput:
    """Activity input: write the case into the evaluation read model."""

    case_id: str
    workflow_id: str
    run_id: str
    year: int
    title: str
    subject_id: str
    admin_unit_code: str
    opened_by: str


@dataclass(frozen=True)
class WithdrawInput:
    """A withdrawal by the subject or staff, with the reason."""

    actor: str
    reason: str


@dataclass(frozen=True)
class CaseWithdrawnInput:
    """Activity input: record the withdrawal."""

    case_id: str
    actor: str
    reason: str


@dataclass(frozen=True)
class CaseResult:
    """How the case ended."""

    case_id: str
    status: str
