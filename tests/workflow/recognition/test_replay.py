"""Histories recorded by earlier versions of RecognitionCase replay on the current code.

Cases live for months: a deploy must not break the ones already running. Each file under histories/
was recorded by the version its name gives — v1: the opening as two activities and a "scheduled"
deadline notice per phase; v2 (`one-activity-per-step`): one opening activity and the due date written
by the step that begins a phase; v1-then-v2: opened and submitted on v1, its workers then replaced by
v2's mid-case (recorded on a dev server; the case keeps v1's shape to its end, as `workflow.patched`
memoises its first answer); v3: v2's commands for a case opened with its shape in its input
(`CaseInput.shape`), without the patch marker and its search-attribute upsert; v4 (shape 3): of the
alarms due together only the latest reminder or escalation step is told ("opened-late": a case opened
after its deadline and whole chain). The current code must
make the same commands from every one of them. A new shape of the workflow adds its own histories here.

Each replays twice: in the SDK's sandbox (as the workflow tests run it, where a non-deterministic call
fails) and without it (as the evaluation worker runs it by default: CASE_WORKFLOW_SANDBOX).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.evaluation.worker import case_workflow_runner
from tests.workflow.replay import histories, replay

HISTORIES = histories(__file__)
RUNNERS = {"sandboxed": {"CASE_WORKFLOW_SANDBOX": "on"}, "unsandboxed": {"CASE_WORKFLOW_SANDBOX": "off"}}


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_a_recorded_history_replays_on_the_current_code(path: Path, runner: str) -> None:
    await replay(path, case_workflow_runner(RUNNERS[runner]))


def test_there_are_histories_of_every_recorded_version() -> None:
    assert {p.stem.split("_")[1] for p in HISTORIES} >= {"v1", "v2", "v1-then-v2", "v3", "v4"}
