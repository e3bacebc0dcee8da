"""Subjects read side: households, citizens, clans, units, paged and filtered by admin unit (adapter layer)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t

SUBJECT_KINDS = ("household", "citizen", "clan", "unit")


def _household_query() -> sa.Select[Any]:
    h = t.households
    members = sa.select(sa.func.count()).where(t.citizens.c.household_id == h.c.id).scalar_subquery()
    return sa.select(
        h.c.id,
        sa.literal("household").label("kind"),
        h.c.household_code.label("code"),
        h.c.head_name.label("name"),
        h.c.commune_code,
        h.c.village_code,
        members.label("member_count"),
    )


def _clan_query() -> sa.Select[Any]:
    c = t.clans
    members = sa.select(sa.func.count()).where(t.clan_households.c.clan_id == c.c.id).scalar_subquery()
    return sa.select(
        c.c.id,
        sa.literal("clan").label("kind"),
        c.c.clan_code.label("code"),
        c.c.name,
        c.c.commune_code,
        sa.null().label("village_code"),
        members.label("member_count"),
    )


def _unit_query() -> sa.Select[Any]:
    u = t.units
    members = sa.select(sa.func.count()).where(t.unit_members.c.unit_id == u.c.id).scalar_subquery()
    return sa.select(
        u.c.id,
        sa.literal("unit").label("kind"),
        u.c.unit_code.label("code"),
        u.c.name,
        u.c.commune_code,
        sa.null().label("village_code"),
        members.label("member_count"),
    )


def _citizen_query() -> sa.Select[Any]:
    c, h = t.citizens, t.households
    return sa.select(
        c.c.id,
        sa.literal("citizen").label("kind"),
        c.c.citizen_key.label("code"),
        c.c.full_name.label("name"),
        h.c.commune_code,
        h.c.village_code,
        sa.literal(0).label("member_count"),
    ).join(h, c.c.household_id == h.c.id)


def _id_lookup(
    table: sa.Table, code: sa.Column[Any], commune: sa.Column[Any], via: sa.Table | None = None
) -> sa.Select[Any]:
    """A subject by its id, or by its register code (within the unit's commune when codes are kept per
    commune; a citizen's key is national), lying in the case's unit: its commune is that unit or under
    it. `via` is the table holding the commune when `table` has none (a citizen's household)."""
    au, case_unit = t.admin_units, t.admin_units.alias("case_unit")
    unit = sa.bindparam("unit")
    unit_path = sa.select(case_unit.c.path).where(case_unit.c.code == unit).scalar_subquery()
    by_id = table.c.id == sa.bindparam("s")
    by_code = code == sa.bindparam("s")
    if via is None:
        by_code = sa.and_(commune == unit, by_code)
    inside = sa.or_(commune == unit, au.c.path.startswith(unit_path + "/"))
    joined: Any = table
    if via is not None:
        joined = joined.join(via, table.c.household_id == via.c.id)
    joined = joined.join(au, au.c.code == commune)
    return (
        sa.select(table.c.id, by_id.label("by_id"))
        .select_from(joined)
        .where(sa.or_(by_id, by_code), inside)
        .limit(2)
    )


# Built once (every case opened asks): a subject in the case's unit by its id or by its register code,
# in one statement.
_ID_LOOKUPS = {
    "household": _id_lookup(t.households, t.households.c.household_code, t.households.c.commune_code),
    "clan": _id_lookup(t.clans, t.clans.c.clan_code, t.clans.c.commune_code),
    "unit": _id_lookup(t.units, t.units.c.unit_code, t.units.c.commune_code),
    "citizen": _id_lookup(
        t.citizens, t.citizens.c.citizen_key, t.households.c.commune_code, via=t.households
    ),
}

_QUERIES = {
    "household": _household_query,
    "clan": _clan_query,
    "unit": _unit_query,
    "citizen": _citizen_query,
}


# What names a subject on a page, by kind: (table, its register code, its name). A village or commune
# community is its admin unit, named by the unit's code.
# kind -> (table, register code, name): how pages and notices name a subject.
SUBJECT_LABELS: dict[str, tuple[sa.Table, sa.Column[Any], sa.Column[Any]]] = {
    "household": (t.households, t.households.c.household_code, t.households.c.head_name),
    "clan": (t.clans, t.clans.c.clan_code, t.clans.c.name),
    "unit": (t.units, t.units.c.unit_code, t.units.c.name),
    "citizen": (t.citizens, t.citizens.c.citizen_key, t.citizens.c.full_name),
    "village": (t.admin_units, t.admin_units.c.code, t.admin_units.c.name),
    "commune": (t.admin_units, t.admin_units.c.code, t.admin_units.c.name),
}


def subject_key(table: sa.Table) -> sa.Column[Any]:
    """The column a case's `subject_id` names in a register table (a community's: its unit's code)."""
    return table.c.code if table is t.admin_units else table.c.id


# The village a subject lives in, by kind (a household's, a citizen's household's; a village community is
# its village); clans, units and a commune community belong to no village.
_IN_CHUNK = 500  # ids per IN list: well inside SQLite's and PostgreSQL's bound-parameter limits
_VILLAGE_OF: dict[str, sa.Select[Any]] = {
    "household": sa.select(t.households.c.village_code).where(t.households.c.id == sa.bindparam("s")),
    "citizen": sa.select(t.households.c.village_code)
    .join(t.citizens, t.citizens.c.household_id == t.households.c.id)
    .where(t.citizens.c.id == sa.bindparam("s")),
    "village": sa.select(t.admin_units.c.code).where(
        t.admin_units.c.code == sa.bindparam("s"), t.admin_units.c.level == "village"
    ),
}


class SubjectRepository:
    """Read subjects for listings."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def page(
        self,
        *,
        kind: str,
        commune_codes: list[str] | None,
        village_code: str | None,
        name_contains: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of one kind of subject, with the total."""
        q = _QUERIES[kind]().subquery()
        query = sa.select(q)
        if commune_codes is not None:
            query = query.where(q.c.commune_code.in_(commune_codes))
        if village_code:
            query = query.where(q.c.village_code == village_code)
        if name_contains:
            query = query.where(q.c.name.ilike(f"%{name_contains}%"))
        total = self._conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        rows = self._conn.execute(
            query.order_by(q.c.commune_code, q.c.code).limit(limit).offset(offset)
        ).mappings()
        return [dict(r) for r in rows], int(total)

    def household_members(self, household_id: str) -> list[dict[str, Any]]:
        """The members of one household."""
        c = t.citizens
        q = (
            sa.select(
                c.c.id,
                c.c.citizen_key,
                c.c.full_name,
                c.c.birth_year,
                c.c.gender,
                c.c.citizen_group,
                c.c.relation,
            )
            .where(c.c.household_id == household_id)
            .order_by(c.c.citizen_key)
        )
        return [dict(r) for r in self._conn.execute(q).mappings()]

    def get(self, kind: str, subject_id: str) -> dict[str, Any] | None:
        """One subject by id."""
        q = _QUERIES[kind]().subquery()
        row = self._conn.execute(sa.select(q).where(q.c.id == subject_id)).mappings().first()
        return dict(row) if row else None

    def labels(self, ids_by_kind: dict[str, set[str]]) -> dict[tuple[str, str], tuple[str, str]]:
        """The register code and name of each subject, keyed (kind, id): one statement per kind (a page
        of an inbox or a list names its subjects at once). Unknown kinds and ids are left out."""
        found: dict[tuple[str, str], tuple[str, str]] = {}
        for kind, ids in ids_by_kind.items():
            if kind not in SUBJECT_LABELS or not ids:
                continue
            table, code, name = SUBJECT_LABELS[kind]
            key = subject_key(table)
            rows = self._conn.execute(
                sa.select(key.label("id"), code.label("code"), name.label("name")).where(key.in_(ids))
            )
            found.update({(kind, r.id): (r.code, r.name) for r in rows})
        return found

    def registered_id(self, kind: str, unit_code: str, id_or_code: str) -> str | None:
        """The id of the subject of `kind` lying in the admin unit `unit_code` (its commune is that unit
        or within it) whose id is `id_or_code`, else of the one whose register code it is in that commune
        (a citizen's key is national; a province's code matches no household, clan or unit code); None
        when the unit holds no such subject. A citizen lies where its household does (one without a
        household lies in no unit)."""
        rows = self._conn.execute(_ID_LOOKUPS[kind], {"s": id_or_code, "unit": unit_code}).all()
        return next((r.id for r in rows if r.by_id), rows[0].id if rows else None)

    def village_of(self, kind: str, subject_id: str) -> str | None:
        """The code of the village the subject of `kind` lives in (None: a kind that lives in no
        village, or a subject not in the register)."""
        statement = _VILLAGE_OF.get(kind)
        return None if statement is None else self._conn.execute(statement, {"s": subject_id}).scalar()

    def citizens_of_households(self, household_ids: list[str]) -> list[str]:
        """The ids of the citizens registered with these households."""
        c = t.citizens
        found: list[str] = []
        for start in range(0, len(household_ids), _IN_CHUNK):
            chunk = household_ids[start : start + _IN_CHUNK]
            found.extend(self._conn.execute(sa.select(c.c.id).where(c.c.household_id.in_(chunk))).scalars())
        return found

    def household_of_citizen(self, citizen_id: str) -> str | None:
        """The household a citizen is registered with (None: none, or no such citizen)."""
        c = t.citizens
        return self._conn.execute(sa.select(c.c.household_id).where(c.c.id == citizen_id)).scalar()

    def communes_within(self, path: str) -> list[str]:
        """Codes of the communes in an admin subtree (a commune or village scope gives its commune)."""
        au = t.admin_units
        rows = self._conn.execute(
            sa.select(au.c.code).where(
                au.c.level == "commune",
                sa.or_(
                    au.c.path == path,
                    au.c.path.startswith(path + "/"),
                    sa.literal(path).startswith(au.c.path + "/"),
                ),
            )
        )
        return [r.code for r in rows]
