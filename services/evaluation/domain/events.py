"""Evaluation domain events: routing keys (past tense) and builders (pure Python)."""

from __future__ import annotations

from common.events import Event

SOURCE = "evaluation"
CASE_OPENED = "case.opened"
CASE_WITHDRAWN = "case.withdrawn"
CASE_ASSIGNED = "case.assigned"  # a supervisor handed a case to someone (told to that person)
EVIDENCE_UPLOADED = "evidence.uploaded"
CASE_VILLAGE_CHANGED = "case.village_changed"  # its subject moved: the new village's staff are told


def case_event(event_type: str, **payload: object) -> Event:
    """An event about a case, from this service."""
    return Event(type=event_type, payload=dict(payload), source=SOURCE)
