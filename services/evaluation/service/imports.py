"""Use case: bulk import of subjects — validate the whole file, then write it in one transaction (service layer).

A file with any error writes nothing: pass 1 validates without writing; pass 2 streams the records in
batches to the writer inside one transaction that commits only after the last record (and only if the
file read the same as in pass 1). Memory stays flat: one batch of records at a time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from common.events import Event
from services.evaluation.imports import ImportOptions, iter_records, validate_import
from services.evaluation.imports.records import ImportKind, Record
from services.evaluation.imports.report import ValidationReport

BATCH_SIZE = 1000
_WRITERS = {"villages": "villages", "households": "households", "clans": "clans", "units": "units"}


@dataclass(frozen=True)
class ImportRun:
    """The outcome of one import attempt, as stored."""

    id: str
    kind: str
    file_name: str
    status: str
    rows: int
    counts: dict[str, int]
    entries: list[dict[str, Any]]
    entry_count: int
    ignored_columns: list[str]
    written: dict[str, int] = field(default_factory=dict)
    created_by: str = ""
    created_at: datetime | None = None


def _rewind(source: str | BinaryIO) -> None:
    if hasattr(source, "seek"):
        source.seek(0)


def import_subjects(
    uow: Any,
    *,
    kind: ImportKind,
    file_name: str,
    source: str | BinaryIO,
    file_format: str,
    options: ImportOptions,
    created_by: str,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportRun:
    """Validate, then import; the run (imported or rejected, with its report) is stored either way."""
    report = validate_import(kind, source, file_format, options)  # type: ignore[arg-type]
    written: dict[str, int] = {}
    if report.ok:
        _rewind(source)
        written = _write(uow, kind, source, file_format, options, report, progress, batch_size, created_by)
    run = _run(report, kind, file_name, "imported" if report.ok else "rejected", written, created_by)
    with uow:
        uow.import_runs.add(run)
        uow.commit()
    return run


def _write(
    uow: Any,
    kind: ImportKind,
    source: Any,
    file_format: str,
    options: ImportOptions,
    report: ValidationReport,
    progress: Callable[[int], None] | None,
    batch_size: int,
    created_by: str,
) -> dict[str, int]:
    with uow:
        writer = uow.subject_writer
        write: Callable[[list[Record]], None] = getattr(writer, _WRITERS[kind])
        batch: list[Record] = []
        for record in iter_records(kind, source, file_format, options, expected_digest=report.digest):  # type: ignore[arg-type]
            batch.append(record)
            if len(batch) >= batch_size:
                write(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            write(batch)
            if progress:
                progress(len(batch))
        written = dict(writer.counts)
        uow.publish(
            Event(
                type="subjects.imported",
                source="evaluation",
                payload={
                    "kind": kind,
                    "written": written,
                    "actor": created_by,
                    "admin_unit_code": options.commune_code or "",
                },
            )
        )
        uow.commit()
    return written


def _run(
    report: ValidationReport, kind: str, file_name: str, status: str, written: dict[str, int], created_by: str
) -> ImportRun:
    return ImportRun(
        id=str(uuid.uuid4()),
        kind=kind,
        file_name=file_name,
        status=status,
        rows=report.rows,
        counts=dict(report.counts),
        entries=[asdict(e) for e in report.entries],
        entry_count=report.entry_count,
        ignored_columns=list(report.ignored_columns),
        written=written,
        created_by=created_by,
        created_at=datetime.now(UTC),
    )


def get_import_run_or_raise(uow: Any, *, run_id: str) -> ImportRun:
    """One stored import run."""
    from common.errors import NotFound

    with uow:
        run = uow.import_runs.get(run_id)
    if run is None:
        raise NotFound(f"Không tìm thấy lần nhập {run_id}.", f"Import run {run_id} not found.")
    return run


def run_to_json(run: ImportRun) -> str:
    """The stored report body."""
    return json.dumps(
        {
            "counts": run.counts,
            "entries": run.entries,
            "entry_count": run.entry_count,
            "ignored_columns": run.ignored_columns,
            "written": run.written,
        },
        ensure_ascii=False,
    )
