"""Temporal activities of the evaluation service (entrypoint layer, served on its own task queue)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from common.errors import DependencyUnavailable, DomainError
from services.evaluation.service import case_steps, cases
from services.evaluation.service.ports import UnitOfWork
from workflows.recognition import contracts as c

F = TypeVar("F", bound=Callable[..., Any])


def business_errors_final(fn: F) -> F:
    """A broken business rule will not mend by retrying: report it to the workflow as non-retryable.

    An unreachable dependency is retried by the workflow's retry policy instead.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DependencyUnavailable:
            raise
        except DomainError as exc:
            raise ApplicationError(
                exc.message_vi, exc.errors, type=type(exc).__name__, non_retryable=True
            ) from exc

    return wrapper  # type: ignore[return-value]


class EvaluationActivities:
    """Activities built by the service's worker with their dependencies; each is idempotent."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self._uow = uow_factory

    @activity.defn(name=c.RECORD_CASE_OPENED)
    @business_errors_final
    def record_case_opened(self, inp: c.CaseOpenedInput) -> bool:
        """Write the opened case into the read model (once)."""
        return cases.record_case_opened(self._uow(), inp=inp)

    @activity.defn(name=c.RECORD_CASE_WITHDRAWN)
    @business_errors_final
    def record_case_withdrawn(self, inp: c.CaseWithdrawnInput) -> bool:
        """Record the withdrawal (once); kept for workflow histories recorded before record_case_step."""
        return cases.record_case_withdrawn(self._uow(), inp=inp)

    @activity.defn(name=c.GET_CASE_SCHEDULE)
    @business_errors_final
    def get_case_schedule(self, inp: c.CaseInput) -> c.CaseSchedule:
        """The case's deadlines from its plan."""
        return case_steps.case_schedule(self._uow(), inp=inp)

    @activity.defn(name=c.RECORD_CASE_STEP)
    @business_errors_final
    def record_case_step(self, inp: c.CaseStepInput) -> bool:
        """Apply one lifecycle step to the read model (once)."""
        return case_steps.record_case_step(self._uow(), inp=inp)

    @activity.defn(name=c.RECORD_CASE_ALARM)
    @business_errors_final
    def record_case_alarm(self, inp: c.CaseAlarmInput) -> bool:
        """Record a reminder, a missed deadline or an escalation step (once)."""
        return case_steps.record_case_alarm(self._uow(), inp=inp)

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [
            self.record_case_opened,
            self.record_case_withdrawn,
            self.get_case_schedule,
            self.record_case_step,
            self.record_case_alarm,
        ]
