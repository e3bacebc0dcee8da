"""The end of the supplementary decisions from the plan (`calendar.supplementary_until`), on the
time-skipping server with the real evaluation activities: a round under a plan version that stops them on
15/12 takes a supplementary request on 15/12 (refused only because nobody awaits a decision), then closes
by itself at 15/12 23:59:59, not at the end of the year; later Updates find the workflow ended."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from temporalio.service import RPCError, RPCStatusCode

from common.workdays import VIETNAM_TZ
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.plans import PLANS_DIR, load_plan, parse_plan_yaml, plan_to_yaml
from services.evaluation.service import plans
from tests.workflow.yearly_round.test_supplementary import PLAN, YEAR, _decided, _opened_round, _refused
from tests.workflow.yearly_round.test_year import _phase, _until
from workflows.yearly_round import contracts as rc

UNTIL = f"{YEAR}-12-15T23:59:59+07:00"


async def test_a_plan_ending_supplements_on_15_12_closes_the_round_then(stack: dict[str, Any]) -> None:
    engine, env = stack["engine"], stack["env"]
    raw = parse_plan_yaml((PLANS_DIR / f"{PLAN}.yaml").read_text(encoding="utf-8"))
    raw["version"] = 2
    raw["calendar"]["supplementary_until"] = {"day": "15/12", "assumed": True, "note": "test"}
    plans.upload_plan(SqlUnitOfWork(engine), document=plan_to_yaml(load_plan(raw)), uploaded_by="t")
    plans.activate_plan(SqlUnitOfWork(engine), code=PLAN, version=2)

    handle, round_id = await _opened_round(stack)
    status = await _decided(handle, engine, env, round_id)
    assert status.supplements_until == UNTIL

    # On 15/12 supplementary lists are still taken (this one is refused only because nobody awaits one).
    await env.sleep(_until(await env.get_current_time(), YEAR, 12, 15))
    officer = rc.SupplementInput("can-bo-xa", "commune_association_officer", status.version)
    assert (await _refused(handle, "supplement", officer)).type == "NothingToDecide"

    # At 15/12 23:59:59 the round closes by itself, two weeks before the end of its year.
    await env.sleep(_until(await env.get_current_time(), YEAR, 12, 16))
    await _phase(engine, round_id, rc.CLOSED)  # polls the database: no time skipped meanwhile
    assert await env.get_current_time() < datetime(YEAR, 12, 17, tzinfo=VIETNAM_TZ)
    assert (await handle.result())["phase"] == rc.CLOSED
    with engine.connect() as conn:
        after = dict(
            conn.execute(
                sa.select(t.audit.c.action, t.audit.c.after_state).where(
                    t.audit.c.chain == f"round:{round_id}"
                )
            ).all()
        )
    assert json.loads(after["round.supplements_open"])["supplements_until"] == UNTIL
    assert json.loads(after["round.closed"])["reason"] == "year_end"
    with pytest.raises(RPCError) as ended:  # no supplementary list after 15/12
        await handle.execute_update("supplement", officer, result_type=rc.RoundStep)
    assert ended.value.status == RPCStatusCode.NOT_FOUND
