"""The notifications HTTP API with the Flask test client on SQLite: inbox reading and marking,
preferences, webhooks, deliveries, dead letters and their replay (a fake publisher)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from common.auth import ADMINISTRATOR, NATIONAL_SCOPE_PATH, VILLAGE_OFFICER, Principal
from common.events import Event
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.domain.model import Recipient
from services.notifications.service import dead_letters, notices
from tests.service.notifications.clients import UNIT, client_for
from tests.unit.notifications.fakes import FakePublisher, FakeResolver

NOW = datetime(2026, 11, 24, tzinfo=UTC)


ADMIN = Principal("u-admin", "root", ADMINISTRATOR, None, NATIONAL_SCOPE_PATH)
LAN = Principal("u-lan", "lan", VILLAGE_OFFICER, UNIT, f"79/{UNIT}")


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    """An administrator's client."""
    return client_for(app, ADMIN)


@pytest.fixture
def lan_api(app: Flask) -> FlaskClient:
    """The village officer lan's client."""
    return client_for(app, LAN)


def _notify(engine: Engine, n: int = 2) -> None:
    users = [Recipient("lan", "", "lan@example.vn", "village_officer", UNIT)]
    for i in range(n):
        event = Event(
            type="case.submitted", source="e", payload={"admin_unit_code": UNIT, "case_id": f"c{i}"}
        )
        notices.handle_event(
            SqlUnitOfWork(engine),
            event=event,
            resolver=FakeResolver(users=users),
            email_enabled=True,
            now=NOW,
        )


def test_an_inbox_is_read_and_marked_read_one_by_one_or_all(lan_api: FlaskClient, engine: Engine) -> None:
    _notify(engine, 3)
    page = lan_api.get("/inbox", query_string={"recipient": "lan"}).get_json()
    assert page["unread"] == 3 and len(page["items"]) == 3
    first = page["items"][0]["id"]
    marked = lan_api.post(f"/inbox/{first}/read")
    assert marked.status_code == 200 and marked.get_json()["read_at"] is not None
    assert lan_api.post(f"/inbox/{first}/read").get_json()["read_at"] == marked.get_json()["read_at"]
    unread = lan_api.get("/inbox", query_string={"recipient": "lan", "unread_only": "true"}).get_json()
    assert unread["unread"] == 2 and first not in [i["id"] for i in unread["items"]]
    assert lan_api.post("/inbox/read-all", json={"recipient": "lan"}).get_json() == {"marked": 2}
    assert lan_api.get("/inbox", query_string={"recipient": "lan"}).get_json()["unread"] == 0


def test_marking_an_unknown_item_is_404_in_the_envelope(lan_api: FlaskClient) -> None:
    response = lan_api.post("/inbox/nope/read", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response.get_json()["message"] == "Inbox item nope not found."


def test_preferences_default_then_replaced(lan_api: FlaskClient) -> None:
    default = lan_api.get("/preferences/lan").get_json()
    assert default["language"] == "vi" and default["digest"] is False
    assert default["channels"]["deadlines"] == {"inbox": True, "email": True, "webhook": True}
    body = {"language": "en", "digest": True, "channels": {"deadlines": {"email": False}}}
    stored = lan_api.put("/preferences/lan", json=body).get_json()
    assert stored["channels"]["deadlines"]["email"] is False and stored["channels"]["cases"]["email"] is True
    assert lan_api.get("/preferences/lan").get_json() == stored


@pytest.mark.parametrize(
    "body",
    [
        {"language": "fr"},
        {"channels": {"gossip": {}}},
        {"channels": {"cases": {"sms": True}}},
        {"colour": "red"},
    ],
)
def test_invalid_preferences_are_422(lan_api: FlaskClient, body: dict[str, Any]) -> None:
    assert lan_api.put("/preferences/lan", json=body).status_code == 422


def test_a_webhook_is_set_with_a_fresh_secret_listed_without_it_and_removed(api: FlaskClient) -> None:
    first = api.put("/webhooks/unit/26734", json={"url": "http://hooks.example/xa"}).get_json()
    second = api.put("/webhooks/unit/26734", json={"url": "http://hooks.example/xa2"}).get_json()
    assert first["id"] == second["id"] and first["secret"] != second["secret"] and len(second["secret"]) == 64
    listed = api.get("/webhooks").get_json()
    assert [(w["owner"], w["url"]) for w in listed] == [("26734", "http://hooks.example/xa2")]
    assert "secret" not in listed[0] and "secret" not in api.get("/webhooks/unit/26734").get_json()
    assert api.put("/webhooks/user/lan", json={"url": "ftp://x"}).status_code == 422
    assert api.delete("/webhooks/unit/26734").status_code == 204
    assert api.get("/webhooks/unit/26734").status_code == 404


def test_deliveries_are_listed_with_their_status(api: FlaskClient, engine: Engine) -> None:
    _notify(engine, 2)
    rows = api.get("/deliveries", query_string={"recipient": "lan", "channel": "email"}).get_json()
    assert [(r["status"], r["attempts"], r["target"]) for r in rows] == [("pending", 0, "lan@example.vn")] * 2
    assert api.post(f"/deliveries/{rows[0]['id']}/retry").get_json()["status"] == "pending"
    assert api.post("/deliveries/nope/retry").status_code == 404


def test_a_dead_letter_is_replayed_once(api: FlaskClient, engine: Engine, publisher: FakePublisher) -> None:
    body = {"type": "case.submitted", "id": "e-1"}
    dead_letters.record_dead_letter(
        SqlUnitOfWork(engine),
        message_id="e-1",
        routing_key="case.submitted",
        body=json.dumps(body),
        error="KeyError('payload')",
        attempts=5,
        now=NOW,
    )
    [letter] = api.get("/dead-letters", query_string={"replayed": "false"}).get_json()
    replayed = api.post(f"/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200 and replayed.get_json()["replayed_at"] is not None
    assert publisher.published == [(body, "case.submitted", "e-1")]
    assert api.post(f"/dead-letters/{letter['id']}/replay").status_code == 409
    assert api.get("/dead-letters", query_string={"replayed": "false"}).get_json() == []
    assert api.post("/dead-letters/999/replay").status_code == 404


def test_a_replay_with_the_broker_down_is_503_and_marks_nothing(
    api: FlaskClient, engine: Engine, publisher: FakePublisher
) -> None:
    dead_letters.record_dead_letter(
        SqlUnitOfWork(engine),
        message_id=None,
        routing_key=None,
        body='{"x": 1}',
        error="e",
        attempts=5,
        now=NOW,
    )
    publisher.down = True
    [letter] = api.get("/dead-letters").get_json()
    assert api.post(f"/dead-letters/{letter['id']}/replay").status_code == 503
    assert api.get("/dead-letters").get_json()[0]["replayed_at"] is None
    publisher.down = False
    assert api.post(f"/dead-letters/{letter['id']}/replay").status_code == 200
    assert publisher.published == [({"x": 1}, "unknown", None)]
