"""Ports the evaluation service layer depends on; adapters implement them (service layer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO, Protocol

from common.events import Event
from common.storage import StoredObject
from common.temporal_gateway import StartResult
from services.evaluation.domain.model import Case, Evidence


class CaseRepo(Protocol):
    def get(self, case_id: str) -> Case | None: ...
    def add(self, case: Case) -> bool: ...
    def update_status(self, case: Case, status: str, now: Any) -> Case: ...


class EvidenceRepo(Protocol):
    def add(self, item: Evidence) -> None: ...
    def get(self, evidence_id: str) -> Evidence | None: ...
    def list_for_case(self, case_id: str) -> list[Evidence]: ...


class UnitOfWork(Protocol):
    cases: CaseRepo
    evidence: EvidenceRepo

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *args: Any) -> None: ...
    def publish(self, event: Event) -> None: ...
    def commit(self) -> None: ...


class WorkflowGateway(Protocol):
    def start_workflow(
        self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str
    ) -> StartResult: ...
    def wait_update(
        self, workflow_id: str, update: str, *, timeout: float, result_type: type | None = None
    ) -> Any | None: ...
    def start_and_wait(
        self,
        workflow: str,
        arg: Any,
        *,
        workflow_id: str,
        task_queue: str,
        update: str,
        timeout: float,
        result_type: type | None = None,
    ) -> tuple[StartResult, Any | None]: ...


class Storage(Protocol):
    def put_stream(
        self, key: str, stream: BinaryIO, *, content_type: str, max_bytes: int
    ) -> StoredObject: ...
    def iter_object(self, key: str, chunk_size: int = ...) -> Iterator[bytes]: ...
    def presigned_get(self, key: str, *, expires: timedelta, filename: str | None = None) -> str: ...
    def remove(self, key: str) -> None: ...
