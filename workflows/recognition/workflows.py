"""Recognition case workflow: opens the case in the evaluation read model and owns its state."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import ids, retry
    from workflows.recognition import contracts as c


@dataclass
class CaseState:
    """All workflow state in one place."""

    status: str = "opening"
    withdrawn_by: str | None = None


@workflow.defn(name=c.WORKFLOW_NAME)
class RecognitionCaseWorkflow:
    """One case per (year, title, subject); later steps arrive as Updates."""

    @workflow.init
    def __init__(self, inp: c.CaseInput) -> None:
        self._inp = inp
        self._state = CaseState()

    @workflow.run
    async def run(self, inp: c.CaseInput) -> c.CaseResult:
        info = workflow.info()
        await workflow.execute_activity(
            c.RECORD_CASE_OPENED,
            c.CaseOpenedInput(
                case_id=inp.case_id,
                workflow_id=info.workflow_id,
                run_id=info.run_id,
                year=inp.year,
                title=inp.title,
                subject_id=inp.subject_id,
                admin_unit_code=inp.admin_unit_code,
                opened_by=inp.opened_by,
            ),
            task_queue=ids.EVALUATION_TASK_QUEUE,
            start_to_close_timeout=retry.DATABASE_WRITE_TIMEOUT,
            retry_policy=retry.DATABASE_WRITE,
        )
        if self._state.status == "opening":
            self._state.status = "draft"
        await workflow.wait_condition(lambda: self._state.status == "withdrawn")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return c.CaseResult(case_id=inp.case_id, status=self._state.status)

    @workflow.update
    async def withdraw(self, inp: c.WithdrawInput) -> str:
        """Withdraw the case; the reason is kept in the audit trail."""
        await workflow.execute_activity(
            c.RECORD_CASE_WITHDRAWN,
            c.CaseWithdrawnInput(case_id=self._inp.case_id, actor=inp.actor, reason=inp.reason),
            task_queue=ids.EVALUATION_TASK_QUEUE,
            start_to_close_timeout=retry.DATABASE_WRITE_TIMEOUT,
            retry_policy=retry.DATABASE_WRITE,
        )
        self._state.status = "withdrawn"
        self._state.withdrawn_by = inp.actor
        return self._state.status

    @withdraw.validator
    def _check_withdraw(self, inp: c.WithdrawInput) -> None:
        if self._state.status == "withdrawn":
            raise ApplicationError("Hồ sơ đã được rút.", type="InvalidTransition", non_retryable=True)
        if not inp.reason.strip():
            raise ApplicationError("Cần ghi lý do rút hồ sơ.", type="ValidationFailed", non_retryable=True)

    @workflow.query
    def status(self) -> str:
        """The case's current state."""
        return self._state.status
