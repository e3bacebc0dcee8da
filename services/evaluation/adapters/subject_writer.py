"""Bulk upsert of imported subjects by natural key, in batches (adapter layer).

Each batch costs a few statements whatever its size: one INSERT of all its rows that skips the keys
already stored (ON CONFLICT DO NOTHING), a SELECT of the stored rows only when some keys were there
(per 500 keys), and one executemany UPDATE of the changed ones. Unchanged rows are not written, so a
clean re-import changes nothing. (A SQLite older than 3.24 reads the existing keys first.)
"""

from __future__ import annotations

import json
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


LOOKUP_CHUNK = 500  # keys per SELECT ... IN: bounds the statement for every backend


def _insert_new_postgres(
    conn: Connection, table: sa.Table, key_cols: Sequence[str], rows: list[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """PostgreSQL: insert the rows whose key is not stored yet, in one statement; returns their keys.

    The batch travels as one JSON document expanded by the server (`json_populate_recordset`): a
    short statement, serialised in C on both sides, where a multi-row VALUES ... RETURNING of
    thousands of placeholders costs more to build than to run. RETURNING names the new keys, so only
    the others are read back. (Reading every key first was quadratic here: PostgreSQL plans a batch's
    `key IN (...)` against a table that grew inside this very transaction, without statistics yet, as
    a sequential scan; 100,000 households took 11 minutes.)
    """
    quote = conn.dialect.identifier_preparer.quote
    name = conn.dialect.identifier_preparer.format_table(table)
    columns = ", ".join(quote(c) for c in rows[0])
    keys = ", ".join(quote(c) for c in key_cols)
    statement = sa.text(
        f"INSERT INTO {name} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{name}, :rows) "
        f"ON CONFLICT ({keys}) DO NOTHING RETURNING {keys}"
    )
    return {tuple(r) for r in conn.execute(statement, {"rows": json.dumps(rows, ensure_ascii=False)})}


def _existing(
    conn: Connection,
    table: sa.Table,
    key_cols: Sequence[str],
    keys: list[tuple[Any, ...]],
    compare: Sequence[str],
) -> dict[tuple[Any, ...], Any]:
    """The stored rows (id and compared columns) of these natural keys.

    A composite key is looked up as `prefix = :value AND last IN (...)` per prefix (one commune per
    file, as a rule), which every backend answers from the unique index: PostgreSQL plans a row-value
    IN list as a filter over all the commune's rows, a sequential scan per batch.
    """
    cols = [table.c[c] for c in key_cols]
    selected = [table.c.id, *cols, *[table.c[c] for c in compare]]
    by_prefix: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        by_prefix.setdefault(key[:-1], []).append(key[-1])
    found: dict[tuple[Any, ...], Any] = {}
    for prefix, lasts in by_prefix.items():
        same_prefix = [col == value for col, value in zip(cols[:-1], prefix, strict=True)]
        for start in range(0, len(lasts), LOOKUP_CHUNK):
            q = sa.select(*selected).where(*same_prefix, cols[-1].in_(lasts[start : start + LOOKUP_CHUNK]))
            for row in conn.execute(q).mappings():
                found[tuple(row[c] for c in key_cols)] = row
    return found


def _insert_new_sqlite(
    conn: Connection, table: sa.Table, key_cols: Sequence[str], rows: list[dict[str, Any]]
) -> int:
    """SQLite 3.24+: insert the rows whose key is not stored yet (executemany); returns how many."""
    from sqlalchemy.dialects.sqlite import insert

    statement = insert(table).on_conflict_do_nothing(index_elements=list(key_cols))
    return int(conn.execute(statement, rows).rowcount)  # sqlite3 sums rowcount over executemany


def _upsert(
    conn: Connection,
    table: sa.Table,
    key_cols: Sequence[str],
    rows: list[dict[str, Any]],
    compare: Sequence[str],
    counts: Counter[str],
    name: str,
    changed_rows: list[tuple[Any, dict[str, Any]]] | None = None,
) -> dict[tuple[Any, ...], str]:
    """Insert new rows, update changed ones; returns natural key -> id for every row given, and adds
    each changed row's (stored row, new row) to `changed_rows` when given.

    Each row carries a fresh "id", kept only if the row is new. The batch is inserted first, existing
    keys skipped by the unique index (ON CONFLICT DO NOTHING); the stored rows are then read back only
    for the keys that were already there, to be compared: a first import of a file reads nothing.
    """
    if not rows:
        return {}
    keys = [tuple(r[c] for c in key_cols) for r in rows]
    ids = {key: row["id"] for key, row in zip(keys, rows, strict=True)}
    dialect = conn.dialect
    if dialect.name == "postgresql":
        inserted = _insert_new_postgres(conn, table, key_cols, rows)
        others = [key for key in keys if key not in inserted]
        existing = _existing(conn, table, key_cols, others, compare) if others else {}
        added = len(inserted)
    elif dialect.name == "sqlite" and dialect.dbapi.sqlite_version_info >= (3, 24):
        added = _insert_new_sqlite(conn, table, key_cols, rows)
        existing = {}
        if added < len(rows):  # some keys were there: read the batch back, ours carry our fresh ids
            found = _existing(conn, table, key_cols, keys, compare)
            existing = {key: row for key, row in found.items() if row["id"] != ids[key]}
    else:  # read the existing keys first, insert the others
        existing = _existing(conn, table, key_cols, keys, compare)
        new = [row for key, row in zip(keys, rows, strict=True) if key not in existing]
        if new:
            conn.execute(table.insert(), new)
        added = len(new)
    changed = []
    for key, row in zip(keys, rows, strict=True):
        old = existing.get(key)
        if old is None:
            continue
        ids[key] = old["id"]
        if any(old[c] != row[c] for c in compare):
            changed.append({"b_id": old["id"], **{c: row[c] for c in compare}})
            if changed_rows is not None:
                changed_rows.append((old, row))
    if changed:
        conn.execute(
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values({c: sa.bindparam(c) for c in compare}),
            changed,
        )
    counts[f"{name}_added"] += added
    counts[f"{name}_changed"] += len(changed)
    return ids


class SubjectWriter:
    """Writes batches of import records inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.counts: Counter[str] = Counter()
        self._known_units: set[str] = set()
        # Who moved: households now in another village, citizens now in another household (ids). Their
        # open cases follow them (services/evaluation/service/moves.py).
        self.moved_households: set[str] = set()
        self.moved_citizens: set[str] = set()

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
            field = "village_code" if level == "village" else "commune_code"
            raise ValidationFailed(
                f"Chưa có {'thôn' if level == 'village' else 'xã'}: {listed}.",
                f"Unknown {level}(s): {listed}; import or create them first.",
                errors={
                    field: [
                        f"Chưa có {'thôn' if level == 'village' else 'xã'} mang mã: {listed}; hãy nhập hoặc tạo trước."
                    ]
                },
                errors_en={field: [f"No {level} has the code(s): {listed}; import or create them first."]},
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
                "id": str(uuid.uuid4()),
                "commune_code": r.commune_code,
                "household_code": r.household_code,
                "village_code": village_code(r.commune_code, r.village_code),
                "head_name": r.head_name,
                "address": r.address,
            }
            for r in records
        ]
        changed_households: list[tuple[Any, dict[str, Any]]] = []
        ids = _upsert(
            self._conn,
            t.households,
            ("commune_code", "household_code"),
            rows,
            ("village_code", "head_name", "address"),
            self.counts,
            "households",
            changed_households,
        )
        self.moved_households.update(
            old["id"] for old, new in changed_households if old["village_code"] != new["village_code"]
        )
        members = []
        for r in records:
            household_id = ids[(r.commune_code, r.household_code)]
            for m in r.members:
                members.append(
                    {
                        "id": str(uuid.uuid4()),
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
        changed_citizens: list[tuple[Any, dict[str, Any]]] = []
        _upsert(
            self._conn,
            t.citizens,
            ("citizen_key",),
            members,
            ("full_name", "birth_year", "gender", "citizen_group", "household_id", "relation"),
            self.counts,
            "citizens",
            changed_citizens,
        )
        self.moved_citizens.update(
            old["id"] for old, new in changed_citizens if old["household_id"] != new["household_id"]
        )

    def clans(self, records: list[ClanRecord]) -> None:
        """Clans and the households that belong to them."""
        self._require_units({r.commune_code for r in records}, "commune")
        rows = [
            {
                "id": str(uuid.uuid4()),
                "commune_code": r.commune_code,
                "clan_code": r.clan_code,
                "name": r.name,
            }
            for r in records
        ]
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
                errors={
                    "household_codes": [f"Chưa có hộ mang mã: {', '.join(missing[:20])}; hãy nhập hộ trước."]
                },
                errors_en={
                    "household_codes": [
                        f"No household has the code(s): {', '.join(missing[:20])}; import households first."
                    ]
                },
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
            {
                "id": str(uuid.uuid4()),
                "commune_code": r.commune_code,
                "unit_code": r.unit_code,
                "name": r.name,
                "kind": r.kind,
            }
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
