"""Import runs repository (adapter layer)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t
from services.evaluation.service.imports import ImportRun, run_to_json


class ImportRunRepository:
    """Stored import runs with their reports."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, run: ImportRun) -> None:
        """Store a run."""
        self._conn.execute(
            t.import_runs.insert().values(
                id=run.id,
                kind=run.kind,
                file_name=run.file_name,
                status=run.status,
                rows=run.rows,
                report=run_to_json(run),
                created_by=run.created_by,
                created_at=run.created_at,
            )
        )

    def get(self, run_id: str) -> ImportRun | None:
        """One run by id."""
        row = (
            self._conn.execute(sa.select(t.import_runs).where(t.import_runs.c.id == run_id))
            .mappings()
            .first()
        )
        if row is None:
            return None
        body = json.loads(row["report"])
        return ImportRun(
            id=row["id"],
            kind=row["kind"],
            file_name=row["file_name"],
            status=row["status"],
            rows=row["rows"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            **body,
        )
