"""Evaluation repositories over one database connection (adapter layer)."""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from common.db import upsert_statement
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.subject_repository import SUBJECT_LABELS, subject_key
from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE
from services.evaluation.domain.model import Case, Evidence

# Built once (hot path: every scope check, step and activity): a lookup only binds the id.
_CASE_BY_ID = sa.select(t.cases).where(t.cases.c.id == sa.bindparam("id"))
# A case written once: a retried activity's insert does nothing (one statement, no read before it).
_INSERT_CASE_ONCE = upsert_statement(t.cases, ["id"], [f.name for f in fields(Case)], [])
_INSERT_EVIDENCE = t.evidence.insert()
_IN_CHUNK = 500  # ids per IN list: well inside SQLite's and PostgreSQL's bound-parameter limits
# The status change of every step: the values are bound, not built into the statement (a statement
# built with `.values(...)` per call has its cache key computed from those values each time).
_UPDATE_STATUS = (
    t.cases.update()
    .where(t.cases.c.id == sa.bindparam("b_id"), t.cases.c.version == sa.bindparam("b_version"))
    .values(
        status=sa.bindparam("b_status"),
        version=sa.bindparam("b_new_version"),
        updated_at=sa.bindparam("b_updated_at"),
    )
)

# A case, its progress row and the paths of its village and of its unit, in one statement: the scope
# check of every case request reads these together.
_progress = t.case_progress
_village, _unit = t.admin_units.alias("village_unit"), t.admin_units.alias("case_unit")
_PLACED = (
    sa.select(
        *t.cases.c,
        *[c.label(f"progress__{c.name}") for c in _progress.c],
        _village.c.path.label("village_path"),
        _unit.c.path.label("unit_path"),
    )
    .select_from(
        t.cases.outerjoin(_progress, _progress.c.case_id == t.cases.c.id)
        .outerjoin(_village, _village.c.code == _progress.c.village_code)
        .outerjoin(_unit, _unit.c.code == t.cases.c.admin_unit_code)
    )
    .where(t.cases.c.id == sa.bindparam("id"))
)

# A case and its progress row in one statement: the read every lifecycle step's activity starts with.
_WITH_PROGRESS = (
    sa.select(*t.cases.c, *[c.label(f"progress__{c.name}") for c in _progress.c])
    .select_from(t.cases.outerjoin(_progress, _progress.c.case_id == t.cases.c.id))
    .where(t.cases.c.id == sa.bindparam("id"))
)


# The same, the case's row locked until the transaction ends (PostgreSQL; SQLite's writer holds the file):
# writes that must see each other's rows, such as two uploads of one file at once, take their turns.
_WITH_PROGRESS_LOCKED = _WITH_PROGRESS.with_for_update(of=t.cases)


def _subject_label(pick: int) -> sa.ColumnElement[Any]:
    """The register code (`pick` 0) or name (1) of a case's subject, looked up by its title's kind of
    subject in the same statement (a notice says whose case it is)."""
    whens = []
    for title, kind in SUBJECT_KIND_BY_TITLE.items():
        table, code, name = SUBJECT_LABELS[kind]
        found = (
            sa.select((code, name)[pick]).where(subject_key(table) == t.cases.c.subject_id).scalar_subquery()
        )
        whens.append((t.cases.c.title == title, found))
    return sa.case(*whens, else_=None)


# The same with the subject's register code and name: the read of the activities whose events notify.
_SUBJECT_COLUMNS = (_subject_label(0).label("subject__code"), _subject_label(1).label("subject__name"))
_WITH_PROGRESS_AND_SUBJECT = _WITH_PROGRESS.add_columns(*_SUBJECT_COLUMNS)
_WITH_PROGRESS_AND_SUBJECT_LOCKED = _WITH_PROGRESS_LOCKED.add_columns(*_SUBJECT_COLUMNS)
_SAME_FILE = (
    sa.select(t.evidence)
    .where(
        t.evidence.c.case_id == sa.bindparam("case_id"),
        t.evidence.c.sha256 == sa.bindparam("sha256"),
        sa.func.coalesce(t.evidence.c.indicator_code, "") == sa.bindparam("indicator_code"),
    )
    .order_by(t.evidence.c.created_at)
    .limit(1)
)


