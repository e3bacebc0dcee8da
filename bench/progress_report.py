"""Benchmark (issue #6): the progress report over 1,000,000 cases on PostgreSQL vs the raw GROUP BY.

Setup (not timed): a throwaway database, migrated, with the official admin tree, the Hồ Chí Minh City
plan (activated), 12 villages per ward of the city (2,016), 250,000 households (quick: 12,500) and
1,000,000 cases (quick: 50,000) COPYed in, over the plan's years 2023-2026, five titles, 60% recognised;
ANALYZE and VACUUM (so index-only scans see a fresh visibility map, as autovacuum would leave it).

Measured: `services.evaluation.service.progress.progress_report(uow, plan_code=..., year=2026, ...)`
through SqlUnitOfWork — every title of the plan, this year and each year since 2023, with the registers
as denominators — (a) the city broken down by ward, (b) one ward broken down by village; median of the
calls after warm-up. Baseline: the raw GROUP BY of the recognised cases on the same database through
psycopg (the ward list looked up first, as the report does): the same counts, nothing else. A second,
informational baseline adds the registers' GROUP BY, i.e. every figure the report shows, hand-written.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from bench.harness import Result, postgres_database, postgres_unreachable

NAME = "progress_report"
GOAL = (
    "The progress report (every title, this year and across years, with denominators) over 1,000,000 cases "
    "on PostgreSQL answers within 1.5× the raw GROUP BY of the same counts (issue #6)."
)
FULL, QUICK = 1_000_000, 50_000
CALLS, WARMUP = 21, 3
MAX_RATIO = 1.5
PROVINCE, PLAN, YEAR, FIRST_YEAR = "79", "ho-chi-minh-city-2023", 2026, 2023
VILLAGES_PER_WARD = 12
TITLES = [
    ("learning_family", 0.80),
    ("learning_citizen", 0.12),
    ("learning_clan", 0.04),
    ("learning_unit", 0.02),
    ("learning_community_village", 0.02),
]
STATUSES = [("recognised", 0.60), ("not_recognised", 0.10), ("awaiting_decision", 0.15), ("draft", 0.15)]

RAW_COMMUNES = (
    "SELECT code FROM admin_units WHERE level = 'commune' AND (path = %(path)s OR path LIKE %(prefix)s)"
)
RAW_BY_COMMUNE = """
SELECT year, title, admin_unit_code, count(*) FROM cases
WHERE status = 'recognised' AND year BETWEEN %(y0)s AND %(y1)s AND title = ANY(%(titles)s)
  AND admin_unit_code = ANY(%(communes)s)
GROUP BY year, title, admin_unit_code
"""
RAW_BY_VILLAGE = """
SELECT c.year, c.title, coalesce(p.village_code, c.admin_unit_code), count(*)
FROM cases c LEFT JOIN case_progress p ON p.case_id = c.id
WHERE c.status = 'recognised' AND c.year BETWEEN %(y0)s AND %(y1)s AND c.title = ANY(%(titles)s)
  AND c.admin_unit_code = ANY(%(communes)s)
