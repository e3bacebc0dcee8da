"""Evaluation domain model: cases and evidence (pure Python)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

TITLES = (
    "learning_family",
    "learning_clan",
    "learning_community_village",
    "learning_unit",
    "learning_citizen",
    "learning_community_commune",
)

# uuid5 namespace: a case id is derived from its workflow id, so the API can answer a submit with the
# id before the workflow's activity has written the case.
CASE_ID_NAMESPACE = uuid.UUID("5b0e7f7e-2f43-4b53-9a59-7b0d2c1f6a10")


VERDICTS = ("accepted", "rejected", "more_info_needed")


def case_id_for(workflow_id: str) -> str:
    """The stable case id of a workflow id."""
    return str(uuid.uuid5(CASE_ID_NAMESPACE, workflow_id))


@dataclass(frozen=True)
class Case:
    """The read model of one recognition case."""

    id: str
    workflow_id: str
    run_id: str
    year: int
    title: str
    subject_id: str
    admin_unit_code: str
    status: str
    version: int
    opened_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Evidence:
    """One evidence file; the bytes live in object storage, the digest here."""

    id: str
    case_id: str
    indicator_code: str | None
    file_name: str
    content_type: str
    size: int
    sha256: str
    object_key: str
    uploaded_by: str
    created_at: datetime
    verdict: str | None = None  # accepted | rejected | more_info_needed
    verdict_reason: str | None = None
    verdict_by: str | None = None
    verdict_at: datetime | None = None
