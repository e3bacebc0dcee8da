"""Evaluation unit of work: its repositories on one transaction (adapter layer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine

from common.unit_of_work import SqlUnitOfWorkBase
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.admin_unit_repository import AdminUnitRepository
from services.evaluation.adapters.annual_report_repository import AnnualReportRepository
from services.evaluation.adapters.import_run_repository import ImportRunRepository
from services.evaluation.adapters.plan_repository import PlanRepository
from services.evaluation.adapters.progress_repository import ProgressRepository
from services.evaluation.adapters.report_query import ReportQuery
from services.evaluation.adapters.repository import CaseRepository, EvidenceRepository
from services.evaluation.adapters.round_repository import DecisionRepository, RoundRepository
from services.evaluation.adapters.subject_repository import SubjectRepository
from services.evaluation.adapters.subject_writer import SubjectWriter
from services.evaluation.adapters.user_repository import UserRepository


class SqlUnitOfWork(SqlUnitOfWorkBase):
    """The evaluation service's transaction boundary."""

    cases: CaseRepository
    evidence: EvidenceRepository
    admin_units: AdminUnitRepository
    plans: PlanRepository
    subjects: SubjectRepository
    subject_writer: SubjectWriter
    import_runs: ImportRunRepository
    progress: ProgressRepository
    users: UserRepository
    report_query: ReportQuery
    annual_reports: AnnualReportRepository
    rounds: RoundRepository
    decisions: DecisionRepository

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        super().__init__(engine, t.outbox, t.audit, read_only=read_only)

    def reader(self) -> SqlUnitOfWork:
        """A read-only unit of work on the same database (no SQLite write lock, cannot commit)."""
        return SqlUnitOfWork(self._engine, read_only=True)

    def _bind(self, conn: Connection) -> None:
        # Each repository is built on first use in this transaction (`__getattr__`): a unit of work
        # uses two or three of the thirteen, and building all of them was ≈ 2 % of a request's CPU.
        pop = self.__dict__.pop
        for name in _REPOSITORIES:
            pop(name, None)

    def __getattr__(self, name: str) -> Any:
        repository = _REPOSITORIES.get(name)
        if repository is None or self._conn is None:
            raise AttributeError(name)
        built = repository(self._conn)
        setattr(self, name, built)
        return built


_REPOSITORIES: dict[str, Callable[[Connection], Any]] = {
    "cases": CaseRepository,
    "evidence": EvidenceRepository,
    "admin_units": AdminUnitRepository,
    "plans": PlanRepository,
    "subjects": SubjectRepository,
    "subject_writer": SubjectWriter,
    "import_runs": ImportRunRepository,
    "progress": ProgressRepository,
    "users": UserRepository,
    "report_query": ReportQuery,
    "annual_reports": AnnualReportRepository,
    "rounds": RoundRepository,
    "decisions": DecisionRepository,
}
