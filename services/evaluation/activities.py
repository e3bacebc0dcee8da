"""Temporal activities of the evaluation service (entrypoint layer, served on its own task queue)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from common.errors import DependencyUnavailable, DomainError
from services.evaluation.service import annual_reports, case_steps, cases
from services.evaluation.service.ports import UnitOfWork
from workflows.annual_report import contracts as ar
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
            # details: the field errors, their English (None when they read the same in both), and the
            # message's English (`steps._domain_error` answers in the caller's language)
            raise ApplicationError(
                exc.message_vi,
                exc.errors,
                exc.errors_en,
                exc.message_en,
                type=type(exc).__name__,
                non_retryable=True,
            ) from exc

    return wrapper  # type: ignore[return-value]


class EvaluationActivities:
    """Activities built by the service's worker with their dependencies; each is idempotent."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], storage: Any = None) -> None:
        self._uow = uow_factory
        self._storage = storage  # object storage for the round's documents

    @activity.defn(name=c.OPEN_CASE)
    @business_errors_final
    def open_case(self, inp: c.CaseOpenedInput) -> c.CaseSchedule:
        """Write the opened case into the read model (once) and answer its deadlines from its plan."""
        return case_steps.open_case(self._uow(), inp=inp)

    @activity.defn(name=c.RECORD_CASE_OPENED)
    @business_errors_final
    def record_case_opened(self, inp: c.CaseOpenedInput) -> bool:
        """Write the opened case into the read model (once); for histories recorded before open_case."""
        return cases.record_case_opened(self._uow(), inp=inp)

    @activity.defn(name=c.RECORD_CASE_WITHDRAWN)
    @business_errors_final
    def record_case_withdrawn(self, inp: c.CaseWithdrawnInput) -> bool:
        """Record the withdrawal (once); kept for workflow histories recorded before record_case_step."""
        return cases.record_case_withdrawn(self._uow(), inp=inp)

    @activity.defn(name=c.GET_CASE_SCHEDULE)
    @business_errors_final
    def get_case_schedule(self, inp: c.CaseInput) -> c.CaseSchedule:
        """The case's deadlines from its plan; for histories recorded before open_case."""
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

    @activity.defn(name=ar.OPEN_ANNUAL_REPORT)
    @business_errors_final
    def open_annual_report(self, inp: ar.OpenReportInput) -> ar.ReportSchedule:
        """Write the annual report (once) and answer its schedule from the plan."""
        return annual_reports.open_annual_report(self._uow(), inp=inp)

    @activity.defn(name=ar.RECORD_REPORT_SUBMITTED)
    @business_errors_final
    def record_report_submitted(self, inp: ar.ReportSubmittedInput) -> bool:
        """Snapshot and audit a report's submission (once)."""
        return annual_reports.record_report_submitted(self._uow(), inp=inp)

    @activity.defn(name=ar.RECORD_REPORT_ALARM)
    @business_errors_final
    def record_report_alarm(self, inp: ar.ReportAlarmInput) -> bool:
        """Record a report's reminder, missed deadline or escalation step (once)."""
        return annual_reports.record_report_alarm(self._uow(), inp=inp)

    @activity.defn(name=ar.RECORD_REPORT_ROLLUP)
    @business_errors_final
    def record_report_rollup(self, inp: ar.RollupInput) -> bool:
        """Sum the reports of the units below into this one (once)."""
        return annual_reports.record_report_rollup(self._uow(), inp=inp)

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker (the yearly round's too)."""
        from services.evaluation.round_activities import RoundActivities

        return [
            *RoundActivities(self._uow, self._storage).all(),
            self.open_case,
            self.record_case_opened,
            self.record_case_withdrawn,
            self.get_case_schedule,
            self.record_case_step,
            self.record_case_alarm,
            self.open_annual_report,
            self.record_report_submitted,
            self.record_report_alarm,
            self.record_report_rollup,
        ]
