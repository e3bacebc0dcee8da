"""bench/history_timing reads the gaps between a history's events: one made-up history of a workflow task
that schedules an activity, the activity, and the workflow task that takes its result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.history.v1 import HistoryEvent

from bench.history_timing import breakdown

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _event(event_id: int, ms: int, kind: str, **attrs: Any) -> HistoryEvent:
    at = Timestamp()
    at.FromDatetime(T0 + timedelta(milliseconds=ms))
    event = HistoryEvent(event_id=event_id, event_time=at)
    getattr(event, f"{kind}_event_attributes").SetInParent()
    for name, value in attrs.items():
        setattr(getattr(event, f"{kind}_event_attributes"), name, value)
    return event


HISTORY = [
    _event(1, 0, "workflow_execution_started"),
    _event(2, 0, "workflow_task_scheduled"),
    _event(3, 20, "workflow_task_started", scheduled_event_id=2),
    _event(4, 50, "workflow_task_completed", scheduled_event_id=2, started_event_id=3),
    _event(5, 50, "activity_task_scheduled"),
    _event(6, 80, "activity_task_started", scheduled_event_id=5),
    _event(7, 120, "activity_task_completed", scheduled_event_id=5, started_event_id=6),
    _event(8, 120, "workflow_task_scheduled"),
    _event(9, 130, "workflow_task_started", scheduled_event_id=8),
    _event(10, 140, "workflow_task_completed", scheduled_event_id=8, started_event_id=9),
]


class _Client:
    def get_workflow_handle(self, workflow_id: str) -> Any:
        async def fetch_history() -> Any:
            return SimpleNamespace(events=HISTORY)

        return SimpleNamespace(fetch_history=fetch_history)


async def test_the_gaps_between_events_are_averaged_per_kind() -> None:
    # An async test (not asyncio.run): asyncio.run would close the session's event loop under the
    # async tests that come after it.
    got = await breakdown(_Client(), ["a", "b"])
    assert got["schedule_to_start"] == 30.0  # activity scheduled at 50 ms, started at 80
    assert got["activity_run"] == 40.0
    assert got["wft_schedule_to_start"] == 15.0  # (20 + 10) / 2
    assert got["wft_run"] == 20.0  # (30 + 10) / 2
    assert (got["activities_per_case"], got["workflow_tasks_per_case"]) == (1, 2)
    assert got["history_span"] == 140.0
    assert got["events_per_case"] == 10
    assert got["n_workflow_task_scheduled"] == 2 and got["history_bytes"] > 0
