"""The HTTP user directory client: the request it sends, its cache, its retries, and which failures wait
(a fake requests session; no network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from services.notifications.adapters.recipients import HttpRecipientResolver, UnitGroupResolver
from services.notifications.domain.errors import RecipientLookupRejected, RecipientsUnavailable
from services.notifications.domain.model import Recipient

LAN = {
    "username": "lan",
    "full_name": "Nguyễn Thị Lan",
    "email": "lan@example.vn",
    "role": "village_officer",
    "scope_code": "26734",
}


class _Response:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code, self._body, self.text = status, body, str(body)

    def json(self) -> Any:
        return self._body


@dataclass
class _Session:
    answers: list[Any]
    calls: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)

    def get(self, url: str, *, params: dict[str, Any], headers: dict[str, str], timeout: float) -> _Response:
        self.calls.append((url, params, headers))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _resolver(session: _Session, clock: _Clock | None = None) -> HttpRecipientResolver:
    return HttpRecipientResolver(
        "http://evaluation:8001/",
        token=lambda: "svc-token",
        ttl=60,
        wait=0,
        session=session,
        clock=clock or _Clock(),
    )  # type: ignore[arg-type]


def test_it_asks_by_role_and_covered_unit_with_the_service_token() -> None:
    session = _Session([_Response(200, {"items": [LAN], "total": 1})])
    assert _resolver(session).resolve("village_officer", "26734") == [
        Recipient("lan", "Nguyễn Thị Lan", "lan@example.vn", "village_officer", "26734")
    ]
    url, params, headers = session.calls[0]
    assert url == "http://evaluation:8001/users"
    assert params == {"role": "village_officer", "covering": "26734"}
    assert headers["Authorization"] == "Bearer svc-token"


def test_answers_are_cached_briefly_per_role_and_unit() -> None:
    session, clock = _Session([_Response(200, {"items": [LAN], "total": 1})]), _Clock()
    resolver = _resolver(session, clock)
    resolver.resolve("village_officer", "26734")
    resolver.resolve("village_officer", "26734")
    resolver.resolve("village_officer", "26735")
    assert len(session.calls) == 2
    clock.now = 61
    resolver.resolve("village_officer", "26734")
    assert len(session.calls) == 3


def test_a_paged_answer_is_read_to_the_end() -> None:
    second = dict(LAN, username="minh")
    session = _Session(
        [_Response(200, {"items": [LAN], "total": 2}), _Response(200, {"items": [second], "total": 2})]
    )
    assert [r.username for r in _resolver(session).resolve("village_officer", "26734")] == ["lan", "minh"]
    assert session.calls[1][1] == {"role": "village_officer", "covering": "26734", "limit": 200, "offset": 1}


def test_a_server_error_is_retried_then_answered() -> None:
    session = _Session([_Response(503, {}), _Response(200, {"items": [], "total": 0})])
    assert _resolver(session).resolve("village_officer", "26734") == []
    assert len(session.calls) == 2


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectionError("refused"),
        _Response(500, {}),
        _Response(401, {}),
        _Response(404, {}),
        _Response(200, "<html>"),
    ],
)
def test_an_unreachable_or_misconfigured_directory_means_wait_not_poison(failure: Any) -> None:
    session = _Session([failure])
    with pytest.raises(RecipientsUnavailable) as waited:
        _resolver(session).resolve("village_officer", "26734")
    assert waited.value.status == 503 and len(session.calls) == 3


def test_a_refused_question_is_final_and_not_retried() -> None:
    session = _Session([_Response(422, {"errors": {"covering": ["unknown unit"]}})])
    with pytest.raises(RecipientLookupRejected):
        _resolver(session).resolve("village_officer", "99999")
    assert len(session.calls) == 1


def test_without_a_directory_each_unit_is_one_group_recipient() -> None:
    assert UnitGroupResolver().resolve("village_officer", "26734") == [
        Recipient("unit:26734", role="village_officer", scope_code="26734")
    ]


def test_an_account_is_asked_for_by_its_username_every_time() -> None:
    locked = {**LAN, "active": False}
    session = _Session([_Response(200, {"items": [locked], "total": 1})])
    resolver = _resolver(session)
    owner = Recipient("lan", "Nguyễn Thị Lan", "lan@example.vn", "village_officer", "26734")
    assert resolver.account("lan") == owner
    assert resolver.account("lan") == owner  # not cached: it follows a change to that very account
    assert [params for _, params, _ in session.calls] == [{"username": "lan"}, {"username": "lan"}]


def test_an_unknown_account_is_none() -> None:
    session = _Session([_Response(200, {"items": [], "total": 0})])
    assert _resolver(session).account("nobody") is None


def test_an_account_lookup_waits_out_an_outage_like_the_others() -> None:
    session = _Session([requests.ConnectionError("refused")])
    with pytest.raises(RecipientsUnavailable):
        _resolver(session).account("lan")
    assert len(session.calls) == 3


def test_without_a_directory_an_account_is_its_own_inbox() -> None:
    assert UnitGroupResolver().account("lan") == Recipient("lan")
