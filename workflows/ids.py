"""Workflow ids and task queue names: the one place that builds them (stdlib only)."""

from __future__ import annotations

# Workflows run on their own queue; each service's activities run on the queue of the service that
# owns the data they touch.
WORKFLOW_TASK_QUEUE = "workflows"
EVALUATION_TASK_QUEUE = "evaluation"
AWARDS_TASK_QUEUE = "awards"
NOTIFICATIONS_TASK_QUEUE = "notifications"
# The recognition case orchestrates one service only: it runs on that service's queue, served by the
# evaluation worker beside its activities, so each activity is handed back with the workflow task that
# schedules it (eager dispatch) instead of going through the server's matching. Cases started before
# (on WORKFLOW_TASK_QUEUE) finish there: the workflow worker still serves RecognitionCase.
CASE_TASK_QUEUE = EVALUATION_TASK_QUEUE


def recognition_workflow_id(year: int, title: str, subject_id: str) -> str:
    """One recognition case per (year, title, subject): a double submit never opens two cases."""
    return f"recognition/{year}/{title}/{subject_id}"


def annual_report_workflow_id(plan_code: str, year: int, unit_code: str) -> str:
    """One annual report per (plan, year, reporting unit): starting it twice never opens two."""
    return f"annual-report/{plan_code}/{year}/{unit_code}"


def yearly_round_workflow_id(admin_unit_code: str, year: int, plan_code: str) -> str:
    """One yearly round per (commune, year, plan): opening it twice starts nothing new."""
    return f"yearly-round/{admin_unit_code}/{year}/{plan_code}"


def nomination_round_workflow_id(round_id: str) -> str:
    """One NominationRound per award round."""
    return f"nomination-round/{round_id}"
