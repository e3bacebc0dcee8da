"""Counts behind the progress report: recognised cases and the registers they are shares of, grouped by
commune or village in one query each (adapter layer)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t
from services.evaluation.domain.progress import TreeUnit
from workflows.recognition.lifecycle import RECOGNISED  # cases.status once the decision recognised it

au, c, cp, rec = t.admin_units, t.cases, t.case_progress, t.recognitions
# The registers `register_counts` keeps (see populations).
KEPT_REGISTERS = ("households", "citizens", "clans", "units")


def _in_communes(column: Any, communes: Sequence[str] | None) -> Any:
    return sa.true() if communes is None else column.in_(list(communes))


class ReportQuery:
    """Grouped counts for the progress report (read only)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def units_within(self, path: str | None, levels: Sequence[str]) -> list[TreeUnit]:
        """The admin units of the given levels in the subtree at ``path`` (the whole country for None)."""
        q = sa.select(au.c.code, au.c.level, au.c.path).where(au.c.level.in_(list(levels)))
        if path:
            q = q.where(sa.or_(au.c.path == path, au.c.path.startswith(path + "/")))
        return [TreeUnit(code=code, level=level, path=p) for code, level, p in self._conn.execute(q).all()]

    def names(self, codes: Sequence[str]) -> dict[str, str]:
        """The names of the given units."""
        if not codes:
            return {}
        rows = self._conn.execute(sa.select(au.c.code, au.c.name).where(au.c.code.in_(list(codes))))
        return {r.code: r.name for r in rows}

    def recognised(
        self,
        *,
        year_from: int,
        year_to: int,
        titles: Sequence[str],
        communes: Sequence[str] | None,
        by_village: bool,
    ) -> list[tuple[int, str, str, int]]:
        """(year, title, unit code, count) of recognised cases: per commune, or per village when asked
        (a case whose village is not known counts under its commune). A recognition revoked by an
        amending decision no longer counts (the case keeps its status; the recognition is flagged).

        Two grouped queries: every recognised case, from the covering index `ix_cases_report`, minus the
        revoked ones, found from the partial index `ix_recognitions_revoked` — a "not revoked" probe per
        case would need each case's id and so a scan of `cases`."""
        where = sa.and_(
            c.c.status == RECOGNISED,
            c.c.year.between(year_from, year_to),
            c.c.title.in_(list(titles)),
            _in_communes(c.c.admin_unit_code, communes),
        )
        if by_village:
            unit = sa.func.coalesce(cp.c.village_code, c.c.admin_unit_code)
            source = c.outerjoin(cp, cp.c.case_id == c.c.id)
        else:
            unit, source = c.c.admin_unit_code, c

        def grouped(select_from: Any, *extra: Any) -> Sequence[Any]:
            q = (
                sa.select(c.c.year, c.c.title, unit.label("unit"), sa.func.count().label("n"))
                .select_from(select_from)
                .where(where, *extra)
                .group_by(c.c.year, c.c.title, unit)
            )
            return self._conn.execute(q).all()

        counted = grouped(source)
        revoked = grouped(rec.join(source, rec.c.case_id == c.c.id), rec.c.revoked == sa.true())
        if not revoked:  # the usual case: the rows as they came (thousands of them city-wide)
            return counted  # type: ignore[return-value]
        counts = {(year, title, code): int(n) for year, title, code, n in counted}
        for year, title, code, n in revoked:
            counts[(year, title, code)] -= int(n)
        return [(year, title, code, n) for (year, title, code), n in counts.items() if n > 0]

    def villages_per_commune(self, communes: Sequence[str] | None) -> dict[str, int]:
        """How many villages each commune has."""
        q = (
            sa.select(au.c.parent_code, sa.func.count())
            .where(au.c.level == "village", _in_communes(au.c.parent_code, communes))
            .group_by(au.c.parent_code)
        )
        return {str(code): int(n) for code, n in self._conn.execute(q).all()}

    def populations(
        self,
        kinds: Sequence[str],
        *,
        communes: Sequence[str] | None,
        by_village: bool,
        year: int,
        working_age: int,
    ) -> dict[str, dict[str, int]]:
        """The size of each register per commune (households and citizens per village when asked), read
        from `register_counts` (kept by triggers on the registers, migration eval_0017) in one query:
        a few thousand rows city-wide where counting the registers read every household."""
        out: dict[str, dict[str, int]] = {kind: {} for kind in kinds}
        unknown = set(kinds) - set(KEPT_REGISTERS)
        if unknown:
            raise ValueError(f"no register query for {sorted(unknown)[0]}")
        if not kinds:
            return out
        rc = t.register_counts
        # Clans and units are kept per commune only (village_code ''): their row is the commune's.
        unit = (
            sa.case((rc.c.village_code == "", rc.c.commune_code), else_=rc.c.village_code)
            if by_village
            else rc.c.commune_code
        )
        q = (
            sa.select(rc.c.kind, unit, sa.func.sum(rc.c.n))
            .where(
                rc.c.kind.in_(list(kinds)),
                _in_communes(rc.c.commune_code, communes),
                sa.or_(rc.c.kind != "citizens", rc.c.birth_year <= year - working_age),
            )
            .group_by(rc.c.kind, unit)
        )
        for kind, code, n in self._conn.execute(q).all():
            if n:
                out[kind][str(code)] = int(n)
        return out
