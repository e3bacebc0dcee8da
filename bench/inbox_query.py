"""Benchmark (issue #5): the task inbox, and the case list (session 17), over 1,000,000 cases of one
province on PostgreSQL vs raw SQL.

Setup (not timed): a throwaway database, migrated, with the official admin tree; 1,000,000 rows
(quick: 50,000) COPYed into `cases` and `case_progress`, spread over the communes of province 79
(Hồ Chí Minh City) with a realistic mix of statuses, the role each waits on, due dates, 1% escalated;
ANALYZE. Measured: `services.evaluation.service.tasks.list_tasks(uow, role="village_officer",
scope_code=..., limit=50)` through SqlUnitOfWork, for one commune and for the whole province, median
of 50 calls after 5 warm-up calls. Baseline: the same answer (scope -> communes, total count, first
page with the same filters and order, each case's subject named from the register) hand-written in SQL
and run with psycopg on one open connection.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import Result, postgres_database, postgres_unreachable

NAME = "inbox_query"
GOAL = (
    "The task inbox (list_tasks, first page of 50) over 1,000,000 cases in a province on PostgreSQL "
    "answers within 1.5× hand-written SQL through psycopg, for a commune and for the province (issue #5)."
)
FULL, QUICK = 1_000_000, 50_000
CALLS, WARMUP = 20, 3
MAX_RATIO = 1.5
PROVINCE = "79"
ROLE = "village_officer"

# (status, waiting role, share)
MIX = [
    ("draft", "household_representative", 0.40),
    ("village_review", "village_officer", 0.20),
    ("evidence_requested", "household_representative", 0.05),
    ("commune_review", "commune_association_officer", 0.15),
    ("awaiting_decision", "commune_chairman", 0.20),
]
ESCALATED_SHARE = 0.01

RAW_COMMUNES = """
SELECT code FROM admin_units
WHERE level = 'commune' AND (path = %(path)s OR path LIKE %(prefix)s OR %(path)s LIKE path || '/%%')
"""
RAW_WHERE = """
FROM cases c JOIN case_progress p ON p.case_id = c.id
WHERE (p.waiting_on_role = %(role)s OR p.escalated_to_role = %(role)s)
  AND c.admin_unit_code = ANY(%(communes)s)
