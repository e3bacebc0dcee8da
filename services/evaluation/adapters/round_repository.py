"""Yearly rounds, their objections, decisions, decision lists and recognitions (adapter layer)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from common.canonical import canonical_json
from services.evaluation.adapters import tables as t

r, o, d, di, rec = t.rounds, t.round_objections, t.decisions, t.decision_items, t.recognitions
dn = t.decision_numbers


# A listing's columns: the round without its council minutes (read them on the round itself).
_LIST_COLUMNS = [c for c in r.c if c.name != "council"]


def _row(row: Any) -> dict[str, Any] | None:
    return dict(row) if row else None


class RoundRepository:
    """Rounds and objections."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, round_id: str, *, for_update: bool = False) -> dict[str, Any] | None:
        """One round; its council minutes decoded. `for_update` locks the row (SQLite: the whole database
        is already locked by the write transaction)."""
        q = sa.select(r).where(r.c.id == round_id)
        row = _row(self._conn.execute(q.with_for_update() if for_update else q).mappings().first())
        if row is not None:
            row["council"] = json.loads(row["council"]) if row["council"] else None
        return row

    def case_counts(self, admin_unit_code: str, year: int, plan_code: str) -> dict[str, int]:
        """How many cases of a commune and year (under the plan, or not yet tied to one) are in each status."""
        c, p = t.cases, t.case_progress
        q = (
            sa.select(c.c.status, sa.func.count())
            .select_from(c.outerjoin(p, p.c.case_id == c.c.id))
            .where(c.c.admin_unit_code == admin_unit_code, c.c.year == year)
            .where(sa.or_(p.c.plan_code == plan_code, p.c.plan_code.is_(None)))
            .group_by(c.c.status)
        )
        return {status: int(n) for status, n in self._conn.execute(q)}

    def page(
        self,
        *,
        within: str | None,
        admin_unit_code: str | None = None,
        year: int | None = None,
        phase: str | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        """Rounds whose commune lies inside a subtree (by materialized path; None: all), filtered, newest
        year first, with the commune's name; and the total."""
        au = t.admin_units
        q = sa.select(*_LIST_COLUMNS, au.c.name.label("admin_unit_name")).select_from(
            r.outerjoin(au, au.c.code == r.c.admin_unit_code)
        )
        if within is not None:
            # A round of an unknown commune sits at the top of the tree: national callers only (within=None).
            q = q.where(sa.or_(au.c.path == within, au.c.path.startswith(within + "/", autoescape=True)))
        if admin_unit_code is not None:
            q = q.where(r.c.admin_unit_code == admin_unit_code)
        if year is not None:
            q = q.where(r.c.year == year)
        if phase is not None:
            q = q.where(r.c.phase == phase)
        total = self._conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        rows = self._conn.execute(
            q.order_by(r.c.year.desc(), r.c.admin_unit_code, r.c.plan_code, r.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [dict(x) for x in rows.mappings()], int(total)

    def add(self, **values: Any) -> bool:
        """Insert a round; False when it is already there (an activity retried)."""
        if self._conn.execute(sa.select(r.c.id).where(r.c.id == values["id"])).first():
            return False
        self._conn.execute(r.insert().values(**values))
        return True

    def update(self, round_id: str, **values: Any) -> None:
        """Change columns of a round (council minutes as canonical JSON)."""
        if "council" in values and values["council"] is not None:
            values["council"] = canonical_json(values["council"])
        self._conn.execute(r.update().where(r.c.id == round_id).values(**values))

    def objection(self, objection_id: str) -> dict[str, Any] | None:
        """One objection."""
        return _row(self._conn.execute(sa.select(o).where(o.c.id == objection_id)).mappings().first())

    def objections(self, round_id: str) -> list[dict[str, Any]]:
        """A round's objections in the order they were filed."""
        q = sa.select(o).where(o.c.round_id == round_id).order_by(o.c.created_at, o.c.id)
        return [dict(x) for x in self._conn.execute(q).mappings()]

    def add_objection(self, **values: Any) -> None:
        """Insert an objection."""
        self._conn.execute(o.insert().values(**values))

    def update_objection(self, objection_id: str, version: int, **values: Any) -> bool:
        """Change an objection if it is still at `version` (optimistic concurrency)."""
        result = self._conn.execute(
            o.update()
            .where(o.c.id == objection_id, o.c.version == version)
            .values(version=version + 1, **values)
        )
        return result.rowcount == 1

    def dependency_warnings(
        self, round_id: str, chain: str, action: str, *, cleared_by: str | None = None
    ) -> list[dict[str, Any]]:
        """The recognitions flagged in a round's audit chain (`action` entries, written with each
        revocation that left their dependency unmet) that still stand (not revoked since): the latest
        flag of each, oldest recognition flagged first. Derived from the append-only audit and the
        recognitions, so nothing else has to be kept in step. With `cleared_by` (an action, e.g. the
        restore entry), a flag followed by such an entry for the same case no longer counts, until the
        case is flagged again."""
        a = t.audit
        latest: dict[str, dict[str, Any]] = {}
        which = a.c.action == action if cleared_by is None else a.c.action.in_([action, cleared_by])
        q = (
            sa.select(a.c.action, a.c.after_state, a.c.reason, a.c.occurred_at, a.c.actor)
            .where(a.c.chain == chain, which)
            .order_by(a.c.position)
        )
        for row in self._conn.execute(q):
            after = json.loads(row.after_state or "{}")
            if after.get("case_id") and row.action != action:
                latest.pop(after["case_id"], None)  # cleared (restored) since its latest flag
            elif after.get("case_id"):
                latest[after["case_id"]] = {
                    **after,
                    "round_id": round_id,
                    "reason": row.reason,
                    "flagged_at": row.occurred_at,
                    "flagged_by": row.actor,
                }
        if not latest:
            return []
        ids = list(latest)
        standing: dict[str, Any] = {}
        for i in range(0, len(ids), 500):
            q2 = (
                sa.select(rec.c.case_id, di.c.subject_name, rec.c.village_code)
                .select_from(
                    rec.outerjoin(
                        di, sa.and_(di.c.decision_id == rec.c.decision_id, di.c.case_id == rec.c.case_id)
                    )
                )
                .where(rec.c.case_id.in_(ids[i : i + 500]), rec.c.revoked.is_(False))
            )
            standing.update({x.case_id: x for x in self._conn.execute(q2)})
        return [
            {**w, "subject_name": standing[c].subject_name, "village_code": standing[c].village_code}
            for c, w in latest.items()
            if c in standing
        ]

    def open_objections(self, round_id: str) -> int:
        """How many objections are not resolved yet."""
        q = sa.select(sa.func.count()).where(o.c.round_id == round_id, o.c.status != "resolved")
        return int(self._conn.execute(q).scalar_one())


class DecisionRepository:
    """Decisions, their lists and the recognitions they made."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, decision_id: str) -> dict[str, Any] | None:
        """One decision; its documents decoded."""
        row = _row(self._conn.execute(sa.select(d).where(d.c.id == decision_id)).mappings().first())
        if row is not None:
            row["documents"] = json.loads(row["documents"]) if row["documents"] else {}
        return row

    def of_round(self, round_id: str) -> list[dict[str, Any]]:
        """A round's decisions, oldest first."""
        q = sa.select(d.c.id).where(d.c.round_id == round_id).order_by(d.c.created_at, d.c.id)
        return [self.get(x) for x in self._conn.execute(q).scalars()]  # type: ignore[misc]

    def add(self, **values: Any) -> bool:
        """Insert a decision; False when it exists."""
        if self._conn.execute(sa.select(d.c.id).where(d.c.id == values["id"])).first():
            return False
        self._conn.execute(d.insert().values(**values))
        return True

    def update(self, decision_id: str, **values: Any) -> None:
        """Change columns of a decision (documents as canonical JSON)."""
        if "documents" in values:
            values["documents"] = canonical_json(values["documents"])
        self._conn.execute(d.update().where(d.c.id == decision_id).values(**values))

    def next_number(self, admin_unit_code: str, year: int) -> int:
        """The next free decision number of the commune's round decisions in a year."""
        q = sa.select(sa.func.max(dn.c.number)).where(
            dn.c.admin_unit_code == admin_unit_code, dn.c.year == year
        )
        return int(self._conn.execute(q).scalar_one() or 0) + 1

    def claim_number(self, admin_unit_code: str, year: int, number: int, decision_id: str) -> bool:
        """Give `number` to a decision; False when the number (or the decision) already has one. After
        False the transaction may be unusable (PostgreSQL aborts it): the caller rolls back."""
        try:
            self._conn.execute(
                dn.insert().values(
                    admin_unit_code=admin_unit_code, year=year, number=number, decision_id=decision_id
                )
            )
        except sa.exc.IntegrityError:
            return False
        return True

    def add_items(self, rows: list[dict[str, Any]]) -> None:
        """Insert decision-list rows."""
        if rows:
            self._conn.execute(di.insert(), rows)

    def items(self, decision_id: str, *, after: str = "", limit: int | None = None) -> list[dict[str, Any]]:
        """A decision's list by case id, after a cursor (a page), or all of it."""
        q = sa.select(di).where(di.c.decision_id == decision_id, di.c.case_id > after).order_by(di.c.case_id)
        if limit is not None:
            q = q.limit(limit)
        return [dict(x) for x in self._conn.execute(q).mappings()]

    def set_item(self, decision_id: str, case_id: str, **values: Any) -> None:
        """Change one row of a decision list."""
        self._conn.execute(
            di.update().where(di.c.decision_id == decision_id, di.c.case_id == case_id).values(**values)
        )

    def count_items(self, decision_id: str, **where: Any) -> int:
        """How many rows of a decision list match."""
        q = sa.select(sa.func.count()).where(di.c.decision_id == decision_id)
        for key, value in where.items():
            q = q.where(di.c[key] == value)
        return int(self._conn.execute(q).scalar_one())

    # --- recognitions ---------------------------------------------------------------------------

    def add_recognitions(self, rows: list[dict[str, Any]]) -> None:
        """Insert recognitions."""
        if rows:
            self._conn.execute(rec.insert(), rows)

    def recognition(self, subject_id: str, title: str, year: int) -> dict[str, Any] | None:
        """The recognition of a subject for a title and year."""
        q = sa.select(rec).where(rec.c.subject_id == subject_id, rec.c.title == title, rec.c.year == year)
        return _row(self._conn.execute(q).mappings().first())

    def held(self, title: str, year: int, subject_ids: list[str]) -> set[str]:
        """Which of these subjects hold the title (not revoked) in a year."""
        found: set[str] = set()
        for i in range(0, len(subject_ids), 500):
            q = sa.select(rec.c.subject_id).where(
                rec.c.title == title,
                rec.c.year == year,
                rec.c.revoked.is_(False),
                rec.c.subject_id.in_(subject_ids[i : i + 500]),
            )
            found.update(self._conn.execute(q).scalars())
        return found

    def streaks(self, title: str, year: int, subject_ids: list[str]) -> dict[str, int]:
        """The streak each subject had the year before (0 when it did not hold the title then)."""
        out: dict[str, int] = {}
        for i in range(0, len(subject_ids), 500):
            q = sa.select(rec.c.subject_id, rec.c.streak).where(
                rec.c.title == title,
                rec.c.year == year - 1,
                rec.c.revoked.is_(False),
                rec.c.subject_id.in_(subject_ids[i : i + 500]),
            )
            out.update({sid: int(streak) for sid, streak in self._conn.execute(q)})
        return out

    def set_recognition(self, recognition_id: str, **values: Any) -> None:
        """Change a recognition (certificate links, revocation by an amending decision)."""
        if "certificate" in values:
            values["certificate"] = canonical_json(values["certificate"])
        self._conn.execute(rec.update().where(rec.c.id == recognition_id).values(**values))

    def revoke_recognition(self, recognition_id: str, *, revoked_by: str) -> bool:
        """Flag a recognition revoked by an amending decision; False when another one revoked it first
        (a conditional update: of two revocations racing, exactly one writes)."""
        done = self._conn.execute(
            rec.update()
            .where(rec.c.id == recognition_id, rec.c.revoked.is_(False))
            .values(revoked=True, revoked_by=revoked_by)
        )
        return done.rowcount == 1

    def recognition_of_case(self, case_id: str) -> dict[str, Any] | None:
        """The recognition a case received (at most one: unique per case), with the number of the decision
        that revoked it, if one did."""
        return _row(self._conn.execute(_RECOGNITION_OF_CASE, {"case_id": case_id}).mappings().first())

    def recognitions_of(
        self, decision_id: str, *, after: str = "", limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The recognitions a decision made, by case id after a cursor."""
        q = (
            sa.select(rec)
            .where(rec.c.decision_id == decision_id, rec.c.case_id > after)
            .order_by(rec.c.case_id)
        )
        if limit is not None:
            q = q.limit(limit)
        return [dict(x) for x in self._conn.execute(q).mappings()]

    def search(self, filters: dict[str, Any], *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Recognitions by subject, title, years and commune (codes given), newest first; and the total."""
        where = []
        if filters.get("subject_id"):
            where.append(rec.c.subject_id == filters["subject_id"])
        if filters.get("title"):
            where.append(rec.c.title == filters["title"])
        if filters.get("year_from") is not None:
            where.append(rec.c.year >= filters["year_from"])
        if filters.get("year_to") is not None:
            where.append(rec.c.year <= filters["year_to"])
        if filters.get("units") is not None:
            where.append(rec.c.admin_unit_code.in_(filters["units"]))
        if filters.get("villages") is not None:
            where.append(rec.c.village_code.in_(filters["villages"]))
        total = int(
            self._conn.execute(sa.select(sa.func.count()).select_from(rec).where(*where)).scalar_one()
        )
        q = (
            sa.select(rec)
            .where(*where)
            .order_by(rec.c.year.desc(), rec.c.title, rec.c.subject_id)
            .offset(offset)
            .limit(limit)
        )
        return [dict(x) for x in self._conn.execute(q).mappings()], total


def _recognition_of_case() -> Any:
    revoking = d.alias("revoking")
    return (
        sa.select(
            rec.c.decision_number,
            rec.c.decided_on,
            rec.c.revoked,
            revoking.c.number.label("revoked_number"),
            revoking.c.symbol.label("revoked_symbol"),
        )
        .select_from(rec.outerjoin(revoking, revoking.c.id == rec.c.revoked_by))
        .where(rec.c.case_id == sa.bindparam("case_id"))
    )


# Built once: every read of a case asks it (an alias built per call cost more than the query itself).
_RECOGNITION_OF_CASE = _recognition_of_case()
