"""The batch decision survives a crash: both workers run in a child process that is SIGKILLed while the
round records its signed decision on 2,100 cases (5 pages, a continue-as-new between them); a new process
picks up and the round finishes with every case decided exactly once — one status change, one audit
entry, one `case.decided` event and at most one recognition per case."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from temporalio.testing import WorkflowEnvironment

from bench.round_seed import ensure_villages, seed_awaiting_cases
from common.db import make_engine
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.service import decision_list, round_steps, rounds
from tests.conftest import new_bucket, new_task_queue, seed_reference_data
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

COMMUNE, YEAR, PLAN, CASES, RECOGNISED = "15664", 2026, "van-hoa-2023", 2100, 15
ROOT = Path(__file__).resolve().parents[3]


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.workflow.yearly_round.worker_process", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


async def test_a_killed_worker_mid_batch_decides_no_case_twice(
    temporal_env: WorkflowEnvironment, s3_server: dict[str, Any], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    villages = ensure_villages(uow, COMMUNE, 4)
    seed_awaiting_cases(engine, commune=COMMUNE, year=YEAR, plan_code=PLAN, villages=villages, count=CASES)
    workflow_id, round_id = rounds.round_id_for(COMMUNE, YEAR, PLAN)
    schedule = rounds.record_round_opened(
        uow(), inp=rc.RoundOpenedInput(round_id, workflow_id, COMMUNE, YEAR, PLAN, "t")
    )
    built = decision_list.build_decision_list(uow(), round_id=round_id)
    with engine.begin() as conn:  # keep the certificates few: most of the list is refused by the council
        keep = (
            conn.execute(
                sa.select(t.decision_items.c.case_id).order_by(t.decision_items.c.case_id).limit(RECOGNISED)
            )
            .scalars()
            .all()
        )
        conn.execute(
            t.decision_items.update()
            .where(t.decision_items.c.case_id.not_in(keep))
            .values(outcome=lc.NOT_RECOGNISED, reason="Hội đồng không thông qua")
        )
    sign = rc.SignInput("chu-tich", "commune_chairman", 1, "Lê Văn Sang", f"{YEAR}-12-15")
    assert round_steps.record_signature(uow(), inp=rc.SignRecordInput(round_id, 2, sign))

    bucket = new_bucket(s3_server, "crash").bucket
    queue = new_task_queue()
    address = temporal_env.client.service_client.config.target_host
    args = [
        address,
        url,
        queue,
        s3_server["endpoint"],
        s3_server["access_key"],
        s3_server["secret_key"],
        bucket,
    ]
    first = _spawn(args)
    resume = rc.RoundResume(phase=rc.RECORDING, version=2, schedule=schedule, decision_ids=built.decision_ids)
    handle = await temporal_env.client.start_workflow(
        "YearlyRound",
        rc.RoundInput(round_id, COMMUNE, YEAR, PLAN, "t", resume=resume),
        id=workflow_id,
        task_queue=queue,
    )

    def recorded() -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(t.cases).where(t.cases.c.status.in_(lc.OUTCOMES))
                ).scalar_one()
            )

    deadline = time.monotonic() + 120
    while recorded() < rc.PAGE_SIZE and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    at_kill = recorded()
    assert rc.PAGE_SIZE <= at_kill < CASES, at_kill  # killed in the middle of the batch

    second = _spawn(args)
    try:
        result = await asyncio.wait_for(handle.result(), timeout=300)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(10)
    assert result["phase"] == rc.CLOSED
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(sa.select(t.cases.c.status, sa.func.count()).group_by(t.cases.c.status)).all()
        )
        events = (
            conn.execute(sa.select(t.outbox.c.event_id).where(t.outbox.c.event_type == "case.decided"))
            .scalars()
            .all()
        )
        per_chain = conn.execute(
            sa.select(t.audit.c.chain, sa.func.count())
            .where(t.audit.c.action == "case.decided")
            .group_by(t.audit.c.chain)
        ).all()
        recognitions = conn.execute(sa.select(sa.func.count()).select_from(t.recognitions)).scalar_one()
        versions = set(conn.execute(sa.select(t.cases.c.version)).scalars())
    assert statuses == {lc.RECOGNISED: RECOGNISED, lc.NOT_RECOGNISED: CASES - RECOGNISED}
    assert len(events) == len(set(events)) == CASES
    assert len(per_chain) == CASES and {n for _, n in per_chain} == {1}
    assert recognitions == RECOGNISED
    assert versions == {8}  # seeded at 7: exactly one change each