"""
_ORDER = "ORDER BY {p}escalated_to_role IS NULL, {p}due_at IS NULL, {p}due_at, {c}id"
# The page, then each case's subject by its register code and name (a household's: every case here is a
# learning family's), as list_tasks answers since session 13.
RAW_PAGE = (
    "SELECT page.*, h.household_code, h.head_name FROM ("
    "SELECT c.id, c.workflow_id, c.year, c.title, c.subject_id, c.admin_unit_code, c.status, c.version, "
    "p.due_at, p.overdue, p.escalation_step, p.escalated_to_role, p.waiting_on_role, p.assignee, "
    "p.village_code, p.plan_code "
    + RAW_WHERE
    + _ORDER.format(p="p.", c="c.")
    + " LIMIT 50 OFFSET 0) page LEFT JOIN households h ON h.id = page.subject_id "
    + _ORDER.format(p="page.", c="page.")
)
RAW_COUNT = "SELECT count(*) " + RAW_WHERE
# The case list (GET /cases, session 17): every case of the scope, whatever it waits on, newest year first.
RAW_LIST_WHERE = """
FROM cases c LEFT JOIN case_progress p ON p.case_id = c.id
WHERE c.admin_unit_code = ANY(%(communes)s)
"""
_LIST_ORDER = "ORDER BY {c}year DESC, {c}title, {c}id"
RAW_LIST_PAGE = (
    "SELECT page.*, h.household_code, h.head_name FROM ("
    "SELECT c.id, c.workflow_id, c.year, c.title, c.subject_id, c.admin_unit_code, c.status, c.version, "
    "p.due_at, p.overdue, p.escalation_step, p.escalated_to_role, p.waiting_on_role, p.assignee, "
    "p.village_code, p.plan_code "
    + RAW_LIST_WHERE
    + _LIST_ORDER.format(c="c.")
    + " LIMIT 50 OFFSET 0) page LEFT JOIN households h ON h.id = page.subject_id "
    + _LIST_ORDER.format(c="page.")
)
RAW_LIST_COUNT = "SELECT count(*) " + RAW_LIST_WHERE
# what is measured: (the product's use case, the raw page, the raw count)
KINDS = {"tasks": ("list_tasks", RAW_PAGE, RAW_COUNT), "cases": ("list_cases", RAW_LIST_PAGE, RAW_LIST_COUNT)}


def _psycopg_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def prepare(url: str, n: int, seed: int = 5) -> dict[str, Any]:
    """Migrate, load the admin tree, COPY n cases with their progress rows, ANALYZE."""
    import psycopg

    from common.db import make_engine
    from infra.migrate import upgrade
    from services.evaluation.adapters.official_units import official_units
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service.admin_units import sync_official_units

    upgrade("evaluation", url)
    engine = make_engine(url)
    sync_official_units(SqlUnitOfWork(engine), units=official_units())
    engine.dispose()
    rng = random.Random(seed)
    now = datetime(2027, 6, 1, tzinfo=UTC)
    with psycopg.connect(_psycopg_dsn(url)) as conn:
        communes = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM admin_units WHERE level = 'commune' AND path LIKE %s ORDER BY code",
                (f"{PROVINCE}/%",),
            )
        ]
        statuses = [m[:2] for m in MIX]
        weights = [m[2] for m in MIX]
        started = time.perf_counter()
        with conn.cursor() as cur:
            with (
                cur.copy(
                    "COPY cases (id, workflow_id, run_id, year, title, subject_id, admin_unit_code, status, "
                    "version, opened_by, created_at, updated_at) FROM STDIN"
                ) as cases_copy,
            ):
                progress: list[tuple[Any, ...]] = []
                for i in range(n):
                    case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    status, role = rng.choices(statuses, weights)[0]
                    commune = communes[i % len(communes)]
                    year = 2026 + (i % 2)
                    subject = f"HH-{i:07d}"
                    created = now - timedelta(minutes=rng.randrange(0, 200_000))
                    cases_copy.write_row(
                        (
                            case_id,
                            f"recognition/{year}/learning_family/{subject}",
                            "run",
                            year,
                            "learning_family",
                            subject,
                            commune,
                            status,
                            1 + rng.randrange(6),
                            "bench",
                            created,
                            created,
                        )
                    )
                    due = (
                        None
                        if status == "awaiting_decision"
                        else now + timedelta(hours=rng.randrange(-500, 2000))
                    )
                    escalated = None
                    step = -1
                    if due is not None and due < now and rng.random() < ESCALATED_SHARE * 5:
                        escalated = rng.choice(["village_officer", "commune_association_officer"])
                        step = 0
                    progress.append(
                        (
                            case_id,
                            "ke-hoach-79",
                            1,
                            "gia-dinh-hoc-tap@2023.1",
                            role,
                            due,
                            bool(due is not None and due < now),
                            step,
                            escalated,
                            f"{commune}.{1 + i % 12:02d}",
                        )
                    )
            with cur.copy(
                "COPY case_progress (case_id, plan_code, plan_version, criteria_set_key, waiting_on_role, "
                "due_at, overdue, escalation_step, escalated_to_role, village_code) FROM STDIN"
            ) as progress_copy:
                for row in progress:
                    progress_copy.write_row(row)
        conn.commit()
        loaded = time.perf_counter() - started
        conn.autocommit = True
        conn.execute("ANALYZE cases")
        conn.execute("ANALYZE case_progress")
        escalated_n = conn.execute(
            "SELECT count(*) FROM case_progress WHERE escalated_to_role IS NOT NULL"
        ).fetchone()
    return {"communes": communes, "load_seconds": loaded, "escalated": escalated_n[0] if escalated_n else 0}


def _median_ms(fn: Any) -> float:
    for _ in range(WARMUP):
        fn()
    times = []
    deadline = time.monotonic() + 120
    for _ in range(CALLS):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline:
            break
    return statistics.median(times)


def measure(url: str, scope_code: str, scope_path: str, kind: str = "tasks") -> dict[str, Any]:
    """Median ms of the product's list (the inbox, or with `kind` "cases" the case list) and of the raw
    SQL for one scope; both answers checked."""
    import psycopg

    from common.db import make_engine
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service import tasks

    use_case, raw_page, raw_count = KINDS[kind]
    engine = make_engine(url)
    try:

        def product() -> Any:
            if kind == "cases":
                return tasks.list_cases(SqlUnitOfWork(engine), scope_code=scope_code, limit=50)
            return tasks.list_tasks(SqlUnitOfWork(engine), role=ROLE, scope_code=scope_code, limit=50)

        page = product()
        product_ms = _median_ms(product)
    finally:
        engine.dispose()
    with psycopg.connect(_psycopg_dsn(url), autocommit=True) as conn:

        def raw() -> tuple[int, list[Any]]:
            with conn.cursor() as cur:
                params = {"path": scope_path, "prefix": scope_path + "/%"}
                communes = [r[0] for r in cur.execute(RAW_COMMUNES, params)]
                args = {"role": ROLE, "communes": communes}
                total = cur.execute(raw_count, args).fetchone()[0]  # type: ignore[index]
                rows = cur.execute(raw_page, args).fetchall()
                return total, rows

        total, rows = raw()
        raw_ms = _median_ms(raw)
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN (ANALYZE, BUFFERS off, TIMING off) " + raw_page,
                {
                    "role": ROLE,
                    "communes": [
                        r[0]
                        for r in conn.execute(RAW_COMMUNES, {"path": scope_path, "prefix": scope_path + "/%"})
                    ],
                },
            )
        )
    if page.total != total or [i["id"] for i in page.items] != [r[0] for r in rows]:
        raise RuntimeError(f"{use_case} and raw SQL differ for {scope_code}: {page.total} vs {total}")
    return {"product_ms": product_ms, "raw_ms": raw_ms, "total": total, "plan": plan}


def run(quick: bool) -> list[Result]:
    """Load once, measure a commune scope and the province scope."""
    goal = f"≤ {MAX_RATIO:g}×"
    why = postgres_unreachable()
    if why:
        return [
            Result.skipped(f"{what}, {s}", "ms", goal, why)
            for what in ("task inbox", "case list")
            for s in ("commune", "province")
        ]
    n = QUICK if quick else FULL
    results = []
    with postgres_database("inbox") as url:
        info = prepare(url, n)
        commune = info["communes"][len(info["communes"]) // 2]
        for kind, label, code, path in (
            ("tasks", "commune", commune, f"{PROVINCE}/{commune}"),
            ("tasks", "province", PROVINCE, PROVINCE),
            ("cases", "commune", commune, f"{PROVINCE}/{commune}"),
            ("cases", "province", PROVINCE, PROVINCE),
        ):
            got = measure(url, code, path, kind)
            what = "task inbox" if kind == "tasks" else "case list"
            waiting = f"waiting on {ROLE}" if kind == "tasks" else "in all"
            results.append(
                Result.compare(
                    f"{what} over {n:,} cases, {label} scope ({KINDS[kind][0]} / raw SQL)",
                    got["product_ms"],
                    got["raw_ms"],
                    "ms",
                    max_ratio=MAX_RATIO,
                    notes=(
                        f"{n:,} cases over {len(info['communes'])} communes of province {PROVINCE} "
                        f"({info['escalated']:,} escalated), loaded by COPY in {info['load_seconds']:.0f} s; "
                        f"scope {code}: {got['total']:,} cases {waiting}; median of {CALLS} calls "
                        f"after {WARMUP} warm-up; both sides run the communes lookup, the count and the page."
                    ),
                )
            )
            print(
                f"{what}, {label}: product {got['product_ms']:.2f} ms, raw {got['raw_ms']:.2f} ms\n{got['plan']}",
                flush=True,
            )
    return results


if __name__ == "__main__":
    for r in run(quick=True):
        print(r)
