"""Long round activities heartbeat while they run (services/evaluation/round_activities.keep_alive), so a
worker killed in the middle of one is noticed within the heartbeat timeout, and stop when they end."""

from __future__ import annotations

import time
from typing import Any

import pytest
from temporalio.testing import ActivityEnvironment

from services.evaluation import round_activities as ra


def test_a_long_activity_heartbeats_while_it_runs_and_stops_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ra, "HEARTBEAT_EVERY", 0.05)
    beats: list[Any] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(details)

    @ra.keep_alive
    def slow(x: int) -> int:
        time.sleep(0.6)
        return x + 1

    assert env.run(slow, 1) == 2
    seen = len(beats)
    assert seen >= 4
    time.sleep(0.3)
    assert len(beats) == seen  # none after the activity ended


def test_outside_an_activity_it_just_runs() -> None:
    assert ra.keep_alive(lambda: 7)() == 7


def test_the_long_round_activities_keep_alive() -> None:
    acts = ra.RoundActivities(lambda: None)  # type: ignore[arg-type, return-value]
    long = {a.__name__ for a in acts.all() if getattr(a, "heartbeats", False)}
    assert long == {
        "build_decision_list",
        "build_supplementary_list",
        "record_decision_page",
        "generate_decision_documents",
        "generate_certificate_page",
    }
