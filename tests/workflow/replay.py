"""Replaying recorded workflow histories on the current code (shared by the test_replay modules)."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, WorkflowRunner

from workflows.worker import WORKFLOWS, workflow_runner


def histories(test_file: str) -> list[Path]:
    """The recorded histories beside a test module (its histories/ folder), sorted."""
    return sorted((Path(test_file).parent / "histories").glob("*.json"))


async def replay(path: Path, runner: WorkflowRunner | None = None) -> None:
    """Replay one history with every workflow of the worker, in the worker's sandbox unless another
    runner is given; a history the current code cannot replay (other commands, a non-determinism error)
    fails the caller."""
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=WORKFLOWS, workflow_runner=runner or workflow_runner())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
