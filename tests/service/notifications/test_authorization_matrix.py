"""The authorization matrix of the notifications API: every endpoint (read from the Flask url_map, so a
new endpoint without a row here fails) x every role. Inbox and preferences belong to the caller (any
role, their own only: another user's inbox or preferences is 403, another user's inbox item 404);
webhooks, deliveries and dead letters are for administrators (403 for every other role). Without a
token: 401 everywhere except the public endpoints; a token signed with another key is 401 too."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from common.auth import ADMINISTRATOR, NATIONAL_SCOPE_PATH, ROLES, Principal, issue_token
from common.events import Event
from common.web_auth import is_public
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.domain.model import InboxItem, Recipient
from services.notifications.service import dead_letters, notices
from tests.service.notifications.clients import UNIT, client_for
from tests.unit.notifications.fakes import FakeResolver

PUBLIC = {"static", "api-docs.openapi_json", "health.Health"}
NOW = datetime(2026, 11, 24, tzinfo=UTC)
OWN, ADMIN = "own", "administrators"


def principal_for(role: str, username: str | None = None) -> Principal:
    """A caller of `role`: administrators national, everyone else over the commune UNIT."""
    name = username or f"{role.replace('_', '-')}-1"
    if role == ADMINISTRATOR:
        return Principal(f"u-{name}", name, role, None, NATIONAL_SCOPE_PATH)
    return Principal(f"u-{name}", name, role, UNIT, f"79/{UNIT}")


@dataclass
class World:
    """What the requests refer to: an inbox item of the caller, a delivery, a dead letter, a webhook."""

    item_id: str
    delivery_id: str
    dead_letter_id: int


def _item(engine: Engine, recipient: str) -> str:
    item = InboxItem(
        id=str(uuid.uuid4()),
        event_id=str(uuid.uuid4()),
        recipient=recipient,
        event_type="case.submitted",
        subject_vi="Hồ sơ mới",
        subject_en="New case",
        case_id=None,
        created_at=NOW,
    )
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.inbox.add(item)
        uow.commit()
    return item.id


def build_world(engine: Engine, admin: FlaskClient, caller: Principal) -> World:
    event = Event(type="case.submitted", source="e", payload={"admin_unit_code": UNIT, "case_id": "c1"})
    lan = Recipient("lan", "", "lan@example.vn", "village_officer", UNIT)
    notices.handle_event(
        SqlUnitOfWork(engine), event=event, resolver=FakeResolver(users=[lan]), email_enabled=True, now=NOW
    )
    dead_letters.record_dead_letter(
        SqlUnitOfWork(engine),
        message_id="e-1",
        routing_key="case.submitted",
        body=json.dumps({"type": "case.submitted", "id": "e-1"}),
        error="KeyError('payload')",
        attempts=5,
        now=NOW,
    )
    assert admin.put(f"/webhooks/unit/{UNIT}", json={"url": "http://hooks.example/xa"}).status_code == 200
    [delivery] = admin.get("/deliveries").get_json()
    [letter] = admin.get("/dead-letters").get_json()
    return World(_item(engine, caller.username), delivery["id"], letter["id"])


Request = tuple[str, str, dict[str, Any]]
Build = Callable[[World, Principal], Request]


def _get(path: str, **query: str) -> Build:
    return lambda w, p: ("GET", path.format(w=w, p=p), {"query_string": query})


def _send(method: str, path: str, body: Any = None) -> Build:
    return lambda w, p: (method, path.format(w=w, p=p), {} if body is None else {"json": body})


POLICY: dict[tuple[str, str], tuple[str, Build]] = {
    ("inbox.Inbox", "GET"): (OWN, _get("/inbox")),
    ("inbox.InboxItemRead", "POST"): (OWN, _send("POST", "/inbox/{w.item_id}/read")),
    ("inbox.InboxReadAll", "POST"): (OWN, _send("POST", "/inbox/read-all", {})),
    ("preferences.PreferencesByUser", "GET"): (OWN, _get("/preferences/{p.username}")),
    ("preferences.PreferencesByUser", "PUT"): (
        OWN,
        _send("PUT", "/preferences/{p.username}", {"language": "en"}),
    ),
    ("webhooks.Webhooks", "GET"): (ADMIN, _get("/webhooks")),
    ("webhooks.WebhookByOwner", "GET"): (ADMIN, _get(f"/webhooks/unit/{UNIT}")),
    ("webhooks.WebhookByOwner", "PUT"): (
        ADMIN,
        _send("PUT", "/webhooks/user/{p.username}", {"url": "https://hooks.example/me"}),
    ),
    ("webhooks.WebhookByOwner", "DELETE"): (ADMIN, _send("DELETE", f"/webhooks/unit/{UNIT}")),
    ("webhooks.Deliveries", "GET"): (ADMIN, _get("/deliveries")),
    ("webhooks.DeliveryRetry", "POST"): (ADMIN, _send("POST", "/deliveries/{w.delivery_id}/retry")),
    ("dead_letters.DeadLetters", "GET"): (ADMIN, _get("/dead-letters")),
    ("dead_letters.DeadLetterReplay", "POST"): (
        ADMIN,
        _send("POST", "/dead-letters/{w.dead_letter_id}/replay"),
    ),
}


def _endpoints(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_endpoint_has_a_row_and_only_the_public_ones_go_without(app: Flask) -> None:
    endpoints = _endpoints(app)
    public = {(endpoint, method) for endpoint, method in endpoints if is_public(app, endpoint)}
    assert {endpoint for endpoint, _ in public} == PUBLIC
    assert endpoints - public == set(POLICY), "give every new endpoint a row in POLICY"


def _call(client: FlaskClient, request: Request) -> Any:
    method, path, kwargs = request
    return client.open(path, method=method, **kwargs)


@pytest.mark.parametrize("key", sorted(POLICY), ids="{0[0]} {0[1]}".format)
def test_without_a_token_or_with_a_forged_one_every_endpoint_is_401(
    app: Flask,
    engine: Engine,
    key: tuple[str, str],
) -> None:
    admin = principal_for(ADMINISTRATOR)
    world = build_world(engine, client_for(app, admin), admin)
    request = POLICY[key][1](world, admin)
    response = _call(app.test_client(), request)
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"
    forged = app.test_client()
    token = issue_token(admin, secret_key="another-secret-of-enough-length-0123456789").token
    forged.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert _call(forged, request).status_code == 401


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(POLICY), ids="{0[0]} {0[1]}".format)
def test_the_matrix(app: Flask, engine: Engine, key: tuple[str, str], role: str) -> None:
    kind, build = POLICY[key]
    caller = principal_for(role)
    world = build_world(engine, client_for(app, principal_for(ADMINISTRATOR, "root")), caller)
    response = _call(client_for(app, caller), build(world, caller))
    if kind == OWN or role == ADMINISTRATOR:
        assert 200 <= response.status_code < 300, (response.status_code, response.get_json())
    else:
        assert response.status_code == 403, (response.status_code, response.get_json())
        assert response.get_json()["code"] == "forbidden"


OTHERS: dict[str, tuple[Build, int]] = {
    "read another user's inbox": (_get("/inbox", recipient="lan"), 403),
    "read another unit's group inbox": (_get("/inbox", recipient="unit:01001"), 403),
    "mark all of another user's inbox read": (_send("POST", "/inbox/read-all", {"recipient": "lan"}), 403),
    "mark another user's item read": (_send("POST", "/inbox/{w.item_id}/read"), 404),
    "read another user's preferences": (_get("/preferences/lan"), 403),
    "set another user's preferences": (_send("PUT", "/preferences/lan", {"language": "en"}), 403),
}


@pytest.mark.parametrize("role", [ADMINISTRATOR, "village_officer", "household_representative"])
@pytest.mark.parametrize("case", sorted(OTHERS))
def test_nobody_uses_another_users_inbox_or_preferences(
    app: Flask,
    engine: Engine,
    case: str,
    role: str,
) -> None:
    lan = principal_for("village_officer", "lan")
    world = build_world(engine, client_for(app, principal_for(ADMINISTRATOR, "root")), lan)  # lan's item
    build, status = OTHERS[case]
    caller = principal_for(role, "mai")
    response = _call(client_for(app, caller), build(world, caller))
    assert response.status_code == status, response.get_json()
    lan_client = client_for(app, lan)
    assert lan_client.get("/inbox").get_json()["unread"] == 2  # lan's items are untouched
    assert lan_client.get("/preferences/lan").get_json()["language"] == "vi"


def test_an_officer_reads_and_marks_the_group_inbox_of_their_own_unit(app: Flask, engine: Engine) -> None:
    officer = principal_for("village_officer", "lan")
    _item(engine, f"unit:{UNIT}")
    client = client_for(app, officer)
    page = client.get("/inbox", query_string={"recipient": f"unit:{UNIT}"}).get_json()
    assert page["unread"] == 1
    assert client.post(f"/inbox/{page['items'][0]['id']}/read").status_code == 200
    assert client.post("/inbox/read-all", json={"recipient": f"unit:{UNIT}"}).get_json() == {"marked": 0}
