"""Annual report workflow: one reporting unit's yearly report under its plan — submit by the deadline,
reminder before it, overdue and each escalation step of the plan's chain after it, and the roll-up of the
reports of the units below once they are all in (or when the report closes at the end of the year).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import ids, retry
    from workflows.annual_report import contracts as c
    from workflows.recognition import contracts as rc


@dataclass
class ReportState:
    """All workflow state in one place."""

    status: str = "opening"
    version: int = 0
    seq: int = 0  # bumped on every change the main loop must look at
    overdue: bool = False
    escalation_step: int = -1
    on_time: bool | None = None
    rolled_up: bool = False
    children_in: list[str] = field(default_factory=list)
    schedule: c.ReportSchedule | None = None


def _act_options() -> dict:
    return {
        "task_queue": ids.EVALUATION_TASK_QUEUE,
        "start_to_close_timeout": retry.DATABASE_WRITE_TIMEOUT,
        "retry_policy": retry.DATABASE_WRITE,
    }


@workflow.defn(name=c.WORKFLOW_NAME)
class AnnualReportWorkflow:
    """One report per (plan, year, reporting unit)."""

    @workflow.init
    def __init__(self, inp: c.ReportInput) -> None:
        self._inp = inp
        self._state = ReportState()
        self._lock = asyncio.Lock()  # a submission and an alarm never interleave

    @workflow.run
    async def run(self, inp: c.ReportInput) -> c.ReportResult:
        info = workflow.info()
        report_id = c.report_id_for(info.workflow_id)
        sched = await workflow.execute_activity(
            c.OPEN_ANNUAL_REPORT,
            c.OpenReportInput(
                report_id=report_id,
                workflow_id=info.workflow_id,
                plan_code=inp.plan_code,
                year=inp.year,
                unit_code=inp.unit_code,
                started_by=inp.started_by,
            ),
            result_type=c.ReportSchedule,
            **_act_options(),
        )
        s = self._state
        async with self._lock:
            s.schedule, s.status, s.version = sched, c.OPEN, 1
            s.children_in = sorted(set(s.children_in) | (set(sched.children_submitted) & set(sched.children)))
            s.seq += 1
        pending = await self._alarms(sched)
        closes = datetime.fromisoformat(sched.closes_at)
        while True:
            if sched.children and not s.rolled_up and set(sched.children) <= set(s.children_in):
                await self._roll_up(complete=True)
            if s.status == c.SUBMITTED and (not sched.children or s.rolled_up):
                break
            now = workflow.now()
            while pending and s.status == c.OPEN and datetime.fromisoformat(pending[0].at) <= now:
                await self._fire(pending.pop(0))
            if now >= closes:
                if sched.children and not s.rolled_up:
                    await self._roll_up(complete=False)
                break
            wake = closes
            if pending and s.status == c.OPEN:
                wake = min(wake, datetime.fromisoformat(pending[0].at))
            seq = s.seq
            try:
                await workflow.wait_condition(
                    lambda seq=seq: s.seq != seq, timeout=max(wake - now, timedelta(0))
                )
            except TimeoutError:
                pass
        await workflow.wait_condition(workflow.all_handlers_finished)
        return c.ReportResult(report_id=report_id, status=s.status, on_time=s.on_time, rolled_up=s.rolled_up)

    # --- the unit submits ----------------------------------------------------------------------

    @workflow.update
    async def submit(self, inp: c.SubmitInput) -> c.SubmitResult:
        """Submit the unit's report: its figures are snapshotted and audited by the activity."""
        async with self._lock:
            self._check(inp)
            s = self._state
            sched = s.schedule
            assert sched is not None
            now = workflow.now()
            on_time = not sched.deadline or now <= datetime.fromisoformat(sched.deadline)
            info = workflow.info()
            await workflow.execute_activity(
                c.RECORD_REPORT_SUBMITTED,
                c.ReportSubmittedInput(
                    report_id=sched.report_id,
                    workflow_id=info.workflow_id,
                    run_id=info.run_id,
                    submission=inp,
                    version=s.version + 1,
                    submitted_at=now.isoformat(),
                    on_time=on_time,
                ),
                **_act_options(),
            )
            s.status, s.version, s.on_time = c.SUBMITTED, s.version + 1, on_time
            s.seq += 1
        if sched.parent_workflow_id:
            await self._tell_parent(sched.parent_workflow_id)
        return c.SubmitResult(status=s.status, version=s.version, on_time=on_time)

    @submit.validator
    def _validate_submit(self, inp: c.SubmitInput) -> None:
        self._check(inp)

    def _check(self, inp: c.SubmitInput) -> None:
        s = self._state
        if s.status == "opening":
            raise ApplicationError(
                "Báo cáo đang được mở, vui lòng thử lại.", type="NotReady", non_retryable=True
            )
        if s.status == c.SUBMITTED:
            raise ApplicationError("Báo cáo đã được gửi.", type="InvalidTransition", non_retryable=True)
        if inp.expected_version != s.version:
            raise ApplicationError(
                f"Báo cáo đã thay đổi (phiên bản {s.version}, yêu cầu dựa trên {inp.expected_version}).",
                type="VersionConflict",
                non_retryable=True,
            )
        if len(inp.note) > 4000:
            raise ApplicationError("Ghi chú quá dài.", type="ValidationFailed", non_retryable=True)

    async def _tell_parent(self, parent_id: str) -> None:
        """Best effort: the parent's report may not run (no report at that level); the database keeps
        the submission either way, and a parent opened later reads it at its start."""
        try:
            await workflow.get_external_workflow_handle(parent_id).signal(
                AnnualReportWorkflow.child_submitted, c.ChildSubmitted(unit_code=self._inp.unit_code)
            )
        except Exception:  # noqa: BLE001 - not found or already closed: nothing to roll up there
            workflow.logger.info("no running parent report %s", parent_id)

    @workflow.signal
    def child_submitted(self, inp: c.ChildSubmitted) -> None:
        """A unit below has submitted: roll up once every child is in."""
        if inp.unit_code not in self._state.children_in:
            self._state.children_in = sorted([*self._state.children_in, inp.unit_code])
            self._state.seq += 1

    @workflow.query
    def status(self) -> c.ReportStatus:
        """The report's current state."""
        s = self._state
        return c.ReportStatus(
            status=s.status,
            version=s.version,
            due_at=s.schedule.deadline if s.schedule else None,
            overdue=s.overdue,
            escalation_step=s.escalation_step,
            children_submitted=list(s.children_in),
            rolled_up=s.rolled_up,
        )

    # --- deadlines and roll-up -----------------------------------------------------------------

    async def _alarms(self, sched: c.ReportSchedule) -> list[rc.Alarm]:
        if not sched.deadline:
            return []  # a collecting unit with no deadline of its own
        return await workflow.execute_local_activity(
            rc.PLAN_ALARMS,
            rc.AlarmsInput(
                deadline=sched.deadline,
                start=workflow.now().isoformat(),
                limit_days=None,
                limit_working_days=True,
                reminder_lead_days=sched.reminder_lead_days,
                reminder_working_days=sched.reminder_working_days,
                escalation=sched.escalation,
                days_off=sched.days_off,
            ),
            result_type=list[rc.Alarm],
            start_to_close_timeout=timedelta(seconds=10),
        )

    async def _fire(self, alarm: rc.Alarm) -> None:
        async with self._lock:
            s, sched = self._state, self._state.schedule
            assert sched is not None
            if s.status != c.OPEN:
                return
            step = sched.escalation[alarm.step] if alarm.kind == "escalated" else None
            await workflow.execute_activity(
                c.RECORD_REPORT_ALARM,
                c.ReportAlarmInput(
                    report_id=sched.report_id,
                    workflow_id=workflow.info().workflow_id,
                    kind=alarm.kind,
                    due_at=sched.deadline,
                    step=alarm.step,
                    role=step.role if step else sched.reporter_role,
                    level=step.level if step else sched.unit_level,
                    action=step.action if step else None,
                ),
                **_act_options(),
            )
            if alarm.kind in ("overdue", "escalated"):
                s.overdue = True
            if step is not None:
                s.escalation_step = alarm.step

    async def _roll_up(self, *, complete: bool) -> None:
        sched = self._state.schedule
        assert sched is not None
        await workflow.execute_activity(
            c.RECORD_REPORT_ROLLUP,
            c.RollupInput(
                report_id=sched.report_id,
                workflow_id=workflow.info().workflow_id,
                children=list(self._state.children_in),
                complete=complete,
            ),
            **_act_options(),
        )
        self._state.rolled_up = True
