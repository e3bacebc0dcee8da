"""Evaluation unit of work: its repositories on one transaction (adapter layer)."""

from __future__ import annotations

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
        self.cases = CaseRepository(conn)
        self.evidence = EvidenceRepository(conn)
        self.admin_units = AdminUnitRepository(conn)
        self.plans = PlanRepository(conn)
        self.subjects = SubjectRepository(conn)
        self.subject_writer = SubjectWriter(conn)
        self.import_runs = ImportRunRepository(conn)
        self.progress = ProgressRepository(conn)
        self.users = UserRepository(conn)
        self.report_query = ReportQuery(conn)
        self.annual_reports = AnnualReportRepository(conn)
        self.rounds = RoundRepository(conn)
        self.decisions = DecisionRepository(conn)
