"""NominationRound workflow: nominating → scoring → shortlisted (quotas, forwarding) → decided → documents.

Each phase ends when someone closes it (an Update, validated before history) or when its deadline passes
(a durable timer). The awards service's activities do the work on its own task queue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import retry
    from workflows.nomination_round import contracts as c

DEADLINE_HOUR_UTC = 17  # midnight in Vietnam (UTC+7): a deadline date lasts the whole Vietnamese day


def _deadline(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(DEADLINE_HOUR_UTC), tzinfo=UTC)


@workflow.defn(name=c.WORKFLOW)
class NominationRoundWorkflow:
    @workflow.init
    def __init__(self, inp: c.NominationRoundInput) -> None:
        self._status = c.RoundStatus(round_id=inp.round_id, phase="nominating", closed_by=[])
        self._closing: dict[str, c.StepInput] = {}
        self._sign: c.SignInput | None = None

    @workflow.run
    async def run(self, inp: c.NominationRoundInput) -> c.RoundStatus:
        wid = workflow.info().workflow_id
        await self._phase_end("nominating", inp.nomination_deadline)
        await self._act(c.CLOSE_NOMINATIONS, inp, self._phase_input(inp, "nominating", wid))
        self._status.phase = "scoring"
        await self._phase_end("scoring", inp.council_deadline)
        await self._act(c.DRAW_SHORTLIST, inp, self._phase_input(inp, "scoring", wid))
        self._status.phase = "shortlisted"
        await workflow.wait_condition(lambda: self._sign is not None)
        sign = self._sign
        assert sign is not None
        decided = await self._act(
            c.RECORD_AWARD_DECISION,
            inp,
            c.DecisionInput(
                inp.round_id, sign.number, sign.decided_on, sign.actor, sign.signer_name, sign.reason, wid
            ),
        )
        self._status.decision_id = decided["decision_id"]
        self._status.phase = "decided"
        await self._act(
            c.BUILD_AWARD_DOCUMENTS, inp, c.DocumentsInput(inp.round_id, inp.unit_name, sign.actor, wid)
        )
        self._status.phase = "done"
        return self._status

    async def _phase_end(self, phase: str, deadline: str) -> None:
        left = (_deadline(deadline) - workflow.now()).total_seconds()
        if left > 0:
            try:
                await workflow.wait_condition(lambda: phase in self._closing, timeout=timedelta(seconds=left))
            except TimeoutError:
                pass
        if phase not in self._closing:
            self._closing[phase] = c.StepInput("system:deadline", "system", f"deadline {deadline} passed")
        self._status.closed_by.append(f"{phase}:{self._closing[phase].actor}")

    def _phase_input(self, inp: c.NominationRoundInput, phase: str, wid: str) -> c.PhaseInput:
        step = self._closing[phase]
        return c.PhaseInput(inp.round_id, step.actor, step.reason, wid)

    async def _act(self, name: str, inp: c.NominationRoundInput, arg: object) -> dict:
        return await workflow.execute_activity(
            name,
            arg,
            task_queue=inp.activity_task_queue,
            start_to_close_timeout=retry.DATABASE_WRITE_TIMEOUT * 4,
            retry_policy=retry.AWARDS_WRITE,
            result_type=dict,
        )

    def _require(self, phase: str) -> None:
        if self._status.phase != phase or phase in self._closing:
            raise ApplicationError(
                f"The round is in phase {self._status.phase}, not {phase}.",
                type="InvalidTransition",
                non_retryable=True,
            )

    @workflow.update(name=c.UPDATE_CLOSE_NOMINATIONS)
    async def close_nominations(self, inp: c.StepInput) -> str:
        self._closing["nominating"] = inp
        await workflow.wait_condition(lambda: self._status.phase != "nominating")
        return self._status.phase

    @close_nominations.validator
    def _check_close_nominations(self, inp: c.StepInput) -> None:
        self._require("nominating")
        if not inp.reason.strip():
            raise ValueError("A reason is required.")

    @workflow.update(name=c.UPDATE_CLOSE_SCORING)
    async def close_scoring(self, inp: c.StepInput) -> str:
        self._closing["scoring"] = inp
        await workflow.wait_condition(lambda: self._status.phase not in ("nominating", "scoring"))
        return self._status.phase

    @close_scoring.validator
    def _check_close_scoring(self, inp: c.StepInput) -> None:
        self._require("scoring")
        if not inp.reason.strip():
            raise ValueError("A reason is required.")

    @workflow.update(name=c.UPDATE_SIGN_DECISION)
    async def sign_decision(self, inp: c.SignInput) -> str:
        self._sign = inp
        await workflow.wait_condition(lambda: self._status.decision_id is not None)
        return self._status.decision_id or ""

    @sign_decision.validator
    def _check_sign(self, inp: c.SignInput) -> None:
        if self._status.phase != "shortlisted" or self._sign is not None:
            raise ApplicationError(
                f"The round is in phase {self._status.phase}, not shortlisted.",
                type="InvalidTransition",
                non_retryable=True,
            )
        date.fromisoformat(inp.decided_on)
        if not inp.number.strip() or not inp.reason.strip():
            raise ValueError("A decision number and a reason are required.")

    @workflow.query(name=c.QUERY_STATUS)
    def status(self) -> c.RoundStatus:
        return self._status
