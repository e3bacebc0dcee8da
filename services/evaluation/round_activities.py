"""Temporal activities of the yearly round, served by the evaluation worker (entrypoint layer).

Each is idempotent: a retry after a crash finds its rows written and changes nothing."""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from common.errors import PreconditionFailed
from services.evaluation.activities import business_errors_final
from services.evaluation.service import decision_batch, decision_list, round_documents, round_steps, rounds
from services.evaluation.service.ports import UnitOfWork
from workflows.yearly_round import contracts as rc

F = TypeVar("F", bound=Callable[..., Any])
HEARTBEAT_EVERY = 5.0  # seconds; the workflow waits workflows/retry.HEARTBEAT_TIMEOUT (30 s) for one


def keep_alive(fn: F) -> F:
    """Heartbeat every few seconds while a long activity runs, from a thread of its own (the activity's
    thread is busy in one transaction or rendering): if the worker is killed, Temporal retries the activity
    once the heartbeat timeout passes instead of waiting out its start-to-close timeout (5–10 minutes)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not activity.in_activity():
            return fn(*args, **kwargs)
        context, stop = contextvars.copy_context(), threading.Event()

        def beat() -> None:
            while not stop.wait(HEARTBEAT_EVERY):
                try:
                    context.run(activity.heartbeat)
                except Exception:  # noqa: BLE001 - the activity is ending or the worker stopping
                    return

        threading.Thread(target=beat, name="heartbeat", daemon=True).start()
        try:
            return fn(*args, **kwargs)
        finally:
            stop.set()

    wrapper.heartbeats = True  # type: ignore[attr-defined]  # carried up by functools.wraps (tests read it)
    return wrapper  # type: ignore[return-value]


class RoundActivities:
    """The round's activities with their dependencies (storage for the documents)."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], storage: Any = None) -> None:
        self._uow = uow_factory
        self._storage = storage

    @activity.defn(name=rc.RECORD_ROUND_OPENED)
    @business_errors_final
    def record_round_opened(self, inp: rc.RoundOpenedInput) -> rc.RoundSchedule:
        """Write the round (once) and return its dates from the plan."""
        return rounds.record_round_opened(self._uow(), inp=inp)

    @activity.defn(name=rc.RECORD_ROUND_PHASE)
    @business_errors_final
    def record_round_phase(self, inp: rc.RoundPhaseInput) -> rc.PhaseResult:
        """Move the round to a phase, or send its reminder (once)."""
        return rounds.record_round_phase(self._uow(), inp=inp)

    @activity.defn(name=rc.ROUND_PROGRESS)
    @business_errors_final
    def round_progress(self, round_id: str) -> dict[str, int]:
        """The round's cases per status."""
        return rounds.round_progress(self._uow(), round_id=round_id)

    @activity.defn(name=rc.BUILD_DECISION_LIST)
    @business_errors_final
    @keep_alive
    def build_decision_list(self, round_id: str) -> rc.DecisionList:
        """The draft decisions from the cases awaiting decision, dependencies judged (once)."""
        return decision_list.build_decision_list(self._uow(), round_id=round_id)

    @activity.defn(name=rc.BUILD_SUPPLEMENTARY_LIST)
    @business_errors_final
    @keep_alive
    def build_supplementary_list(self, inp: rc.SupplementListInput) -> rc.DecisionList:
        """The supplementary drafts from the cases awaiting decision in no decision of the round (once)."""
        return decision_list.build_supplementary_list(self._uow(), inp=inp)

    @activity.defn(name=rc.OPEN_OBJECTIONS)
    @business_errors_final
    def open_objections(self, round_id: str) -> int:
        """How many objections are still open."""
        return round_steps.open_objections(self._uow(), round_id=round_id)

    @activity.defn(name=rc.RECORD_COUNCIL)
    @business_errors_final
    def record_council(self, inp: rc.CouncilRecordInput) -> bool:
        """Record the council's minutes (once)."""
        return round_steps.record_council(self._uow(), inp=inp)

    @activity.defn(name=rc.RECORD_SIGNATURE)
    @business_errors_final
    def record_signature(self, inp: rc.SignRecordInput) -> bool:
        """Number and sign the round's decisions (once)."""
        return round_steps.record_signature(self._uow(), inp=inp)

    @activity.defn(name=rc.RECORD_DECISION_PAGE)
    @business_errors_final
    @keep_alive
    def record_decision_page(self, inp: rc.DecisionPageInput) -> rc.DecisionPage:
        """Record the decision on one page of cases (idempotent per case). A case changed by someone else
        while its page was being recorded is a lost race, not a broken rule: the page's transaction was
        rolled back, and the retry reads the case again (it must not fail the whole round)."""
        try:
            return decision_batch.record_decision_page(self._uow(), inp=inp)
        except PreconditionFailed as exc:
            raise ApplicationError(exc.message_en, type="CaseChangedWhileRecording") from exc

    @activity.defn(name=rc.GENERATE_DECISION_DOCUMENTS)
    @business_errors_final
    @keep_alive
    def generate_decision_documents(self, decision_id: str) -> dict:
        """Render and store the decision and the minutes (once)."""
        return round_documents.generate_decision_documents(
            self._uow(), self._storage, decision_id=decision_id
        )

    @activity.defn(name=rc.GENERATE_CERTIFICATE_PAGE)
    @business_errors_final
    @keep_alive
    def generate_certificate_page(self, inp: rc.DecisionPageInput) -> rc.CertificatePage:
        """Render and store one page of certificates (once each)."""
        cursor, made, done = round_documents.generate_certificate_page(
            self._uow(), self._storage, decision_id=inp.decision_id, after=inp.after, limit=inp.limit
        )
        return rc.CertificatePage(next_after=cursor, generated=made, done=done)

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [
            self.record_round_opened,
            self.record_round_phase,
            self.round_progress,
            self.build_decision_list,
            self.build_supplementary_list,
            self.open_objections,
            self.record_council,
            self.record_signature,
            self.record_decision_page,
            self.generate_decision_documents,
            self.generate_certificate_page,
        ]
