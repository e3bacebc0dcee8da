"""Benchmark kit: the Result record, throwaway databases, and measured runs in child processes (bench).

A benchmark module in `bench/` defines `NAME`, `GOAL` (text) and `run(quick: bool) -> list[Result]`;
`python -m bench.run` finds it. Each Result pairs a measured figure with its baseline from the same
run, so the ratio holds on any machine even when the absolute figures do not.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass(frozen=True)
class Result:
    """One measured figure beside its baseline; `passed` is None when there is no goal to meet."""

    name: str
    measured: float | None
    baseline: float | None
    ratio: float | None
    unit: str
    goal: str
    passed: bool | None
    notes: str = ""

    @classmethod
    def compare(
        cls,
        name: str,
        measured: float,
        baseline: float,
        unit: str,
        *,
        max_ratio: float | None = None,
        goal: str | None = None,
        notes: str = "",
    ) -> Result:
        """measured / baseline, and whether it is within `max_ratio` (no goal when max_ratio is None)."""
        ratio = measured / baseline if baseline else float("inf")
        passed = None if max_ratio is None else ratio <= max_ratio
        text = goal if goal is not None else (f"≤ {max_ratio:g}×" if max_ratio is not None else "—")
        return cls(name, measured, baseline, ratio, unit, text, passed, notes)

    @classmethod
    def skipped(cls, name: str, unit: str, goal: str, why: str) -> Result:
        """A comparison that could not run here (e.g. no PostgreSQL server), with the reason."""
        return cls(name, None, None, None, unit, goal, None, f"skipped: {why}")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with figures rounded for a small, commit-friendly file."""
        data = asdict(self)
        for key in ("measured", "baseline"):
            if isinstance(data[key], float):
                data[key] = round(data[key], 3)
        if isinstance(data["ratio"], float):
            data["ratio"] = round(data["ratio"], 2)
        return data


# --- child processes ---------------------------------------------------------------------------------

CHILD_FLAG = "--child"


def run_child(module: str, task: dict[str, Any], *, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m <module> --child <task json>` and return the JSON object it prints last.

    Each measured step runs in its own fresh interpreter so that timings do not share warm caches
    and peak memory (`ru_maxrss`) belongs to that step alone.
    """
    proc = subprocess.run(
        [sys.executable, "-m", module, CHILD_FLAG, json.dumps(task)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=os.getcwd(),
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-25:])
        raise RuntimeError(f"benchmark child {module} {task.get('step')} failed ({proc.returncode}):\n{tail}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"benchmark child {module} printed no result:\n{proc.stdout[-2000:]}")
    return json.loads(lines[-1])


def child_task() -> dict[str, Any] | None:
    """The task given to this process by `run_child`, or None when not started as a child."""
    if len(sys.argv) == 3 and sys.argv[1] == CHILD_FLAG:
        return json.loads(sys.argv[2])
    return None


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (VmHWM), in MiB."""
    with contextlib.suppress(OSError):
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_reply(result: dict[str, Any]) -> None:
    """Print a child's result as the last line of its output (read back by `run_child`)."""
    sys.stdout.flush()
    print(json.dumps(result), flush=True)


# --- PostgreSQL -------------------------------------------------------------------------------------


def postgres_unreachable() -> str | None:
    """None when the benchmark PostgreSQL server answers, else why not (a short reason)."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, with the reason
        return f"PostgreSQL at {_safe_url(POSTGRES_ADMIN_URL)} unreachable ({type(exc).__name__})"
    return None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextlib.contextmanager
def postgres_database(label: str) -> Iterator[str]:
    """A throwaway database `bench_<label>_<random>` on the benchmark server; dropped afterwards."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = f"bench_{label}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_version() -> str | None:
    """The server version of the benchmark PostgreSQL, or None when unreachable."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
        engine.dispose()
        return str(version)
    except Exception:  # informational only
        return None
