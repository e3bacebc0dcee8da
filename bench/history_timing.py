"""Where a workflow's wall time goes, read from its Temporal history: the mean gap, in milliseconds, between
the events that bound each kind of work (workflow tasks, activities, local activities are inside tasks).

    schedule_to_start  activity scheduled -> started: the server's matching (0 when dispatched eagerly)
    activity_run       activity started -> completed: the activity itself, as the worker reports it
    wft_schedule_to_start / wft_run  the same for workflow tasks
    events_per_case, history_bytes, n_<event kind>, bytes_<event kind>  the histories' size, their most
                       frequent events and the kinds that weigh most (per case)

Used by the lifecycle benchmark (`case_lifecycle`) to say where product and bare cases differ.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean
from typing import Any


def _ms(a: Any, b: Any) -> float:
    return (b.ToDatetime() - a.ToDatetime()).total_seconds() * 1000


async def breakdown(client: Any, workflow_ids: list[str]) -> dict[str, float]:
    """Mean milliseconds per kind of gap over the histories of `workflow_ids` (their latest runs)."""
    gaps: dict[str, list[float]] = defaultdict(list)
    spans: list[float] = []
    sizes: list[int] = []
    counts: list[int] = []
    kinds: dict[str, int] = defaultdict(int)
    kind_bytes: dict[str, int] = defaultdict(int)
    for wid in workflow_ids:
        history = await client.get_workflow_handle(wid).fetch_history()
        events = {e.event_id: e for e in history.events}
        sizes.append(sum(e.ByteSize() for e in history.events))
        counts.append(len(history.events))
        spans.append(_ms(history.events[0].event_time, history.events[-1].event_time))
        for e in history.events:
            kind = e.WhichOneof("attributes")
            short = kind.removesuffix("_event_attributes")
            kinds[short] += 1
            kind_bytes[short] += e.ByteSize()
            if kind == "activity_task_started_event_attributes":
                scheduled = events[e.activity_task_started_event_attributes.scheduled_event_id]
                gaps["schedule_to_start"].append(_ms(scheduled.event_time, e.event_time))
            elif kind == "activity_task_completed_event_attributes":
                started = events[e.activity_task_completed_event_attributes.started_event_id]
                gaps["activity_run"].append(_ms(started.event_time, e.event_time))
            elif kind == "workflow_task_started_event_attributes":
                scheduled = events[e.workflow_task_started_event_attributes.scheduled_event_id]
                gaps["wft_schedule_to_start"].append(_ms(scheduled.event_time, e.event_time))
            elif kind == "workflow_task_completed_event_attributes":
                started = events[e.workflow_task_completed_event_attributes.started_event_id]
                gaps["wft_run"].append(_ms(started.event_time, e.event_time))
    out = {k: round(fmean(v), 1) for k, v in sorted(gaps.items())}
    out["activities_per_case"] = round(len(gaps["activity_run"]) / max(1, len(workflow_ids)), 1)
    out["workflow_tasks_per_case"] = round(len(gaps["wft_run"]) / max(1, len(workflow_ids)), 1)
    out["history_span"] = round(fmean(spans), 1) if spans else 0.0
    out["events_per_case"] = round(fmean(counts), 1) if counts else 0.0
    out["history_bytes"] = round(fmean(sizes)) if sizes else 0
    n = max(1, len(workflow_ids))
    out.update({f"n_{k}": round(v / n, 1) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]})
    out.update({f"bytes_{k}": round(v / n) for k, v in sorted(kind_bytes.items(), key=lambda kv: -kv[1])[:5]})
    return out
