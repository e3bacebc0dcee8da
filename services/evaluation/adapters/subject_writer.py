"""Bulk upsert of imported subjects by natural key, in batches (adapter layer).

Each batch costs a few statements whatever its size: one SELECT of the existing rows by key, one
executemany INSERT of the new ones and one executemany UPDATE of the changed ones. Unchanged rows are
not written, so a clean re-import changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t
from services.evaluation.domain.admin_units import VILLAGE_KINDS, village_code
from services.evaluation.imports.records import ClanRecord, HouseholdRecord, UnitRecord, VillageRecord


def citizen_key(commune_code: str, household_code: str, citizen_code: str, national: bool) -> str:
    """The citizen's natural key: the national ID, else commune/household/local code."""
    return citizen_code if national else f"{commune_code}/{household_code}/{citizen_code}"


def _upsert(
    conn: Connection,
    table: sa.Table,
    key_cols: Sequence[str],
    rows: list[dict[str, Any]],
    compare: Sequence[str],
    counts: Counter[str],
    name: str,
) -> dict[tuple[Any, ...], str]:
    """Insert new rows, update changed ones; returns natural key -> id for every row given."""
    if not rows:
        return {}
    keys = [tuple(r[c] for c in key_cols) for r in rows]
    cols = [table.c[c] for c in key_cols]
    key_expr = sa.tuple_(*cols) if len(cols) > 1 else cols[0]
    existing: dict[tuple[Any, ...], Any] = {}
    for chunk_start in range(0, len(keys), 500):  # bound the IN list for every backend
        chunk = keys[chunk_start : chunk_start + 500]
        values = chunk if len(cols) > 1 else [k[0] for k in chunk]
        q = sa.select(table.c.id, *cols, *[table.c[c] for c in compare]).where(key_expr.in_(values))
        for row in conn.execute(q).mappings():
            existing[tuple(row[c] for c in key_cols)] = row
    ids: dict[tuple[Any, ...], str] = {}
    new, changed = [], []
    for key, row in zip(keys, rows, strict=True):
        old = existing.get(key)
        if old is None:
            row = {**row, "id": str(uuid.uuid4())}
            new.append(row)
        else:
            row = {**row, "id": old["id"]}
            if any(old[c] != row[c] for c in compare):
                changed.append({"b_id": old["id"], **{c: row[c] for c in compare}})
        ids[key] = row["id"]
    if new:
        conn.execute(table.insert(), new)
    if changed:
        conn.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(c) for c in compare}),
            changed,
        )
    counts[f"{name}_added"] += len(new)
    counts[f"{name}_changed"] += len(changed)
    return ids


