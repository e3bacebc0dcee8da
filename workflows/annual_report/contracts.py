"""Annual report contracts: activity names and payloads shared by the workflow and the evaluation service
(stdlib only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from workflows.recognition.contracts import EscalationStep

WORKFLOW_NAME = "AnnualReport"

# Activities served by the evaluation service's worker on EVALUATION_TASK_QUEUE.
OPEN_ANNUAL_REPORT = "open_annual_report"
RECORD_REPORT_SUBMITTED = "record_report_submitted"
RECORD_REPORT_ALARM = "record_report_alarm"
RECORD_REPORT_ROLLUP = "record_report_rollup"

OPEN, SUBMITTED = "open", "submitted"
_REPORT_NS = uuid.UUID("5d0c1e7a-2b8f-4c6e-9a41-7f3e2d1c0b9a")


def report_id_for(workflow_id: str) -> str:
    """A report's id: the uuid5 of its workflow id (the API and the workflow compute the same)."""
    return str(uuid.uuid5(_REPORT_NS, workflow_id))


@dataclass(frozen=True)
class ReportInput:
    """What starts a unit's annual report."""

    plan_code: str
    year: int
    unit_code: str
    started_by: str


@dataclass(frozen=True)
class OpenReportInput:
    """Activity input: resolve the schedule and write the report row (once)."""

    report_id: str
    workflow_id: str
    plan_code: str
    year: int
    unit_code: str
    started_by: str


@dataclass(frozen=True)
class ReportSchedule:
    """When the unit must report, who is chased, whose reports roll up into it (from the plan)."""

    report_id: str
    unit_level: str
    deadline: str  # ISO datetime, end of the last day on time (Asia/Ho_Chi_Minh); "" when none
    closes_at: str  # ISO datetime after which the report no longer waits
    reminder_lead_days: int
    reminder_working_days: bool
    reporter_role: str
    escalation: list[EscalationStep] = field(default_factory=list)
    days_off: list[str] = field(default_factory=list)
    parent_workflow_id: str | None = None
    children: list[str] = field(default_factory=list)  # units whose reports roll up into this one
    children_submitted: list[str] = field(default_factory=list)  # already in when this report opened


@dataclass(frozen=True)
class SubmitInput:
    """Update input: a person submits the unit's report (the figures are taken at that moment)."""

    actor: str
    role: str
    expected_version: int
    on_behalf_of: str | None = None
    note: str = ""


@dataclass(frozen=True)
class SubmitResult:
    """The report after submission."""

    status: str
    version: int
    on_time: bool


@dataclass(frozen=True)
class ReportSubmittedInput:
    """Activity input: snapshot the figures, record and audit the submission (once per version)."""

    report_id: str
    workflow_id: str
    run_id: str
    submission: SubmitInput
    version: int
    submitted_at: str  # ISO datetime (workflow time)
    on_time: bool


@dataclass(frozen=True)
class ReportAlarmInput:
    """Activity input: a reminder, the missed deadline or an escalation step (once)."""

    report_id: str
    workflow_id: str
    kind: str  # reminder | overdue | escalated
    due_at: str
    step: int = -1
    role: str | None = None
    level: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class ChildSubmitted:
    """Signal input: a unit below has submitted its report."""

    unit_code: str


@dataclass(frozen=True)
class RollupInput:
    """Activity input: sum the children's submitted figures into this report."""

    report_id: str
    workflow_id: str
    children: list[str]
    complete: bool


@dataclass(frozen=True)
class ReportStatus:
    """Query answer: the report's state."""

    status: str
    version: int
    due_at: str | None
    overdue: bool
    escalation_step: int
    children_submitted: list[str]
    rolled_up: bool


@dataclass(frozen=True)
class ReportResult:
    """Workflow result."""

    report_id: str
    status: str
    on_time: bool | None
    rolled_up: bool
