"""The evaluation client's handling of answers: pages, 404, retries on 5xx, misconfiguration (a fake
session; the real evaluation app answers it in tests/workflow/nomination_round)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from common.errors import DependencyUnavailable, NotFound
from services.awards.adapters.evaluation_client import EvaluationClient
from services.awards.domain.eligibility import Recognition


class _Response:
    def __init__(self, status: int, body: Any = None) -> None:
        self.status_code, self._body, self.text = status, body, str(body)

    def json(self) -> Any:
        return self._body


class _Session:
    def __init__(self, *answers: Any) -> None:
        self.answers, self.calls = list(answers), []

    def get(self, url: str, *, params: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
        self.calls.append((url, dict(params), headers["Authorization"]))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _client(session: _Session) -> EvaluationClient:
    return EvaluationClient("http://ev/", token=lambda: "tok", wait=0, session=session)  # type: ignore[arg-type]


def _item(year: int, revoked: bool = False) -> dict[str, Any]:
    return {"subject_id": "S", "title": "learning_family", "year": year, "revoked": revoked}


def test_recognitions_are_read_page_by_page_with_the_service_token() -> None:
    session = _Session(
        _Response(200, {"items": [_item(2024)], "total": 2}),
        _Response(200, {"items": [_item(2025, True)], "total": 2}),
    )
    assert _client(session).recognitions("S") == [
        Recognition("learning_family", 2024),
        Recognition("learning_family", 2025, True),
    ]
    assert [c[1]["page"] for c in session.calls] == [1, 2]
    assert session.calls[0][0] == "http://ev/recognitions" and session.calls[0][2] == "Bearer tok"


def test_a_missing_plan_is_not_found_and_a_flaky_service_is_asked_again() -> None:
    with pytest.raises(NotFound):
        _client(_Session(_Response(404))).plan("x")
    session = _Session(
        requests.ConnectionError("down"), _Response(502), _Response(200, {"plan": {"code": "p"}})
    )
    assert _client(session).plan("p") == {"code": "p"}


def test_a_service_that_stays_down_or_refuses_the_token_is_unavailable() -> None:
    with pytest.raises(DependencyUnavailable):
        _client(_Session(*[_Response(500)] * 3)).recognitions("S")
    with pytest.raises(DependencyUnavailable):
        _client(_Session(_Response(401))).admin_unit("15664")
    with pytest.raises(
        DependencyUnavailable
    ):  # /recognitions missing is a deployment problem, not "no history"
        _client(_Session(_Response(404))).recognitions("S")
