"""Recognition case workflow: self-assessment -> village review -> commune review -> awaiting decision.

The workflow owns the case's state and its deadlines; every human step is an Update validated against
the lifecycle table before it reaches history, and every change is written to the evaluation service's
read model by an activity on that service's task queue.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import ids, retry
    from workflows.recognition import contracts as c
    from workflows.recognition import lifecycle as lc
    from workflows.recognition.state import CaseState


def _act_options() -> dict:
    return {
        "task_queue": ids.EVALUATION_TASK_QUEUE,
        "start_to_close_timeout": retry.DATABASE_WRITE_TIMEOUT,
        "retry_policy": retry.DATABASE_WRITE,
    }


@workflow.defn(name=c.WORKFLOW_NAME)
class RecognitionCaseWorkflow:
    """One case per (year, title, subject)."""

    @workflow.init
    def __init__(self, inp: c.CaseInput) -> None:
        self._inp = inp
        self._state = CaseState()
        self._lock = asyncio.Lock()  # one step at a time: handlers await activities

    @workflow.run
    async def run(self, inp: c.CaseInput) -> c.CaseResult:
        info = workflow.info()
        opened = c.CaseOpenedInput(
            case_id=inp.case_id,
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            year=inp.year,
            title=inp.title,
            subject_id=inp.subject_id,
            admin_unit_code=inp.admin_unit_code,
            opened_by=inp.opened_by,
            plan_code=inp.plan_code,
        )
        if self._one_activity_per_step():
            # One activity writes the case and its draft due date and answers the schedule.
            self._state.schedule = await workflow.execute_activity(
                c.OPEN_CASE, opened, result_type=c.CaseSchedule, **_act_options()
            )
            draft = await self._alarms_of(lc.DRAFT, None)
            async with self._lock:
                self._state.status, self._state.version = lc.DRAFT, 1
                self._state.phase_seq += 1
                self._state.planned = (self._state.phase_seq, draft)
        else:
            await workflow.execute_activity(c.RECORD_CASE_OPENED, opened, **_act_options())
            self._state.schedule = await workflow.execute_activity(
                c.GET_CASE_SCHEDULE, inp, result_type=c.CaseSchedule, **_act_options()
            )
            async with self._lock:
                self._state.status, self._state.version = lc.DRAFT, 1
                self._state.phase_seq += 1
        while self._state.status not in lc.TERMINAL:
            await self._watch_phase()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return c.CaseResult(case_id=inp.case_id, status=self._state.status)

    def _one_activity_per_step(self) -> bool:
        """The shape of this case: from its input when it was opened with one (no patch marker in its
        history), else as `workflow.patched` recorded it (cases opened before session 7; memoised)."""
        return self._inp.shape >= c.SHAPE_ONE_ACTIVITY or workflow.patched(c.ONE_ACTIVITY_PER_STEP)

    # --- human steps ---------------------------------------------------------------------------

    @workflow.update
    async def act(self, step: c.StepInput) -> c.StepResult:
        """Take one step of the lifecycle (submit, review, request evidence, withdraw, ...)."""
        async with self._lock:
            self._check(step)  # again: another step may have run while this one waited for the lock
            s = self._state
            to_status = lc.next_status(step.action, s.status, s.returned_to)
            returned_to = s.status if step.action == "request_evidence" else s.returned_to
            if step.action == "provide_evidence":
                returned_to = None
            changed = to_status != s.status
            # A new phase: its alarms are planned now and its due date written by the step itself,
            # instead of by a "scheduled" alarm once the phase has begun (one activity, not two).
            planned = None
            if changed and self._one_activity_per_step():
                planned = await self._alarms_of(to_status, returned_to)
            due_at = _deadline_of(planned) if planned is not None else None
            info = workflow.info()
            await workflow.execute_activity(
                c.RECORD_CASE_STEP,
                c.CaseStepInput(
                    case_id=self._inp.case_id,
                    workflow_id=info.workflow_id,
                    run_id=info.run_id,
                    step=step,
                    from_status=s.status,
                    to_status=to_status,
                    version=s.version + 1,
                    returned_to=returned_to,
                    due_at=due_at,
                ),
                **_act_options(),
            )
            s.status, s.version, s.returned_to = to_status, s.version + 1, returned_to
            if changed:
                s.phase_seq += 1
                s.escalation_step, s.due_at = -1, due_at
                s.planned = (s.phase_seq, planned) if planned is not None else None
            return c.StepResult(status=s.status, version=s.version, due_at=s.due_at)

    @act.validator
    def _validate_act(self, step: c.StepInput) -> None:
        self._check(step)

    def _check(self, step: c.StepInput) -> None:
        s = self._state
        if s.status == "opening":
            raise ApplicationError(
                "Hồ sơ đang được mở, vui lòng thử lại.", type="NotReady", non_retryable=True
            )
        if step.expected_version != s.version:
            raise ApplicationError(
                f"Hồ sơ đã thay đổi (phiên bản {s.version}, yêu cầu dựa trên {step.expected_version}).",
                type="VersionConflict",
                non_retryable=True,
            )
        reason = lc.refusal(step.action, s.status, step.role, s.returned_to)
        if reason:
            raise ApplicationError(reason, type="InvalidTransition", non_retryable=True)
        opens = s.schedule.self_assessment_opens if s.schedule is not None else ""
        if step.action == "submit" and opens and workflow.now() < datetime.fromisoformat(opens):
            # The window of the case's year has not opened (schedules recorded before it have no date).
            raise ApplicationError(
                f"Chưa đến thời gian tự đánh giá (từ {opens[:10]}).",
                opens,
                type="SelfAssessmentNotOpen",
                non_retryable=True,
            )
        if step.action in ("adjust_score", "request_evidence", "withdraw") and not step.reason.strip():
            raise ApplicationError("Cần ghi rõ lý do.", type="ValidationFailed", non_retryable=True)
        if step.action == "adjust_score" and (
            not step.indicator_code or step.indicator_code not in step.scores
        ):
            raise ApplicationError(
                "Cần chỉ tiêu và điểm điều chỉnh.", type="ValidationFailed", non_retryable=True
            )
        if step.action == "submit" and not step.scores:
            raise ApplicationError("Chưa có điểm tự đánh giá.", type="ValidationFailed", non_retryable=True)

    @workflow.update(name=c.WAIT_OPENED)
    async def wait_opened(self) -> c.CaseStatus:
        """Answer once the case is open (read model written, schedule known), so that a client that
        has just opened it can take its first step at once instead of retrying until it is ready."""
        await workflow.wait_condition(lambda: self._state.status != "opening")
        return self.status()

    @workflow.signal(name=c.CASE_DECIDED_SIGNAL)
    async def decided(self, inp: c.CaseDecided) -> None:
        """The yearly round has recorded its signed decision on this case (read model, audit, event):
        the case ends in its outcome. Told twice, or in any other state, it changes nothing."""
        async with self._lock:
            s = self._state
            if s.status != lc.AWAITING_DECISION or inp.outcome not in lc.OUTCOMES:
                return
            s.status, s.version, s.due_at = inp.outcome, s.version + 1, None
            s.phase_seq += 1

    @workflow.query
    def status(self) -> c.CaseStatus:
        """The case's current state."""
        s = self._state
        return c.CaseStatus(
            status=s.status,
            version=s.version,
            due_at=s.due_at,
            escalation_step=s.escalation_step,
            returned_to=s.returned_to,
        )

    # --- deadlines -----------------------------------------------------------------------------

    async def _watch_phase(self) -> None:
        """Sleep until each alarm of the current phase; stop as soon as the phase changes."""
        seq = self._state.phase_seq
        planned = self._state.planned
        if planned is not None and planned[0] == seq:
            alarms, written = planned[1], True  # the step that began the phase wrote its due date
        else:
            alarms, written = await self._alarms_of(self._state.status, self._state.returned_to), False
        deadline = _deadline_of(alarms)
        self._state.due_at = deadline
        if deadline and not written:
            async with self._lock:  # the inbox shows the due date from the start of the phase
                if self._state.phase_seq != seq:
                    return
                await self._fire(c.Alarm(at=deadline, kind="scheduled"), deadline)
        for index, alarm in enumerate(alarms):
            delay = datetime.fromisoformat(alarm.at) - workflow.now()
            if delay > timedelta(0):
                try:
                    await workflow.wait_condition(lambda: self._state.phase_seq != seq, timeout=delay)
                    return
                except TimeoutError:
                    pass
            if self._inp.shape >= c.SHAPE_CATCH_UP and _overtaken(alarms, index, workflow.now()):
                continue
            async with self._lock:
                if self._state.phase_seq != seq:
                    return
                await self._fire(alarm, deadline or alarm.at)
        await workflow.wait_condition(lambda: self._state.phase_seq != seq)

    async def _alarms_of(self, status: str, returned_to: str | None) -> list[c.Alarm]:
        """The reminder, deadline and escalation steps of a phase that begins now (none for a phase
        whose deadlines are the yearly round's, or a terminal one)."""
        sched = self._state.schedule
        assert sched is not None
        level = lc.LEVEL_OF.get(status) or lc.LEVEL_OF.get(returned_to or "")
        opens = ""
        if status == lc.DRAFT:
            limit, working, deadline = None, False, sched.self_assessment_closes
            opens = sched.self_assessment_opens
        elif status in (lc.VILLAGE_REVIEW, lc.COMMUNE_REVIEW, lc.EVIDENCE_REQUESTED) and level:
            # A household asked for evidence has as long as the asking level has to review.
            limit, working, deadline = (
                sched.review_days.get(level),
                sched.review_working_days.get(level, True),
                "",
            )
        else:
            return []  # awaiting the yearly round's decision: its deadlines are the round's
        if limit is None and not deadline:
            return []
        return await workflow.execute_local_activity(
            c.PLAN_ALARMS,
            c.AlarmsInput(
                deadline=deadline,
                start=workflow.now().isoformat(),
                limit_days=limit,
                limit_working_days=working,
                reminder_lead_days=sched.reminder_lead_days,
                reminder_working_days=sched.reminder_working_days,
                escalation=sched.escalation,
                days_off=sched.days_off,
                opens=opens,
            ),
            result_type=list[c.Alarm],
            start_to_close_timeout=timedelta(seconds=10),
        )

    async def _fire(self, alarm: c.Alarm, due_at: str) -> None:
        sched = self._state.schedule
        assert sched is not None
        step = sched.escalation[alarm.step] if alarm.kind == "escalated" else None
        await workflow.execute_activity(
            c.RECORD_CASE_ALARM,
            c.CaseAlarmInput(
                case_id=self._inp.case_id,
                workflow_id=workflow.info().workflow_id,
                status=self._state.status,
                kind=alarm.kind,
                due_at=due_at,
                step=alarm.step,
                role=step.role if step else None,
                level=step.level if step else None,
                action=step.action if step else None,
            ),
            **_act_options(),
        )
        if step is not None:
            self._state.escalation_step = alarm.step


def _overtaken(alarms: list[c.Alarm], index: int, now: datetime) -> bool:
    """Whether a later alarm of the phase is due already and makes this one moot: a reminder once the
    deadline has passed, an escalation step once a later step is due. (A case opened after its deadline
    and every step of its chain tells only the last step's role, where the chain has reached, not each
    role on the way at once; the deadline itself, "overdue", is always told.)"""
    alarm = alarms[index]
    if alarm.kind not in ("reminder", "escalated"):
        return False
    later = ("overdue", "escalated") if alarm.kind == "reminder" else ("escalated",)
    return any(a.kind in later and datetime.fromisoformat(a.at) <= now for a in alarms[index + 1 :])


def _deadline_of(alarms: list[c.Alarm]) -> str | None:
    """A phase's deadline: when its "overdue" alarm fires."""
    return next((a.at for a in alarms if a.kind == "overdue"), None)
