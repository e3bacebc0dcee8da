"""Schemathesis against every service's OpenAPI document: whatever the fuzzer sends, no 5xx, and every
response (status, content type, body) is one the document describes. Bounded examples per operation so
the whole file runs in seconds; `pytest -m fuzz` runs only these, FUZZ_EXAMPLES raises the bound."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.timeout(300)]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

evaluation = schemathesis.pytest.from_fixture("evaluation_schema")
awards = schemathesis.pytest.from_fixture("awards_schema")
notifications = schemathesis.pytest.from_fixture("notifications_schema")


@evaluation.parametrize()
@FUZZ
def test_evaluation(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


@awards.parametrize()
@FUZZ
def test_awards(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)


@notifications.parametrize()
@FUZZ
def test_notifications(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, checks=CHECKS)
