"""Stored plan versions are parsed once per process (versions are immutable); the worker's cache size
comes from the environment."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from services.evaluation.adapters.plan_repository import StoredPlan
from services.evaluation.documents.plans import PLANS_DIR, load_plan
from services.evaluation.service.plans import parsed_plan
from workflows.worker import DEFAULT_MAX_CACHED_WORKFLOWS, max_cached_workflows


def _stored(document: str, version: int = 1) -> StoredPlan:
    return StoredPlan(
        code="hcm",
        version=version,
        name_vi="Kế hoạch",
        document=document,
        sha256=hashlib.sha256(document.encode()).hexdigest(),
        status="active",
        uploaded_by="test",
        uploaded_at=datetime.now(UTC),
        activated_at=None,
    )


def test_a_stored_version_is_parsed_once_and_equals_a_fresh_parse() -> None:
    document = (PLANS_DIR / "ho-chi-minh-city-2023.yaml").read_text(encoding="utf-8")
    first = parsed_plan(_stored(document))
    assert parsed_plan(_stored(document)) is first
    assert first == load_plan(document)


def test_another_document_or_version_is_parsed_on_its_own() -> None:
    hcm = (PLANS_DIR / "ho-chi-minh-city-2023.yaml").read_text(encoding="utf-8")
    other = (PLANS_DIR / "trieu-son-2023.yaml").read_text(encoding="utf-8")
    assert parsed_plan(_stored(other)) == load_plan(other) != parsed_plan(_stored(hcm))
    assert parsed_plan(_stored(hcm, version=2)) is not parsed_plan(_stored(hcm, version=1))


def test_max_cached_workflows_comes_from_the_environment() -> None:
    assert max_cached_workflows({}) == DEFAULT_MAX_CACHED_WORKFLOWS == 500
    assert max_cached_workflows({"WORKFLOW_MAX_CACHED_WORKFLOWS": "200"}) == 200
    for bad in ("0", "-3", "many"):
        with pytest.raises(ValueError):
            max_cached_workflows({"WORKFLOW_MAX_CACHED_WORKFLOWS": bad})
