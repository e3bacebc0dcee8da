"""Benchmark (issue #6): the yearly round's batch decision of N cases vs a bare Temporal run sending the
same N updates, on the same Temporal dev server, in the same run.

Measured: a signed YearlyRound (started at its recording phase, as after the chairman's Update) records
its decision on N cases awaiting decision in one commune (SQLite): pages of 500 through the evaluation
activity (status and version, progress, recognition with its streak, an audit entry in each case's chain,
a `case.decided` event in the outbox), each page followed by a `decided` signal to each case's workflow
(N small sink workflows stand in for the cases; the real RecognitionCase handler does the same: set
the outcome, end), a continue-as-new every 4 pages. Timed from the start until the round reaches the
documents phase (every case decided and told).
Baseline: N bare workflows, each receiving one Update from a Temporal client (64 in flight) that sets a
field and ends the workflow — the same N messages with no database at all. The bare side runs before
and after the product; the faster one counts.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from temporalio import workflow

from bench.harness import Result, child_reply, child_task, peak_rss_mib, run_child

NAME = "batch_decision"
GOAL = (
    "The quarter-IV batch decision of 10,000 cases reaches at least 0.7× the throughput of a bare "
    "Temporal run sending the same 10,000 updates on the same server (issue #6)."
)
FULL, QUICK = 10_000, 1_000
MIN_RATIO = 0.7
MODULE = "bench.batch_decision"
COMMUNE, YEAR, PLAN = "15664", 2026, "van-hoa-2023"
SINK_QUEUE, ROUND_QUEUE = "bench-decision-sink", "bench-decision-round"
IN_FLIGHT = 64


@workflow.defn(name="BenchDecisionCase")
class SinkCase:
    """Stands in for a case awaiting decision: ends when told its outcome (as RecognitionCase does)."""

    def __init__(self) -> None:
        self._outcome: str | None = None

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self._outcome is not None)
        return str(self._outcome)

    @workflow.signal(name="decided")
    def decided(self, inp: Any) -> None:
        self._outcome = inp["outcome"] if isinstance(inp, dict) else "decided"


@workflow.defn(name="BenchBareDecision")
class BareCase:
    """The bare engine: one Update sets the outcome, the workflow ends."""

    def __init__(self) -> None:
        self._outcome: str | None = None

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self._outcome is not None)
        return str(self._outcome)

    @workflow.update
    def decide(self, outcome: str) -> str:
        self._outcome = outcome
        return outcome


async def _start_many(client: Any, name: str, wids: list[str], queue: str) -> None:
    sem = asyncio.Semaphore(IN_FLIGHT)

    async def one(wid: str) -> None:
        async with sem:
            await client.start_workflow(name, id=wid, task_queue=queue)

    await asyncio.gather(*(one(w) for w in wids))


async def _bare(client: Any, n: int) -> float:
    wids = [f"bench-bare/{uuid.uuid4()}" for _ in range(n)]
    await _start_many(client, "BenchBareDecision", wids, SINK_QUEUE)
    sem = asyncio.Semaphore(IN_FLIGHT)

    async def one(wid: str) -> None:
        async with sem:
            await client.get_workflow_handle(wid).execute_update("decide", "recognised")

    t0 = time.perf_counter()
    await asyncio.gather(*(one(w) for w in wids))
    return time.perf_counter() - t0


async def _child(task: dict[str, Any]) -> dict[str, Any]:
    import sqlalchemy as sa
    from temporalio.worker import Worker

    from bench.case_lifecycle import start_temporal
    from bench.round_seed import ensure_villages, seed_awaiting_cases
    from common.db import make_engine
    from services.evaluation.activities import EvaluationActivities
    from services.evaluation.adapters import tables as t
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service import decision_list, round_steps, rounds
    from tests.conftest import seed_reference_data
    from workflows import ids
    from workflows.worker import build_worker
    from workflows.yearly_round import contracts as rc

    n = int(task["n"])
    tmp = Path(tempfile.mkdtemp(prefix="bench-decision-"))
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    villages = ensure_villages(uow, COMMUNE, 20)
    seed_awaiting_cases(engine, commune=COMMUNE, year=YEAR, plan_code=PLAN, villages=villages, count=n)
    workflow_id, round_id = rounds.round_id_for(COMMUNE, YEAR, PLAN)
    schedule = rounds.record_round_opened(
        uow(), inp=rc.RoundOpenedInput(round_id, workflow_id, COMMUNE, YEAR, PLAN, "b")
    )
    built = decision_list.build_decision_list(uow(), round_id=round_id)
    sign = rc.SignInput("chu-tich", "commune_chairman", 1, "Lê Văn Sang", f"{YEAR}-12-15")
    round_steps.record_signature(uow(), inp=rc.SignRecordInput(round_id, 2, sign))
    with engine.connect() as conn:
        case_wids = list(conn.execute(sa.select(t.cases.c.workflow_id)).scalars())

    env = await start_temporal()
    client = env.client
    acts = EvaluationActivities(uow, None)
    try:
        with ThreadPoolExecutor(max_workers=8) as executor:
            async with (
                build_worker(client, ROUND_QUEUE),
                Worker(
                    client,
                    task_queue=ids.EVALUATION_TASK_QUEUE,
                    activities=acts.all(),
                    activity_executor=executor,
                ),
                Worker(client, task_queue=SINK_QUEUE, workflows=[SinkCase, BareCase]),
            ):
                await _start_many(client, "BenchDecisionCase", case_wids, SINK_QUEUE)
                bare = await _bare(client, n)
                resume = rc.RoundResume(
                    phase=rc.RECORDING, version=2, schedule=schedule, decision_ids=built.decision_ids
                )
                t0 = time.perf_counter()
                handle = await client.start_workflow(
                    "YearlyRound",
                    rc.RoundInput(round_id, COMMUNE, YEAR, PLAN, "b", resume=resume),
                    id=workflow_id,
                    task_queue=ROUND_QUEUE,
                )
                while True:
                    with engine.connect() as conn:
                        phase = conn.execute(
                            sa.select(t.rounds.c.phase).where(t.rounds.c.id == round_id)
                        ).scalar()
                    if phase == rc.DOCUMENTS:
                        break
                    await asyncio.sleep(0.05)
                product = time.perf_counter() - t0
                await handle.terminate("benchmark measured")  # the certificates are not part of it
                # Every sink heard its outcome.
                sample = case_wids[:: max(1, n // 50)]
                told = [await client.get_workflow_handle(w).result() for w in sample]
                assert set(told) == {"recognised"}, set(told)
                bare_again = await _bare(client, n)
                with engine.connect() as conn:
                    decided = conn.execute(
                        sa.select(sa.func.count()).select_from(t.recognitions)
                    ).scalar_one()
                assert decided == n, decided
    finally:
        await env.shutdown()
        engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "n": n,
        "product_seconds": product,
        "bare_seconds": bare,
        "bare_again_seconds": bare_again,
        "peak_rss_mib": peak_rss_mib(),
    }


def run(quick: bool) -> list[Result]:
    """Both sides in one child process on one Temporal dev server."""
    n = QUICK if quick else FULL
    got = run_child(MODULE, {"step": "batch_decision", "n": n}, timeout=3600)
    product = n / got["product_seconds"]
    bare = n / min(got["bare_seconds"], got["bare_again_seconds"])
    notes = (
        f"{n} cases of one commune on SQLite; product {got['product_seconds']:.1f} s (pages of 500, "
        f"continue-as-new every 4 pages, one signal per case), bare {got['bare_seconds']:.1f} s then "
        f"{got['bare_again_seconds']:.1f} s ({IN_FLIGHT} updates in flight; the faster counts); peak RSS "
        f"{got['peak_rss_mib']:.0f} MiB; workers and clients in one process."
    )
    ratio = product / bare if bare else float("inf")
    return [
        Result(
            "batch decision throughput (round / bare updates)",
            product,
            bare,
            ratio,
            "cases/s",
            f"≥ {MIN_RATIO:g}×",
            ratio >= MIN_RATIO,
            notes,
        )
    ]


def main() -> None:
    """Child entry point, or `python -m bench.batch_decision [n]` to look by hand."""
    task = child_task()
    if task is not None:
        child_reply(asyncio.run(_child(task)))
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else QUICK
    got = asyncio.run(_child({"n": n}))
    print(got)
    print(f"product {n / got['product_seconds']:.1f} cases/s, bare {n / got['bare_seconds']:.1f} cases/s")


if __name__ == "__main__":
    main()
