"""The recognition case workflow's state (a plain dataclass, no side effects).

Its own module, passed through the workflow sandbox (workflows/worker.py): the class is built once per
worker process instead of once per workflow run, as the sandbox re-imports the workflow's module for
every run it loads. Each run still has its own instance.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.recognition import contracts as c


@dataclass
class CaseState:
    """All workflow state in one place."""

    status: str = "opening"
    version: int = 0
    phase_seq: int = 0  # bumped on every state change: the deadline watcher restarts on it
    returned_to: str | None = None  # the review level that asked for more evidence
    due_at: str | None = None
    escalation_step: int = -1
    schedule: c.CaseSchedule | None = None
    # The alarms of phase `phase_seq` as computed by the step that began it (its due date is then
    # already written): (phase_seq, alarms). Histories recorded before that shape leave it None.
    planned: tuple[int, list[c.Alarm]] | None = None
