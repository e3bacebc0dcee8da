"""Histories recorded by earlier versions of YearlyRound replay on the current code.

A round lives for months: a deploy must not break the ones already running. Each file under histories/
was recorded on the time-skipping server (mock activities, as in test_resume.py) by the version its name
gives: v1 closed the round right after its documents; the current code enters `supplementary` there
behind `workflow.patched(rc.SUPPLEMENTS_PATCH)`, so a v1 history (its opening run, and its last run that
stores the documents and closes) must make the same commands on it. v2 (a run with the patch marker, a
supplementary list, its signature, its recording and documents, and the association's closing) guards
the supplementary steps against later changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflow.replay import histories, replay

HISTORIES = histories(__file__)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_a_recorded_round_history_replays_on_the_current_code(path: Path) -> None:
    await replay(path)


def test_there_are_round_histories_of_every_recorded_version() -> None:
    assert {p.stem.split("_")[1] for p in HISTORIES} >= {"v1", "v2"}
    assert any(p.stem.endswith("closing") for p in HISTORIES)  # the run where the patch lies