GROUP BY 1, 2, 3
"""
RAW_HOUSEHOLDS = {
    False: "SELECT commune_code, count(*) FROM households WHERE commune_code = ANY(%(communes)s) GROUP BY 1",
    True: "SELECT village_code, count(*) FROM households WHERE commune_code = ANY(%(communes)s) GROUP BY 1",
}


def _dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def prepare(url: str, n: int, seed: int = 6) -> dict[str, Any]:
    """Migrate, load the tree and the plan, COPY villages, households and cases; ANALYZE and VACUUM."""
    import psycopg

    from common.db import make_engine
    from infra.migrate import upgrade
    from services.evaluation.adapters.official_units import official_units
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.documents.plans import PLANS_DIR
    from services.evaluation.service import plans
    from services.evaluation.service.admin_units import sync_official_units

    upgrade("evaluation", url)
    engine = make_engine(url)
    sync_official_units(SqlUnitOfWork(engine), units=official_units())
    stored, _ = plans.upload_plan(
        SqlUnitOfWork(engine),
        document=(PLANS_DIR / f"{PLAN}.yaml").read_text(encoding="utf-8"),
        uploaded_by="b",
    )
    plans.activate_plan(SqlUnitOfWork(engine), code=stored.code, version=stored.version)
    engine.dispose()
    rng = random.Random(seed)
    now = datetime(2027, 1, 15, tzinfo=UTC)
    started = time.perf_counter()
    with psycopg.connect(_dsn(url)) as conn:
        communes = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM admin_units WHERE level = 'commune' AND parent_code = %s ORDER BY code",
                (PROVINCE,),
            )
        ]
        villages = {c: [f"{c}.KP{v:02d}" for v in range(1, VILLAGES_PER_WARD + 1)] for c in communes}
        with conn.cursor() as cur:
            with cur.copy("COPY admin_units (code, name, level, kind, parent_code, path) FROM STDIN") as cp:
                for c, codes in villages.items():
                    for code in codes:
                        cp.write_row(
                            (code, f"Khu phố {code[-2:]}", "village", "khu_pho", c, f"{PROVINCE}/{c}/{code}")
                        )
            with cur.copy(
                "COPY households (id, commune_code, household_code, village_code, head_name, address) FROM STDIN"
            ) as cp:
                for i in range(n // 4):
                    c = communes[i % len(communes)]
                    v = villages[c][(i // len(communes)) % VILLAGES_PER_WARD]
                    cp.write_row(
                        (
                            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                            c,
                            f"HH{i:07d}",
                            v,
                            "Nguyễn Văn A",
                            v,
                        )
                    )
            progress: list[tuple[str, str]] = []
            with cur.copy(
                "COPY cases (id, workflow_id, run_id, year, title, subject_id, admin_unit_code, status, version, "
                "opened_by, created_at, updated_at) FROM STDIN"
            ) as cp:
                for i in range(n):
                    case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    c = communes[i % len(communes)]
                    year = FIRST_YEAR + (i // len(communes)) % (YEAR - FIRST_YEAR + 1)
                    title, subject = _pick(rng, TITLES), f"S{i:07d}"
                    cp.write_row(
                        (case_id, f"recognition/{year}/{title}/{subject}", "run", year, title, subject, c,
                         _pick(rng, STATUSES), 3, "bench", now, now)
                    )  # fmt: skip
                    progress.append((case_id, rng.choice(villages[c])))
            with cur.copy(
                "COPY case_progress (case_id, overdue, escalation_step, village_code) FROM STDIN"
            ) as cp:
                for case_id, village in progress:
                    cp.write_row((case_id, False, -1, village))
        conn.commit()
        loaded = time.perf_counter() - started
        conn.autocommit = True
        for table in ("admin_units", "households", "cases", "case_progress"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return {"communes": communes, "load_seconds": loaded, "households": n // 4}


def _medians_ms(*fns: Any) -> list[float]:
    """Median ms of each function, called in turn (A, B, C, A, B, C, ...): load from other work on the
    machine drifts over seconds, and interleaving spreads it evenly over every side."""
    for _ in range(WARMUP):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(CALLS):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            times[i].append((time.perf_counter() - started) * 1000)
    return [statistics.median(t) for t in times]


def measure(url: str, unit: str, path: str, level: str) -> dict[str, Any]:
    """Median ms of the report and of the raw GROUP BY (and of the raw figures with registers); both
    answers' recognised totals checked equal."""
    import psycopg

    from common.db import make_engine
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service.progress import progress_report

    engine = make_engine(url)
    try:

        def product() -> Any:
            return progress_report(
                SqlUnitOfWork(engine), year=YEAR, plan_code=PLAN, admin_unit=unit, level=level
            )

        report = product()
        titles = [t["title"] for t in report.titles]
        by_village = level == "village"
        conn = psycopg.connect(_dsn(url), autocommit=True)
        args = {"y0": FIRST_YEAR, "y1": YEAR, "titles": titles, "path": path, "prefix": path + "/%"}

        # psycopg would switch to server-side prepared statements after five calls, whose generic plan
        # ignores the ward list and runs many times slower: the baseline is ad hoc SQL, never prepared.
        conn.prepare_threshold = None

        def raw() -> list[Any]:
            communes = [r[0] for r in conn.execute(RAW_COMMUNES, args)]
            return conn.execute(
                RAW_BY_VILLAGE if by_village else RAW_BY_COMMUNE, {**args, "communes": communes}
            ).fetchall()

        def raw_all() -> list[Any]:
            communes = [r[0] for r in conn.execute(RAW_COMMUNES, args)]
            rows = raw()
            conn.execute(RAW_HOUSEHOLDS[by_village], {"communes": communes}).fetchall()
            for table in ("clans", "units"):
                conn.execute(
                    f"SELECT commune_code, count(*) FROM {table} WHERE commune_code = ANY(%(c)s) GROUP BY 1",
                    {"c": communes},
                ).fetchall()
            conn.execute(
                "SELECT h.commune_code, count(*) FROM citizens z JOIN households h ON h.id = z.household_id "
                "WHERE h.commune_code = ANY(%(c)s) AND z.birth_year <= %(y)s GROUP BY 1",
                {"c": communes, "y": YEAR - 15},
            ).fetchall()
            return rows

        rows = raw()
        product_ms, raw_ms, raw_all_ms = _medians_ms(product, raw, raw_all)
        conn.close()
    finally:
        engine.dispose()
    this_year = sum(n for y, _, _, n in rows if y == YEAR)
    if this_year != sum(t["recognised"] for t in report.totals):
        raise RuntimeError(f"answers differ: {this_year} vs {sum(t['recognised'] for t in report.totals)}")
    return {"product_ms": product_ms, "raw_ms": raw_ms, "raw_all_ms": raw_all_ms, "recognised": this_year}


