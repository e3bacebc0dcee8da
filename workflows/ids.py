"""Workflow ids and task queue names: the one place that builds them (stdlib only)."""

from __future__ import annotations

# Workflows run on their own queue; each service's activities run on the queue of the service that
# owns the data they touch.
WORKFLOW_TASK_QUEUE = "workflows"
EVALUATION_TASK_QUEUE = "evaluation"
AWARDS_TASK_QUEUE = "awards"
NOTIFICATIONS_TASK_QUEUE = "notifications"


def recognition_workflow_id(year: int, title: str, subject_id: str) -> str:
    """One recognition case per (year, title, subject): a double submit never opens two cases."""
    return f"recognition/{year}/{title}/{subject_id}"
