"""`register_counts` (migration eval_0017) follows every write to the registers — inserts of many rows in
one statement, updates that move a household (and its citizens) or a citizen, deletes — on SQLite and
(in CI's second leg) PostgreSQL; and the progress report's `populations` read from it equal a live count
of the registers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.report_query import ReportQuery

pytestmark = pytest.mark.integration

LIVE = """
SELECT 'households', commune_code, village_code, 0, count(*) FROM households GROUP BY 2, 3
UNION ALL
SELECT 'citizens', h.commune_code, h.village_code, z.birth_year, count(*)
FROM citizens z JOIN households h ON h.id = z.household_id GROUP BY 2, 3, 4
UNION ALL SELECT 'clans', commune_code, '', 0, count(*) FROM clans GROUP BY 2
UNION ALL SELECT 'units', commune_code, '', 0, count(*) FROM units GROUP BY 2
"""


def _kept(conn: sa.Connection) -> dict[tuple[str, str, str, int], int]:
    rc = t.register_counts
    rows = conn.execute(sa.select(rc.c.kind, rc.c.commune_code, rc.c.village_code, rc.c.birth_year, rc.c.n))
    return {(k, c, v, int(y)): int(n) for k, c, v, y, n in rows if n}


def _live(conn: sa.Connection) -> dict[tuple[str, str, str, int], int]:
    return {(k, c, v, int(y)): int(n) for k, c, v, y, n in conn.execute(sa.text(LIVE))}


def _live_populations(conn: sa.Connection, by_village: bool, year: int) -> dict[str, dict[str, int]]:
    """The report's registers counted as before eval_0017 (a GROUP BY per register)."""
    unit = "village_code" if by_village else "commune_code"
    out: dict[str, dict[str, int]] = {"households": {}, "citizens": {}, "clans": {}, "units": {}}
    for code, n in conn.execute(sa.text(f"SELECT {unit}, count(*) FROM households GROUP BY 1")):
        out["households"][code] = n
    for code, n in conn.execute(
        sa.text(
            f"SELECT h.{unit}, count(*) FROM citizens z JOIN households h ON h.id = z.household_id "
            "WHERE z.birth_year <= :y GROUP BY 1"
        ),
        {"y": year - 15},
    ):
        out["citizens"][code] = n
    for kind in ("clans", "units"):
        for code, n in conn.execute(sa.text(f"SELECT commune_code, count(*) FROM {kind} GROUP BY 1")):
            out[kind][code] = n
    return out


def _check(conn: sa.Connection) -> None:
    assert _kept(conn) == _live(conn)
    q = ReportQuery(conn)
    for by_village in (False, True):
        for year in (2000, 2026):
            got = q.populations(
                ["households", "citizens", "clans", "units"],
                communes=["C1", "C2"],
                by_village=by_village,
                year=year,
                working_age=15,
            )
            assert got == _live_populations(conn, by_village, year)


def test_register_counts_follow_every_write(make_database_url: Callable[[str], str]) -> None:
    url = make_database_url("evaluation")
    upgrade("evaluation", url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            t.admin_units.insert(),
            [
                {"code": "P", "name": "P", "level": "province", "kind": "tinh", "parent_code": None, "path": "P"},
                *[
                    {"code": c, "name": c, "level": "commune", "kind": "xa", "parent_code": "P", "path": f"P/{c}"}
                    for c in ("C1", "C2")
                ],
                *[
                    {"code": f"{c}.V{i}", "name": "v", "level": "village", "kind": "thon", "parent_code": c,
                     "path": f"P/{c}/{c}.V{i}"}
                    for c in ("C1", "C2") for i in (1, 2)
                ],
            ],
        )  # fmt: skip
        _check(conn)  # empty registers: nothing kept
        households = [
            {"id": f"h{i}", "commune_code": "C1" if i < 6 else "C2", "household_code": f"H{i}",
             "village_code": ("C1" if i < 6 else "C2") + (".V1" if i % 2 else ".V2"), "head_name": "A",
             "address": "x"}
            for i in range(10)
        ]  # fmt: skip
        conn.execute(t.households.insert(), households)
        conn.execute(
            sa.insert(t.households).values(
                [
                    {
                        "id": "h10",
                        "commune_code": "C2",
                        "household_code": "H10",
                        "village_code": "C2.V1",
                        "head_name": "B",
                        "address": "y",
                    },
                    {
                        "id": "h11",
                        "commune_code": "C2",
                        "household_code": "H11",
                        "village_code": "C2.V1",
                        "head_name": "B",
                        "address": "y",
                    },
                ]
            )
        )  # fmt: skip  (one statement of several rows)
        conn.execute(
            sa.insert(t.citizens).values(
                [
                    {"id": f"z{i}", "citizen_key": f"K{i}", "full_name": "N", "birth_year": 1990 + i % 30,
                     "gender": "nam", "citizen_group": "x", "household_id": None if i == 7 else f"h{i % 12}"}
                    for i in range(40)
                ]
            )
        )  # fmt: skip
        conn.execute(
            t.clans.insert(),
            [
                {"id": f"c{i}", "commune_code": "C1" if i % 3 else "C2", "clan_code": f"K{i}", "name": "n"}
                for i in range(5)
            ],
        )
        conn.execute(
            t.units.insert(),
            [
                {"id": f"u{i}", "commune_code": "C2", "unit_code": f"U{i}", "name": "n", "kind": "school"}
                for i in range(3)
            ],
        )
        _check(conn)
        # Households move village (their citizens with them), one changes commune, another only its name.
        hh = t.households
        conn.execute(hh.update().where(hh.c.id.in_(["h1", "h3"])).values(village_code="C1.V2"))
        conn.execute(hh.update().where(hh.c.id == "h4").values(commune_code="C2", village_code="C2.V2"))
        conn.execute(hh.update().where(hh.c.id == "h5").values(head_name="C"))
        _check(conn)
        # Citizens: a new birth year, another household, none, a household again; some deleted.
        z = t.citizens
        conn.execute(z.update().where(z.c.id == "z2").values(birth_year=2020))
        conn.execute(z.update().where(z.c.id == "z3").values(household_id="h10"))
        conn.execute(z.update().where(z.c.id == "z4").values(household_id=None))
        conn.execute(z.update().where(z.c.id == "z7").values(household_id="h0", birth_year=1950))
        conn.execute(z.delete().where(z.c.id.in_(["z5", "z6", "z30"])))
        _check(conn)
        # Clans and units: moved, deleted; a household without citizens deleted.
        conn.execute(t.clans.update().where(t.clans.c.id == "c1").values(commune_code="C2"))
        conn.execute(t.clans.delete().where(t.clans.c.id == "c2"))
        conn.execute(t.units.delete().where(t.units.c.id == "u0"))
        conn.execute(z.delete().where(z.c.household_id == "h11"))
        conn.execute(hh.delete().where(hh.c.id == "h11"))
        _check(conn)
    engine.dispose()
