"""Temporal activities of the evaluation service (entrypoint layer, served on its own task queue)."""

from __future__ import annotations

from collections.abc import Callable

from temporalio import activity

from services.evaluation.service import cases
from services.evaluation.service.ports import UnitOfWork
from workflows.recognition import contracts as c


class EvaluationActivities:
    """Activities built by the service's worker with their dependencies; each is idempotent."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self._uow = uow_factory

    @activity.defn(name=c.RECORD_CASE_OPENED)
    def record_case_opened(self, inp: c.CaseOpenedInput) -> bool:
        """Write the opened case into the read model (once)."""
        return cases.record_case_opened(self._uow(), inp=inp)

    @activity.defn(name=c.RECORD_CASE_WITHDRAWN)
    def record_case_withdrawn(self, inp: c.CaseWithdrawnInput) -> bool:
        """Record the withdrawal (once)."""
        return cases.record_case_withdrawn(self._uow(), inp=inp)

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [self.record_case_opened, self.record_case_withdrawn]
