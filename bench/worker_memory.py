"""Benchmark (issue #5): resident memory of the workflow worker with 10,000 open recognition cases.

The workflow worker (workflows.worker.build_worker, the production worker with its configured workflow
cache, WORKFLOW_MAX_CACHED_WORKFLOWS, default 500) runs alone in a child process against a Temporal dev server. The evaluation activities are
no-ops registered under their real names on the evaluation task queue in this (parent) process;
open_case answers the real schedule of the Hồ Chí Minh City plan, computed once from a seeded SQLite
database, so every case gets real deadlines and its durable timers. N RecognitionCase workflows are
started (quick: 500); once every one has been opened and the last ones answer in draft (each then
waits on its timers), the worker's VmRSS is read from
/proc/<pid>/status. Baseline: the same worker's RSS when idle, before the first case.
"""

from __future__ import annotations

import asyncio
import os
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
GOAL = "The workflow worker stays under 500 MB resident with 10,000 open cases waiting on timers (issue #5)."
FULL, QUICK = int(os.environ.get("BENCH_WORKER_MEMORY_CASES", "10000")), 500
OPENING_WINDOW = 200
LIMIT_MB = 500.0
WARD = "26506"
START_CONCURRENCY = 50
SETTLE_SECONDS = 3.0


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


def _real_schedule() -> Any:
    """The real CaseSchedule of a 2027 learning family in the ward, from a seeded SQLite database."""
    from common.db import make_engine
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service.case_steps import open_case
    from tests.conftest import seed_reference_data

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-memory-')) / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    try:
        opened = c.CaseOpenedInput(
            case_id="x",
            workflow_id="x",
            run_id="x",
            year=2027,
            title="learning_family",
            subject_id="x",
            admin_unit_code=WARD,
            opened_by="x",
            plan_code=None,
        )
        return open_case(SqlUnitOfWork(engine), inp=opened)
    finally:
        engine.dispose()


def _noop_activities(schedule: Any, opened: set[str], progress: asyncio.Event) -> list[Any]:
    from temporalio import activity

    @activity.defn(name=c.OPEN_CASE)
    async def open_case(inp: c.CaseOpenedInput) -> c.CaseSchedule:
        opened.add(inp.case_id)  # a set: a retried activity counts once
        progress.set()
        return schedule

    @activity.defn(name=c.RECORD_CASE_ALARM)
    async def alarm(inp: c.CaseAlarmInput) -> bool:
        return True

    @activity.defn(name=c.RECORD_CASE_STEP)
    async def step(inp: c.CaseStepInput) -> bool:
        return True

    @activity.defn(name=c.RECORD_CASE_WITHDRAWN)
    async def withdrawn(inp: c.CaseWithdrawnInput) -> bool:
        return True

    return [open_case, alarm, step, withdrawn]


async def _measure(n: int) -> dict[str, Any]:
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker

    from workflows import ids

    schedule = _real_schedule()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        ui=False,
        dev_server_log_level="error",
    )
    address = env.client.service_client.config.target_host
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.worker_memory", "--serve", address],
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
        opened: set[str] = set()
        progress = asyncio.Event()
        acts = Worker(
            env.client,
            task_queue=ids.EVALUATION_TASK_QUEUE,
            activities=_noop_activities(schedule, opened, progress),
            max_concurrent_activities=200,
        )
        async with acts:
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
                    plan_code=schedule.plan_code,
                )
                async with sem:
                    await env.client.start_workflow(
                        c.WORKFLOW_NAME,
                        inp,
                        id=ids.recognition_workflow_id(2027, "learning_family", subject),
                        task_queue=ids.WORKFLOW_TASK_QUEUE,
                    )

            started = time.perf_counter()
            starts = []
            for i in range(n):
                # At most OPENING_WINDOW cases opening at once (as HTTP would pace them): firing all N
                # starts at once makes the cache evict cases mid-opening and replay them again and
                # again. One waiter, woken by the activity (not N coroutines polling).
                while i - len(opened) >= OPENING_WINDOW:
                    progress.clear()
                    await progress.wait()
                starts.append(asyncio.create_task(start(i)))
            await asyncio.gather(*starts)
            out["start_seconds"] = time.perf_counter() - started
            deadline = time.monotonic() + max(120.0, n * 0.1)
            while len(opened) < n:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"only {len(opened)} of {n} cases opened in time")
                if proc.poll() is not None:
                    raise RuntimeError("the workflow worker died")
                await asyncio.sleep(0.5)
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
    return out


async def _serve(address: str) -> None:
    """Child: the production workflow worker on the real queue, until terminated."""
    from temporalio.client import Client

    from workflows.worker import build_worker

    client = await Client.connect(address)
    worker = build_worker(client)
    async with worker:
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
        f"workflow worker RSS with {n:,} open cases",
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
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        asyncio.run(_serve(sys.argv[2]))
    else:
        for r in run(quick=True):
            print(r)
