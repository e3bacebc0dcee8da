"""Use cases: record what happened to a case in its audit chain, read a case's history, verify every
chain (service layer).

Each case has its own chain, `case:<case id>`; entries are written by the unit of work's commit, in
the same transaction as the change they describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from common.audit_entry import AuditEntry, AuditReport, StoredAuditEntry, VerifyResult
from common.audit_history import ChainHistory, chain_history
from services.evaluation.domain.errors import CaseNotFound
from services.evaluation.domain.model import Case
from services.evaluation.service.ports import UnitOfWork


class AuditReader(Protocol):
    def entries(self, chain: str) -> list[StoredAuditEntry]: ...
    def verify_chain(self, chain: str) -> VerifyResult: ...
    def verify_all(self, *, max_problems: int = ...) -> AuditReport: ...


class AuditedUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also writes and reads the audit trail."""

    @property
    def audit(self) -> AuditReader: ...
    def record(self, entry: AuditEntry) -> None: ...


def case_chain(case_id: str) -> str:
    """The audit chain of one case."""
    return f"case:{case_id}"


def case_entry(case: Case, *, action: str, actor: str, **fields: Any) -> AuditEntry:
    """An entry in the case's chain, linked to its workflow run."""
    fields.setdefault("workflow_id", case.workflow_id)
    fields.setdefault("run_id", case.run_id or None)
    return AuditEntry(chain=case_chain(case.id), action=action, actor=actor, **fields)


def case_state(case: Case) -> dict[str, Any]:
    """The parts of a case an auditor compares before and after an action."""
    return {"status": case.status, "version": case.version}


def criteria_set_key(uow: Any, case_id: str) -> str | None:
    """The criteria set the case is judged under, once its workflow has resolved the plan."""
    progress = getattr(uow, "progress", None)  # the read model of the workflow's state, when present
    row = progress.get(case_id) if progress is not None else None
    return row.get("criteria_set_key") if row else None


@dataclass(frozen=True)
class CaseHistory(ChainHistory):
    """A case's audit entries in order, and whether its chain verifies."""

    case_id: str = ""


def case_history(uow: AuditedUnitOfWork, *, case_id: str) -> CaseHistory:
    """The case's entries with the verdict on its chain; CaseNotFound when there is neither case nor entry."""
    history = chain_history(uow, case_chain(case_id))
    # A case's history is shown even if the case row is gone: that is exactly what an auditor needs.
    if not history.entries:
        with uow:
            if uow.cases.get(case_id) is None:
                raise CaseNotFound(case_id)
    return CaseHistory(**vars(history), case_id=case_id)


def verify_audit(uow: AuditedUnitOfWork, *, max_problems: int = 100) -> AuditReport:
    """Recompute every audit chain."""
    with uow:
        return uow.audit.verify_all(max_problems=max_problems)


def verify_case(uow: AuditedUnitOfWork, *, case_id: str) -> AuditReport:
    """Recompute one case's chain, reported like `verify_audit`."""
    with uow:
        verdict = uow.audit.verify_chain(case_chain(case_id))
    return AuditReport(
        ok=verdict.ok,
        chains=1,
        entries=verdict.checked,
        bad_chains=0 if verdict.ok else 1,
        problems=[] if verdict.ok else [verdict],
    )
