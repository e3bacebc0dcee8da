"""Use case: bulk import of subjects — validate and write the file in one pass and one transaction (service layer).

A file with any error writes nothing: the records are streamed in batches to the writer inside one
transaction that commits only after the last row, and only if no row had an entry; otherwise it is
rolled back and the run is stored as rejected with its report. Memory stays flat: one batch of
records at a time. (The file used to be read twice, validation then writing: twice the parsing.)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from common.events import Event
from services.evaluation.domain.errors import ValidationFailed
from services.evaluation.imports import ImportOptions
from services.evaluation.imports.pipeline import ReportingParse
from services.evaluation.imports.records import ImportKind, Record
from services.evaluation.imports.report import ValidationReport
from services.evaluation.service.moves import follow_moves

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
    """Validate and import in one pass; the run (imported or rejected, with its report) is stored either way.

    The records are written in batches as they are read, inside one transaction that commits only if
    the whole file had no entry at all; at the first entry, writing stops (validation goes on to the
    end for the report) and the transaction is rolled back. A writer error (e.g. an unknown village)
    also stops writing; it is raised unless the file had entries of its own (then the report is the
    answer, as when validation ran first). The write lock is held while the file is read.
    """
    parse = ReportingParse(kind, source, file_format, options)  # type: ignore[arg-type]
    with uow:
        writer = uow.subject_writer
        write: Callable[[list[Record]], None] = getattr(writer, _WRITERS[kind])
        failure: Exception | None = None
        batch: list[Record] = []
        for record in parse:
            if parse.entry_count or failure is not None:
                batch.clear()  # the file will be rejected (or the writer refused): read on for the report
                continue
            batch.append(record)
            if len(batch) >= batch_size:
                failure = _flush(write, batch, progress)
        if not parse.entry_count and failure is None and batch:
            failure = _flush(write, batch, progress)
        report = parse.report()
        if report.ok and failure is not None:
            raise failure  # rolls back: nothing of the file is written
        if report.ok:
            moved = follow_moves(
                uow,
                households=writer.moved_households,
                citizens=writer.moved_citizens,
                actor=created_by,
                file_name=file_name,
            )
            written = dict(writer.counts) | ({"cases_moved": moved} if moved else {})
            run = _run(report, kind, file_name, "imported", written, created_by)
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
            uow.import_runs.add(run)
            uow.commit()
            return run
    # rolled back on leaving the block: store the rejected run with its report in a fresh transaction
    run = _run(report, kind, file_name, "rejected", {}, created_by)
    with uow:
        uow.import_runs.add(run)
        uow.commit()
    return run


def _flush(
    write: Callable[[list[Record]], None], batch: list[Record], progress: Callable[[int], None] | None
) -> Exception | None:
    """Write one batch and empty it; a refusal of the writer is returned, not raised."""
    try:
        write(batch)
    except ValidationFailed as exc:
        batch.clear()
        return exc
    if progress:
        progress(len(batch))
    batch.clear()
    return None


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
