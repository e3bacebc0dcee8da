"""Benchmark (issue #5): resident memory of the worker that holds the open recognition cases, with 10,000.

That worker is the evaluation worker (services.evaluation.worker.build_worker: the service's activities
and the RecognitionCase workflow on ids.CASE_TASK_QUEUE, with its configured workflow cache,
WORKFLOW_MAX_CACHED_WORKFLOWS, default 500); it runs alone in a child process against a Temporal dev
server and a seeded SQLite database (its outbox relay, a thread of the deployed process, is not
started). N cases of the Hồ Chí Minh City plan are started (quick: 500) and really opened (the case,
its audit entry, its progress row with real deadlines, its durable timers); once every one is written
and the last ones answer in draft (each then waits on its timers), the worker's VmRSS is read from
/proc/<pid>/status. Baseline: the same worker's RSS when idle, before the first case.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.harness import Result
from workflows.recognition import contracts as c

NAME = "worker_memory"
GOAL = "The worker holding the cases stays under 500 MB resident with 10,000 open cases waiting on timers (issue #5)."
FULL, QUICK = int(os.environ.get("BENCH_WORKER_MEMORY_CASES", "10000")), 500
OPENING_WINDOW = 200
LIMIT_MB = 500.0
WARD = "26506"
START_CONCURRENCY = 50
SETTLE_SECONDS = 3.0
POLL_SECONDS = 0.2  # how often the parent counts the opened cases (one query, one waiter)


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


def _seeded_database() -> str:
    """A SQLite evaluation database with the reference data (plans, criteria, admin units)."""
    from tests.conftest import seed_reference_data

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-memory-')) / 'evaluation.db'}"
    seed_reference_data(url)
    return url


def _opened_count(engine: Any) -> int:
    import sqlalchemy as sa

    from services.evaluation.adapters import tables as t

    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.cases)).scalar_one())


async def _measure(n: int) -> dict[str, Any]:
    from temporalio.testing import WorkflowEnvironment

    from common.db import make_engine
    from workflows import ids

    url = _seeded_database()
    engine = make_engine(url)
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        ui=False,
        dev_server_log_level="error",
    )
    address = env.client.service_client.config.target_host
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.worker_memory", "--serve", address, url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    from workflows.worker import max_cached_workflows

    out: dict[str, Any] = {"n": n, "max_cached": max_cached_workflows()}
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 60)
        if "ready" not in line:
            raise RuntimeError(f"worker did not start: {line!r}")
        await asyncio.sleep(SETTLE_SECONDS)
        out["idle_mb"] = _rss_mb(proc.pid)
        sem = asyncio.Semaphore(START_CONCURRENCY)
        run = uuid.uuid4().hex[:6]

        async def start(i: int) -> None:
            subject = f"MEM-{run}-{i:06d}"
            inp = c.CaseInput(
                case_id=str(uuid.uuid4()),
                year=2027,
                title="learning_family",
                subject_id=subject,
                admin_unit_code=WARD,
                opened_by="bench",
                plan_code=None,
                shape=c.CURRENT_SHAPE,  # as POST /cases opens them
            )
            async with sem:
                await env.client.start_workflow(
                    c.WORKFLOW_NAME,
                    inp,
                    id=ids.recognition_workflow_id(2027, "learning_family", subject),
                    task_queue=ids.CASE_TASK_QUEUE,
                )

        started = time.perf_counter()
        starts = []
        opened = 0
        deadline = time.monotonic() + max(120.0, n * 0.1)
        for i in range(n):
            # At most OPENING_WINDOW cases opening at once (as HTTP would pace them): firing all N
            # starts at once makes the cache evict cases mid-opening and replay them again and again.
            while i - opened >= OPENING_WINDOW:
                await asyncio.sleep(POLL_SECONDS)
                opened = await asyncio.to_thread(_opened_count, engine)
            starts.append(asyncio.create_task(start(i)))
        await asyncio.gather(*starts)
        out["start_seconds"] = time.perf_counter() - started
        while opened < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {opened} of {n} cases opened in time")
            if proc.poll() is not None:
                raise RuntimeError("the evaluation worker died")
            await asyncio.sleep(0.5)
            opened = await asyncio.to_thread(_opened_count, engine)
        # The last cases opened are the last to plan their draft alarms: once they answer in draft,
        # every case waits on its timers (queried while they are still in the worker's cache).
        for i in range(max(0, n - 20), n):
            handle = env.client.get_workflow_handle(
                ids.recognition_workflow_id(2027, "learning_family", f"MEM-{run}-{i:06d}")
            )
            while (await handle.query("status", result_type=c.CaseStatus)).status != "draft":
                await asyncio.sleep(0.1)
        out["draft_seconds"] = time.perf_counter() - started
        await asyncio.sleep(SETTLE_SECONDS)
        out["open_mb"] = _rss_mb(proc.pid)
        out["peak_mb"] = _rss_mb(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        await env.shutdown()
        engine.dispose()
        shutil.rmtree(Path(engine.url.database or "").parent, ignore_errors=True)  # _seeded_database's
    return out


async def _serve(address: str, database_url: str) -> None:
    """Child: the production evaluation worker (its activities and the case workflow, its configured
    workflow cache) on the real queue, until terminated."""
    from concurrent.futures import ThreadPoolExecutor

    from temporalio.client import Client

    from common.settings import CommonSettings
    from services.evaluation.config import Settings
    from services.evaluation.worker import build_worker
    from workflows import ids

    client = await Client.connect(address)
    settings = Settings(database_url=database_url, common=CommonSettings(temporal_address=address))
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with build_worker(client, settings, executor, ids.EVALUATION_TASK_QUEUE):
            print("ready", flush=True)
            await asyncio.Event().wait()


def run(quick: bool) -> list[Result]:
    """Start the cases, read the worker's RSS."""
    n = QUICK if quick else FULL
    got = asyncio.run(_measure(n))
    passed = got["peak_mb"] < LIMIT_MB  # judged on the peak: a container limit must hold it
    notes = (
        f"{n:,} RecognitionCase workflows started in {got['start_seconds']:.0f} s, all in draft after "
        f"{got['draft_seconds']:.0f} s; worker RSS idle {got['idle_mb']:.0f} MB, with the open cases "
        f"{got['open_mb']:.0f} MB (peak {got['peak_mb']:.0f} MB; the goal is judged on the peak); ratio = open / idle. The worker keeps "
        f"at most max_cached_workflows ({got.get('max_cached', '?')}, WORKFLOW_MAX_CACHED_WORKFLOWS) workflows in memory; the others wait on their "
        "timers in the server and are replayed when a timer fires or a step arrives."
    )
    result = Result(
        f"evaluation worker (case workflows + activities) RSS with {n:,} open cases",
        got["open_mb"],
        got["idle_mb"],
        got["open_mb"] / got["idle_mb"],
        "MB",
        f"< {LIMIT_MB:g} MB",
        passed,
        notes,
    )
    return [result]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        asyncio.run(_serve(sys.argv[2], sys.argv[3]))
    else:
        for r in run(quick=True):
            print(r)
