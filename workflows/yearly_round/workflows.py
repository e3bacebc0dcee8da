"""YearlyRound: one per (commune, year, plan). Opens the self-assessment window, reminds, closes it,
posts the proposed list publicly and waits out the objection window (and every open objection), takes
the council's minutes, the chairman's signature (Updates with validators), then records the decision on
every case in bounded pages (continue-as-new between groups of pages) and generates the documents. Then,
until the plan's end of supplementary decisions (31/12 of its year by default) or until the association
closes it, it takes supplementary decisions: the association builds a list of the cases that reached
awaiting_decision later (an Update), the chairman signs it (an Update), and it is recorded and documented
as the main decision was.

The evaluation service's activities hold the data; the workflow holds the phase and the order."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows import ids, retry
    from workflows.yearly_round import contracts as rc

COUNCIL_ROLES = frozenset(
    {"commune_association_officer", "learning_centre_staff", "commune_chairman", "administrator"}
)
SIGNER_ROLES = frozenset({"commune_chairman"})
# Who builds a supplementary list and who closes the round early: the commune association (and the
# chairman, the administrator), as for opening the round.
SUPPLEMENT_ROLES = frozenset({"commune_association_officer", "commune_chairman", "administrator"})


def _opts(timeout: timedelta = retry.DATABASE_WRITE_TIMEOUT, *, long: bool = False) -> dict:
    """Activity options; `long`: the activity heartbeats (services/evaluation/round_activities.keep_alive),
    so a worker killed during it costs the heartbeat timeout, not the whole start-to-close timeout."""
    return {
        "task_queue": ids.EVALUATION_TASK_QUEUE,
        "start_to_close_timeout": timeout,
        "retry_policy": retry.DATABASE_WRITE,
        **({"heartbeat_timeout": retry.HEARTBEAT_TIMEOUT} if long else {}),
    }


def _refuse(message: str, kind: str = "InvalidTransition") -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


@workflow.defn(name=rc.WORKFLOW_NAME)
class YearlyRoundWorkflow:
    """The commune's year."""

    @workflow.init
    def __init__(self, inp: rc.RoundInput) -> None:
        self._inp = inp
        r = inp.resume
        self._phase = r.phase if r else "opening"
        self._version = r.version if r else 0
        self._schedule = r.schedule if r else None
        self._decision_ids = list(r.decision_ids) if r else []
        self._index = r.decision_index if r else 0
        self._cursor = r.cursor if r else ""
        self._recorded = r.recorded if r else 0
        self._objections_seq = 0
        self._objections_close = r.objections_close if r else None
        self._first = r.first if r else 0
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, inp: rc.RoundInput) -> rc.RoundResult:
        if inp.resume is None:
            await self._open_and_wait_for_signature()
        elif self._phase in (rc.COUNCIL, rc.AWAITING_SIGNATURE):
            # Resumed before the signature (e.g. a round restarted after its dates had passed): the council
            # and sign Updates move it on, as in a first run.
            await workflow.wait_condition(lambda: self._phase == rc.RECORDING)
        while True:
            if self._phase == rc.RECORDING:
                await self._record_pages()
                await self._to(rc.DOCUMENTS, recorded=self._recorded)
                self._index, self._cursor = self._first, ""
            if self._phase == rc.DOCUMENTS:
                await self._documents()
                # Rounds started before supplementary decisions existed replay as they ran: closed here.
                if workflow.patched(rc.SUPPLEMENTS_PATCH) and workflow.now() < self._supplements_until():
                    await self._to(
                        rc.SUPPLEMENTARY,
                        recorded=self._recorded,
                        supplements_until=self._supplements_until_iso(),
                    )
                else:
                    await self._to(rc.CLOSED, recorded=self._recorded)
            if self._phase not in (rc.SUPPLEMENTARY, rc.SUPPLEMENT_SIGNATURE):
                break
            await self._take_supplements()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return rc.RoundResult(round_id=inp.round_id, phase=self._phase, recorded=self._recorded)

    # --- the year, phase by phase --------------------------------------------------------------

    async def _open_and_wait_for_signature(self) -> None:
        inp, info = self._inp, workflow.info()
        self._schedule = await workflow.execute_activity(
            rc.RECORD_ROUND_OPENED,
            rc.RoundOpenedInput(
                round_id=inp.round_id,
                workflow_id=info.workflow_id,
                admin_unit_code=inp.admin_unit_code,
                year=inp.year,
                plan_code=inp.plan_code,
                opened_by=inp.opened_by,
            ),
            result_type=rc.RoundSchedule,
            **_opts(),
        )
        self._phase, self._version = rc.OPEN, 1
        s = self._schedule
        if await self._sleep_until(s.self_assessment_remind):
            await workflow.execute_activity(
                rc.RECORD_ROUND_PHASE,
                rc.RoundPhaseInput(
                    inp.round_id, "reminder", self._version, detail={"due_at": s.self_assessment_closes}
                ),
                result_type=rc.PhaseResult,
                **_opts(),
            )
        await self._sleep_until(s.self_assessment_closes)
        await self._to(rc.REVIEWING)
        await self._sleep_until(s.decision_from)
        built = await workflow.execute_activity(
            rc.BUILD_DECISION_LIST,
            inp.round_id,
            result_type=rc.DecisionList,
            **_opts(timedelta(minutes=10), long=True),
        )
        self._decision_ids = built.decision_ids
        result = await self._to(
            rc.POSTING,
            at=workflow.now().isoformat(),
            posting_days=s.posting_days,
            posting_working_days=s.posting_working_days,
            days_off=s.days_off,
            decisions=built.decision_ids,
            recognised=built.recognised,
            not_recognised=built.not_recognised,
        )
        self._objections_close = result.objections_close
        if result.objections_close:
            await self._sleep_until(result.objections_close)
        while True:  # every objection must be resolved before the council sits
            seen = self._objections_seq
            still_open = await workflow.execute_activity(
                rc.OPEN_OBJECTIONS, inp.round_id, result_type=int, **_opts()
            )
            if not still_open:
                # The activity counts again in the transaction that moves the phase, and refuses the move
                # if an objection slipped in since (its filing signals us, so we count once more).
                async with self._lock:
                    if (await self._to(rc.COUNCIL)).moved:
                        break
            await workflow.wait_condition(lambda seen=seen: self._objections_seq != seen)
        await workflow.wait_condition(lambda: self._phase == rc.RECORDING)

    def _supplements_until_iso(self) -> str:
        """The end of the supplementary decisions: the schedule's (from the plan), or 31/12 of the year for
        a schedule recorded before the field existed (its history replays unchanged)."""
        s = self._schedule
        return (s.supplements_until if s else "") or rc.supplements_until(self._inp.year)

    def _supplements_until(self) -> datetime:
        return datetime.fromisoformat(self._supplements_until_iso())

    async def _take_supplements(self) -> None:
        """Wait in SUPPLEMENTARY (or SUPPLEMENT_SIGNATURE) until a supplementary decision is signed (the
        phase is then RECORDING), the association closes the round (CLOSED), or the year ends: then, once
        a list already built is signed and recorded, the round closes."""
        waiting = (rc.SUPPLEMENTARY, rc.SUPPLEMENT_SIGNATURE)
        while self._phase in waiting:
            left = self._supplements_until() - workflow.now()
            if left > timedelta(0):
                try:
                    await workflow.wait_condition(lambda: self._phase not in waiting, timeout=left)
                except TimeoutError:
                    pass
                continue
            # The year is over: no new list; one awaiting the signature is still signed and recorded.
            await workflow.wait_condition(lambda: self._phase != rc.SUPPLEMENT_SIGNATURE)
            async with self._lock:
                if self._phase == rc.SUPPLEMENTARY:
                    await self._to(rc.CLOSED, recorded=self._recorded, reason="year_end")

    async def _record_pages(self) -> None:
        pages = 0
        while self._index < len(self._decision_ids):
            page = await workflow.execute_activity(
                rc.RECORD_DECISION_PAGE,
                rc.DecisionPageInput(self._decision_ids[self._index], self._cursor, rc.PAGE_SIZE),
                result_type=rc.DecisionPage,
                **_opts(timedelta(minutes=5), long=True),
            )
            await self._tell_cases(self._decision_ids[self._index], page)
            self._recorded += page.newly_recorded
            self._cursor, pages = page.next_after, pages + 1
            if page.done:
                self._index, self._cursor = self._index + 1, ""
            if pages >= rc.PAGES_PER_RUN or workflow.info().is_continue_as_new_suggested():
                self._continue()

    async def _tell_cases(self, decision_id: str, page: rc.DecisionPage) -> None:
        """Signal each case's workflow so it ends in its outcome; a case whose workflow has already ended
        (told before a crash, or withdrawn) answers with an error that changes nothing."""
        sends = [
            workflow.get_external_workflow_handle(wid).signal(
                rc.CASE_DECIDED_SIGNAL, rc.CaseDecided(outcome, decision_id)
            )
            for wid, outcome in zip(page.workflow_ids, page.outcomes, strict=True)
        ]
        await asyncio.gather(*sends, return_exceptions=True)

    async def _documents(self) -> None:
        pages = 0
        while self._index < len(self._decision_ids):
            decision_id = self._decision_ids[self._index]
            if not self._cursor:
                await workflow.execute_activity(
                    rc.GENERATE_DECISION_DOCUMENTS,
                    decision_id,
                    result_type=dict,
                    **_opts(timedelta(minutes=10), long=True),
                )
            page = await workflow.execute_activity(
                rc.GENERATE_CERTIFICATE_PAGE,
                rc.DecisionPageInput(decision_id, self._cursor, rc.CERTIFICATE_PAGE),
                result_type=rc.CertificatePage,
                **_opts(timedelta(minutes=10), long=True),
            )
            self._cursor, pages = page.next_after, pages + 1
            if page.done:
                self._index, self._cursor = self._index + 1, ""
            if pages >= rc.PAGES_PER_RUN * 5 or workflow.info().is_continue_as_new_suggested():
                self._continue()

    def _continue(self) -> None:
        assert self._schedule is not None
        workflow.continue_as_new(
            rc.RoundInput(
                round_id=self._inp.round_id,
                admin_unit_code=self._inp.admin_unit_code,
                year=self._inp.year,
                plan_code=self._inp.plan_code,
                opened_by=self._inp.opened_by,
                resume=rc.RoundResume(
                    phase=self._phase,
                    version=self._version,
                    schedule=self._schedule,
                    decision_ids=self._decision_ids,
                    decision_index=self._index,
                    cursor=self._cursor,
                    recorded=self._recorded,
                    objections_close=self._objections_close,
                    first=self._first,
                ),
            )
        )

    async def _sleep_until(self, when: str) -> bool:
        """Sleep until an ISO instant; False when it had already passed."""
        delay = datetime.fromisoformat(when) - workflow.now()
        if delay <= timedelta(0):
            return False
        await workflow.sleep(delay)
        return True

    async def _to(self, phase: str, *, actor: str = "system", **detail: object) -> rc.PhaseResult:
        result = await workflow.execute_activity(
            rc.RECORD_ROUND_PHASE,
            rc.RoundPhaseInput(self._inp.round_id, phase, self._version + 1, actor=actor, detail=detail),
            result_type=rc.PhaseResult,
            **_opts(),
        )
        if result.moved:
            self._phase, self._version = phase, self._version + 1
        return result

    # --- people ---------------------------------------------------------------------------------

    @workflow.signal(name=rc.OBJECTIONS_CHANGED_SIGNAL)
    def objections_changed(self) -> None:
        """An objection was filed, assigned or resolved: re-count the open ones."""
        self._objections_seq += 1

    @workflow.update
    async def council(self, inp: rc.CouncilInput) -> rc.RoundStep:
        """Record the council's minutes; the round then waits for the chairman."""
        async with self._lock:
            self._check(inp.expected_version, inp.role, rc.COUNCIL, COUNCIL_ROLES)
            await workflow.execute_activity(
                rc.RECORD_COUNCIL,
                rc.CouncilRecordInput(self._inp.round_id, self._version + 1, inp),
                result_type=bool,
                **_opts(),
            )
            self._version += 1
            await self._to(rc.AWAITING_SIGNATURE)
            return rc.RoundStep(self._phase, self._version)

    @council.validator
    def _validate_council(self, inp: rc.CouncilInput) -> None:
        self._check(inp.expected_version, inp.role, rc.COUNCIL, COUNCIL_ROLES)
        m = inp.minutes
        if not m.attendance or not m.chair.strip() or not m.secretary.strip():
            raise _refuse("Biên bản cần chủ trì, thư ký và danh sách có mặt.", "ValidationFailed")
        _iso_date(m.met_on, "met_on")

    @workflow.update
    async def sign(self, inp: rc.SignInput) -> rc.RoundStep:
        """The chairman signs the round's decisions; recording on the cases starts."""
        return await self._sign(inp, rc.AWAITING_SIGNATURE)

    @sign.validator
    def _validate_sign(self, inp: rc.SignInput) -> None:
        self._check_signature(inp, rc.AWAITING_SIGNATURE)

    async def _sign(self, inp: rc.SignInput, phase: str) -> rc.RoundStep:
        """Record the chairman's signature of the decisions awaiting it in `phase`, then record them."""
        async with self._lock:
            self._check(inp.expected_version, inp.role, phase, SIGNER_ROLES)
            await workflow.execute_activity(
                rc.RECORD_SIGNATURE,
                rc.SignRecordInput(self._inp.round_id, self._version + 1, inp),
                result_type=bool,
                **_opts(),
            )
            self._version += 1
            await self._to(rc.RECORDING)
            return rc.RoundStep(self._phase, self._version)

    def _check_signature(self, inp: rc.SignInput, phase: str) -> None:
        self._check(inp.expected_version, inp.role, phase, SIGNER_ROLES)
        if not inp.signer_name.strip():
            raise _refuse("Cần họ tên người ký.", "ValidationFailed")
        _iso_date(inp.signed_on, "signed_on")

    @workflow.update
    async def supplement(self, inp: rc.SupplementInput) -> rc.RoundStep:
        """The association builds a supplementary list: the cases awaiting decision in no decision of the
        round yet (refused, nothing written, when there is none)."""
        async with self._lock:
            self._check_supplement(inp)
            built = await workflow.execute_activity(
                rc.BUILD_SUPPLEMENTARY_LIST,
                rc.SupplementListInput(self._inp.round_id, self._version + 1, inp),
                result_type=rc.DecisionList,
                **_opts(timedelta(minutes=10), long=True),
            )
            if not built.decision_ids:
                raise _refuse(
                    "Không có hồ sơ nào chờ quyết định ngoài các quyết định đã ban hành.", "NothingToDecide"
                )
            self._first = len(self._decision_ids)
            self._decision_ids = [*self._decision_ids, *built.decision_ids]
            self._index, self._cursor = self._first, ""
            await self._to(
                rc.SUPPLEMENT_SIGNATURE,
                actor=inp.actor,
                decisions=built.decision_ids,
                recognised=built.recognised,
                not_recognised=built.not_recognised,
            )
            return rc.RoundStep(self._phase, self._version)

    @supplement.validator
    def _validate_supplement(self, inp: rc.SupplementInput) -> None:
        self._check_supplement(inp)

    def _check_supplement(self, inp: rc.SupplementInput) -> None:
        self._check(inp.expected_version, inp.role, rc.SUPPLEMENTARY, SUPPLEMENT_ROLES)
        if workflow.now() >= self._supplements_until():
            until = self._supplements_until().strftime("%d/%m/%Y")
            raise _refuse(f"Đã hết hạn lập quyết định bổ sung ({until}): không lập thêm quyết định bổ sung.")

    @workflow.update
    async def sign_supplement(self, inp: rc.SignInput) -> rc.RoundStep:
        """The chairman signs the supplementary decisions; recording on their cases starts."""
        return await self._sign(inp, rc.SUPPLEMENT_SIGNATURE)

    @sign_supplement.validator
    def _validate_sign_supplement(self, inp: rc.SignInput) -> None:
        self._check_signature(inp, rc.SUPPLEMENT_SIGNATURE)

    @workflow.update
    async def close(self, inp: rc.CloseInput) -> rc.RoundStep:
        """The association closes the round before the end of its year: no more supplementary decisions."""
        async with self._lock:
            self._check(inp.expected_version, inp.role, rc.SUPPLEMENTARY, SUPPLEMENT_ROLES)
            await self._to(
                rc.CLOSED, actor=inp.actor, recorded=self._recorded, reason="closed_by_association"
            )
            return rc.RoundStep(self._phase, self._version)

    @close.validator
    def _validate_close(self, inp: rc.CloseInput) -> None:
        self._check(inp.expected_version, inp.role, rc.SUPPLEMENTARY, SUPPLEMENT_ROLES)

    def _check(self, expected_version: int, role: str, phase: str, roles: frozenset[str]) -> None:
        if self._phase != phase:
            raise _refuse(f"Đợt xét đang ở giai đoạn '{self._phase}', không ở '{phase}'.")
        if expected_version != self._version:
            raise _refuse(
                f"Đợt xét đã thay đổi (phiên bản {self._version}, yêu cầu dựa trên {expected_version}).",
                "VersionConflict",
            )
        if role not in roles:
            raise _refuse(f"Vai trò '{role}' không được thực hiện bước này.")

    @workflow.query
    def status(self) -> rc.RoundStatus:
        """The round's phase and progress."""
        return rc.RoundStatus(
            phase=self._phase,
            version=self._version,
            decision_ids=self._decision_ids,
            recorded=self._recorded,
            objections_close=self._objections_close,
            supplements_until=self._supplements_until_iso(),
        )


def _iso_date(text: str, field: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError:
        raise _refuse(f"Ngày không hợp lệ: {text}.", "ValidationFailed") from None