class SubjectWriter:
    """Writes batches of import records inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.counts: Counter[str] = Counter()
        self._known_units: set[str] = set()

    def _require_units(self, codes: set[str], level: str) -> None:
        missing = codes - self._known_units
        if missing:
            au = t.admin_units
            found = {
                r.code
                for r in self._conn.execute(
                    sa.select(au.c.code).where(au.c.code.in_(missing), au.c.level == level)
                )
            }
            self._known_units |= found
            missing -= found
        if missing:
            from services.evaluation.domain.errors import ValidationFailed

            listed = ", ".join(sorted(missing)[:20])
            raise ValidationFailed(
                f"Chưa có {'thôn' if level == 'village' else 'xã'}: {listed}.",
                f"Unknown {level}(s): {listed}; import or create them first.",
                errors={"village_code" if level == "village" else "commune_code": sorted(missing)[:20]},
            )

    def villages(self, records: list[VillageRecord]) -> None:
        """Villages become admin units under their commune."""
        self._require_units({r.commune_code for r in records}, "commune")
        au = t.admin_units
        parents = {
            r.code: r.path
            for r in self._conn.execute(
                sa.select(au.c.code, au.c.path).where(au.c.code.in_({r.commune_code for r in records}))
            )
        }
        rows = []
        for r in records:
            code = village_code(r.commune_code, r.village_code)
            rows.append(
                {
                    "code": code,
                    "name": r.name,
                    "level": "village",
                    "kind": r.kind,
                    "parent_code": r.commune_code,
                    "path": f"{parents[r.commune_code]}/{code}",
                }
            )
        existing = {
            row.code: row
            for row in self._conn.execute(
                sa.select(au.c.code, au.c.name, au.c.kind).where(au.c.code.in_([r["code"] for r in rows]))
            )
        }
        new = [r for r in rows if r["code"] not in existing]
        changed = [
            {"b_code": r["code"], "name": r["name"], "kind": r["kind"]}
            for r in rows
            if r["code"] in existing
            and (existing[r["code"]].name, existing[r["code"]].kind) != (r["name"], r["kind"])
        ]
        if new:
            self._conn.execute(au.insert(), new)
        if changed:
            self._conn.execute(
                au.update()
                .where(au.c.code == sa.bindparam("b_code"))
                .values(name=sa.bindparam("name"), kind=sa.bindparam("kind")),
                changed,
            )
        self._known_units |= {r["code"] for r in rows}
        self.counts["villages_added"] += len(new)
        self.counts["villages_changed"] += len(changed)

    def households(self, records: list[HouseholdRecord]) -> None:
        """Households and their members."""
        self._require_units({r.commune_code for r in records}, "commune")
        self._require_units({village_code(r.commune_code, r.village_code) for r in records}, "village")
        rows = [
            {
                "commune_code": r.commune_code,
                "household_code": r.household_code,
                "village_code": village_code(r.commune_code, r.village_code),
                "head_name": r.head_name,
                "address": r.address,
            }
            for r in records
        ]
        ids = _upsert(
            self._conn,
            t.households,
            ("commune_code", "household_code"),
            rows,
            ("village_code", "head_name", "address"),
            self.counts,
            "households",
        )
        members = []
        for r in records:
            household_id = ids[(r.commune_code, r.household_code)]
            for m in r.members:
                members.append(
                    {
                        "citizen_key": citizen_key(
                            r.commune_code, r.household_code, m.citizen_code, m.has_national_id
                        ),
                        "full_name": m.full_name,
                        "birth_year": m.birth_year,
                        "gender": m.gender,
                        "citizen_group": m.group,
                        "household_id": household_id,
                        "relation": m.relation,
                    }
                )
        _upsert(
            self._conn,
            t.citizens,
            ("citizen_key",),
            members,
            ("full_name", "birth_year", "gender", "citizen_group", "household_id", "relation"),
            self.counts,
            "citizens",
        )

    def clans(self, records: list[ClanRecord]) -> None:
        """Clans and the households that belong to them."""
        self._require_units({r.commune_code for r in records}, "commune")
        rows = [{"commune_code": r.commune_code, "clan_code": r.clan_code, "name": r.name} for r in records]
        ids = _upsert(
            self._conn, t.clans, ("commune_code", "clan_code"), rows, ("name",), self.counts, "clans"
        )
        h = t.households
        wanted = {(r.commune_code, code) for r in records for code in r.household_codes}
        households = {}
        if wanted:
            q = sa.select(h.c.id, h.c.commune_code, h.c.household_code).where(
                sa.tuple_(h.c.commune_code, h.c.household_code).in_(list(wanted))
            )
            households = {(row.commune_code, row.household_code): row.id for row in self._conn.execute(q)}
        missing = sorted(code for _, code in wanted - set(households))
        if missing:
            from services.evaluation.domain.errors import ValidationFailed

            raise ValidationFailed(
                f"Chưa có hộ: {', '.join(missing[:20])}.",
                f"Unknown household(s): {', '.join(missing[:20])}; import households first.",
                errors={"household_codes": missing[:20]},
            )
        links = {
            (ids[r.natural_key], households[(r.commune_code, code)])
            for r in records
            for code in r.household_codes
        }
        self._link(t.clan_households, "clan_id", "household_id", links, "clan_households")

    def units(self, records: list[UnitRecord]) -> None:
        """Units and their member citizens."""
        self._require_units({r.commune_code for r in records}, "commune")
        rows = [
            {"commune_code": r.commune_code, "unit_code": r.unit_code, "name": r.name, "kind": r.kind}
            for r in records
        ]
        ids = _upsert(
            self._conn, t.units, ("commune_code", "unit_code"), rows, ("name", "kind"), self.counts, "units"
        )
        links: dict[tuple[str, str], str] = {}
        for r in records:
            for m in r.members:
                national = len(m.citizen_code) == 12 and m.citizen_code.isdigit()
                key = citizen_key(r.commune_code, m.household_code, m.citizen_code, national)
                links[(ids[r.natural_key], key)] = m.full_name
        self._link(t.unit_members, "unit_id", "citizen_key", set(links), "unit_members", extra=links)

    def _link(
        self,
        table: sa.Table,
        left: str,
        right: str,
        pairs: set[tuple[str, str]],
        name: str,
        extra: dict[tuple[str, str], str] | None = None,
    ) -> None:
        if not pairs:
            return
        lefts = {a for a, _ in pairs}
        existing = {
            (row[0], row[1])
            for row in self._conn.execute(
                sa.select(table.c[left], table.c[right]).where(table.c[left].in_(lefts))
            )
        }
        new = pairs - existing
        if new:
            rows = [{left: a, right: b, **({"full_name": extra[(a, b)]} if extra else {})} for a, b in new]
            self._conn.execute(table.insert(), rows)
        self.counts[f"{name}_added"] += len(new)


assert set(VILLAGE_KINDS) >= {"thon", "to_dan_pho", "khu_pho", "ap"}  # the import's kinds are admin kinds