def run(quick: bool) -> list[Result]:
    """Load once; the city by ward and one ward by village."""
    goal = f"≤ {MAX_RATIO:g}×"
    why = postgres_unreachable()
    cases = ("city by ward", "ward by village")
    if why:
        return [Result.skipped(f"progress report, {label}", "ms", goal, why) for label in cases]
    n = QUICK if quick else FULL
    results = []
    with postgres_database("progress") as url:
        info = prepare(url, n)
        ward = info["communes"][len(info["communes"]) // 2]
        for label, unit, path, level in (
            (cases[0], PROVINCE, PROVINCE, "commune"),
            (cases[1], ward, f"{PROVINCE}/{ward}", "village"),
        ):
            got = measure(url, unit, path, level)
            notes = (
                f"{n:,} cases ({FIRST_YEAR}-{YEAR}, five titles, 60% recognised) over {len(info['communes'])} "
                f"wards of {PROVINCE}, {info['households']:,} households, loaded by COPY in "
                f"{info['load_seconds']:.0f} s; {got['recognised']:,} recognised in {YEAR} under {unit}; median "
                f"of {CALLS} calls after {WARMUP} warm-up."
            )
            results.append(
                Result.compare(
                    f"progress report over {n:,} cases, {label} (progress_report / raw GROUP BY)",
                    got["product_ms"],
                    got["raw_ms"],
                    "ms",
                    max_ratio=MAX_RATIO,
                    notes=notes,
                )
            )
            results.append(
                Result.compare(
                    f"progress report over {n:,} cases, {label} (progress_report / raw SQL of every figure)",
                    got["product_ms"],
                    got["raw_all_ms"],
                    "ms",
                    notes="Information: the baseline also counts every register the report divides by.",
                )
            )
    return results


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