class CaseRepository:
    """Cases in the read model."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, case_id: str) -> Case | None:
        """One case by id."""
        row = self._conn.execute(_CASE_BY_ID, {"id": case_id}).mappings().first()
        return Case(**row) if row else None

    def with_progress(self, case_id: str, *, lock: bool = False) -> tuple[Case, dict[str, Any] | None] | None:
        """One case with its progress row (None if it has none yet); `lock`: the case's row locked until
        the transaction ends."""
        statement = _WITH_PROGRESS_LOCKED if lock else _WITH_PROGRESS
        row = self._conn.execute(statement, {"id": case_id}).mappings().first()
        return None if row is None else _case_and_progress(row)

    def with_progress_and_subject(
        self, case_id: str, *, lock: bool = False
    ) -> tuple[Case, dict[str, Any] | None, dict[str, Any]] | None:
        """As `with_progress`, and the subject's register code and name (`subject_code`,
        `subject_name`; None for a subject the register does not hold), in the same statement."""
        statement = _WITH_PROGRESS_AND_SUBJECT_LOCKED if lock else _WITH_PROGRESS_AND_SUBJECT
        row = self._conn.execute(statement, {"id": case_id}).mappings().first()
        if row is None:
            return None
        case, progress = _case_and_progress(row)
        return case, progress, {"subject_code": row["subject__code"], "subject_name": row["subject__name"]}

    def placed(self, case_id: str) -> tuple[Case, dict[str, Any] | None, str | None] | None:
        """One case with its progress row (None if it has none yet) and the path of the unit it
        belongs to: its village's when the progress row names one that exists, else its unit's."""
        row = self._conn.execute(_PLACED, {"id": case_id}).mappings().first()
        if row is None:
            return None
        case, progress = _case_and_progress(row)
        return case, progress, row["village_path"] or row["unit_path"]

    def of_subjects(
        self, title: str, subject_ids: list[str], *, not_in: frozenset[str]
    ) -> list[tuple[Case, dict[str, Any]]]:
        """The cases of these subjects under a title, but those in a status of `not_in`, each with the
        village its progress row places it in and who holds it (`village_code`, `assignee`)."""
        found = []
        for start in range(0, len(subject_ids), _IN_CHUNK):
            q = (
                sa.select(
                    *t.cases.c,
                    _progress.c.village_code.label("p_village"),
                    _progress.c.assignee.label("p_held"),
                )
                .select_from(t.cases.outerjoin(_progress, _progress.c.case_id == t.cases.c.id))
                .where(
                    t.cases.c.title == title,
                    t.cases.c.subject_id.in_(subject_ids[start : start + _IN_CHUNK]),
                    t.cases.c.status.not_in(sorted(not_in)),
                )
                .order_by(t.cases.c.id)
            )
            for row in self._conn.execute(q).mappings():
                case = Case(**{c.name: row[c.name] for c in t.cases.c})
                found.append((case, {"village_code": row["p_village"], "assignee": row["p_held"]}))
        return found

    def add(self, case: Case) -> bool:
        """Insert a case; False when it is already there (an activity retried)."""
        return self._conn.execute(_INSERT_CASE_ONCE, asdict(case)).rowcount == 1

    def update_status(self, case: Case, status: str, now: object) -> Case:
        """Change the status, bumping the version (optimistic concurrency)."""
        result = self._conn.execute(
            _UPDATE_STATUS,
            {
                "b_id": case.id,
                "b_version": case.version,
                "b_status": status,
                "b_new_version": case.version + 1,
                "b_updated_at": now,
            },
        )
        if result.rowcount != 1:
            from services.evaluation.domain.errors import PreconditionFailed

            raise PreconditionFailed(
                "Hồ sơ vừa được người khác cập nhật.", "The case was changed by someone else."
            )
        # The row is exactly this now (the WHERE on the version matched it): no need to read it back.
        return replace(case, status=status, version=case.version + 1, updated_at=now)


def _case_and_progress(row: Any) -> tuple[Case, dict[str, Any] | None]:
    case = Case(**{c.name: row[c.name] for c in t.cases.c})
    if row["progress__case_id"] is None:
        return case, None
    return case, {c.name: row[f"progress__{c.name}"] for c in _progress.c}


class EvidenceRepository:
    """Evidence metadata (the bytes are in object storage)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, item: Evidence) -> None:
        """Insert one evidence row."""
        self._conn.execute(_INSERT_EVIDENCE, asdict(item))

    def same_file(self, case_id: str, indicator_code: str | None, sha256: str) -> Evidence | None:
        """The case's first evidence row holding these bytes under this indicator (None: none yet)."""
        params = {"case_id": case_id, "sha256": sha256, "indicator_code": indicator_code or ""}
        row = self._conn.execute(_SAME_FILE, params).mappings().first()
        return Evidence(**row) if row else None

    def get(self, evidence_id: str) -> Evidence | None:
        """One evidence row by id."""
        row = (
            self._conn.execute(sa.select(t.evidence).where(t.evidence.c.id == evidence_id)).mappings().first()
        )
        return Evidence(**row) if row else None

    def set_verdict(self, evidence_id: str, *, verdict: str, reason: str | None, by: str, at: object) -> None:
        """Record the reviewer's verdict on one file."""
        self._conn.execute(
            t.evidence.update()
            .where(t.evidence.c.id == evidence_id)
            .values(verdict=verdict, verdict_reason=reason, verdict_by=by, verdict_at=at)
        )

    def list_for_case(self, case_id: str) -> list[Evidence]:
        """Every evidence row of a case, oldest first."""
        rows = self._conn.execute(
            sa.select(t.evidence).where(t.evidence.c.case_id == case_id).order_by(t.evidence.c.created_at)
        ).mappings()
        return [Evidence(**r) for r in rows]
