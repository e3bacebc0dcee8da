"""Recognition case contracts: activity names and payloads shared by workflow and service (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WORKFLOW_NAME = "RecognitionCase"
# Update answered once the case is open: POST /cases waits on it instead of clients retrying.
WAIT_OPENED = "wait_opened"

# Activities served by the evaluation service's worker on EVALUATION_TASK_QUEUE.
OPEN_CASE = "open_case"  # the case written and its schedule answered, in one activity
RECORD_CASE_STEP = "record_case_step"  # a step, with the new phase's due date when the phase changes
RECORD_CASE_ALARM = "record_case_alarm"
# Kept for histories recorded before OPEN_CASE (opened, then schedule, then a "scheduled" alarm per
# phase) and before record_case_step (withdrawn).
RECORD_CASE_OPENED = "record_case_opened"
GET_CASE_SCHEDULE = "get_case_schedule"
RECORD_CASE_WITHDRAWN = "record_case_withdrawn"
# workflow.patched id of the shape with OPEN_CASE and the due date written by the step.
ONE_ACTIVITY_PER_STEP = "one-activity-per-step"
# The shape a case is opened with, carried in its input (CaseInput.shape). 0: cases opened before
# session 7, whose shape `workflow.patched(ONE_ACTIVITY_PER_STEP)` decides (and records in a marker,
# which the SDK pairs with an upsert of the TemporalChangeVersion search attribute: a visibility write
# per case). SHAPE_ONE_ACTIVITY: one activity per step, known from the input, with no marker.
SHAPE_ONE_ACTIVITY = 2
# SHAPE_CATCH_UP (session 13): of a phase's alarms already due together (a case opened after its
# deadline, or timers fired late after an outage), only the latest reminder or escalation step is told.
SHAPE_CATCH_UP = 3
CURRENT_SHAPE = SHAPE_CATCH_UP
# Signal sent by the yearly round once its decision is recorded on the case.
CASE_DECIDED_SIGNAL = "decided"
# Local activity of the workflow worker: pure date arithmetic (working days need the holiday calendar).
PLAN_ALARMS = "plan_alarms"


@dataclass(frozen=True)
class CaseInput:
    """What opens a case."""

    case_id: str
    year: int
    title: str
    subject_id: str
    admin_unit_code: str
    opened_by: str
    plan_code: str | None = None
    shape: int = 0  # the workflow's shape (CURRENT_SHAPE for a case opened now); 0 before session 7


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
    plan_code: str | None = None


@dataclass(frozen=True)
class EscalationStep:
    """One step of the plan's escalation chain."""

    role: str
    level: str
    after_days: int
    working_days: bool
    action: str


@dataclass(frozen=True)
class CaseSchedule:
    """The deadlines a case lives by, read from its plan (never hard-coded)."""

    plan_code: str
    plan_version: int
    criteria_set_key: str
    self_assessment_closes: str  # ISO datetime, end of the last day, Asia/Ho_Chi_Minh
    review_days: dict[str, int]  # level -> days
    review_working_days: dict[str, bool]
    reminder_lead_days: int
    reminder_working_days: bool
    escalation: list[EscalationStep] = field(default_factory=list)
    days_off: list[str] = field(default_factory=list)  # ISO dates the plan adds
    # ISO datetime, start of the first day (Asia/Ho_Chi_Minh): no submit before it. "" in the schedules
    # recorded before session 11, whose cases replay without the check.
    self_assessment_opens: str = ""


@dataclass(frozen=True)
class AlarmsInput:
    """Local activity input: when to remind and escalate for one phase."""

    deadline: str  # ISO datetime, when the phase has a fixed deadline
    start: str  # ISO datetime the phase began (used when limit_days is set)
    limit_days: int | None
    limit_working_days: bool
    reminder_lead_days: int
    reminder_working_days: bool
    escalation: list[EscalationStep]
    days_off: list[str]
    # ISO datetime the self-assessment window opens (draft only): an "opened" notice then, when the case
    # was opened before it. "" for other phases and for inputs recorded before session 11.
    opens: str = ""


@dataclass(frozen=True)
class Alarm:
    """One timer: a reminder before the deadline, the deadline itself, or an escalation step after it."""

    at: str  # ISO datetime
    kind: (
        str  # scheduled (the phase deadline is set) | opened (submits taken) | reminder | overdue | escalated
    )
    step: int = -1  # index into the escalation chain, for kind == escalated


@dataclass(frozen=True)
class StepInput:
    """A human step sent as an Update: who acts (role checked by the service), on whose behalf, and why."""

    action: str
    actor: str
    role: str
    expected_version: int
    on_behalf_of: str | None = None
    reason: str = ""
    scores: dict[str, Any] = field(default_factory=dict)  # int points, or bool for pass/fail indicators
    indicator_code: str | None = None


@dataclass(frozen=True)
class CaseStepInput:
    """Activity input: record a step in the read model, the audit trail and the outbox, once."""

    case_id: str
    workflow_id: str
    run_id: str
    step: StepInput
    from_status: str
    to_status: str
    version: int  # the case's version after this step
    returned_to: str | None = None
    due_at: str | None = None  # the new phase's deadline (ISO), when the step changes the phase


@dataclass(frozen=True)
class StepResult:
    """What a step did."""

    status: str
    version: int
    due_at: str | None


@dataclass(frozen=True)
class CaseAlarmInput:
    """Activity input: record a reminder, an overdue deadline or an escalation step."""

    case_id: str
    workflow_id: str
    status: str
    kind: str
    due_at: str
    step: int = -1
    role: str | None = None
    level: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class WithdrawInput:
    """A withdrawal by the subject or staff, with the reason (kept for recorded histories)."""

    actor: str
    reason: str


@dataclass(frozen=True)
class CaseWithdrawnInput:
    """Activity input: record the withdrawal."""

    case_id: str
    actor: str
    reason: str


@dataclass(frozen=True)
class CaseStatus:
    """The answer of the `status` query."""

    status: str
    version: int
    due_at: str | None
    escalation_step: int
    returned_to: str | None


@dataclass(frozen=True)
class CaseResult:
    """How the case ended."""

    case_id: str
    status: str


@dataclass(frozen=True)
class CaseDecided:
    """The yearly round's decision on this case: recognised or not_recognised, and which decision."""

    outcome: str
    decision_id: str
