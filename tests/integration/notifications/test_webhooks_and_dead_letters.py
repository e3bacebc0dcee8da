"""Webhooks to a real HTTP receiver (signature verifiable, retried after a 500) and the dead-letter path
(poison -> dead letter -> replay through the API and the real broker)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from flask.testing import FlaskClient
from kombu import Producer
from sqlalchemy import Engine

from common import events as ev
from common.auth import ADMINISTRATOR, NATIONAL_SCOPE_PATH, Principal, issue_token
from services.notifications.adapters import tables as nt
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.app import create_app
from services.notifications.config import Settings
from services.notifications.domain.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify
from services.notifications.service import dead_letters, dispatch, inbox
from tests.conftest import assert_eventually
from tests.integration.notifications.conftest import (
    COMMUNE,
    Directory,
    HttpServer,
    SmtpServer,
    count,
    publish,
    running_consumer,
    submitted,
)

pytestmark = pytest.mark.integration


@dataclass
class Receiver:
    """A subscriber's endpoint: answers the queued statuses first, then 200; keeps every request."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> tuple[int, Any]:
        body = request.rfile.read(int(request.headers.get("Content-Length", "0")))
        self.requests.append((request.path, dict(request.headers.items()), body))
        return (self.statuses.pop(0) if self.statuses else 200), {"ok": True}


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, HttpServer]]:
    r = Receiver()
    server = HttpServer(r.handle)
    server.start()
    try:
        yield r, server
    finally:
        server.stop()


@pytest.fixture
def api(settings: Settings) -> FlaskClient:
    """An administrator's client (webhooks and dead letters are for administrators)."""
    client = create_app(settings).test_client()
    admin = Principal("u-admin", "root", ADMINISTRATOR, None, NATIONAL_SCOPE_PATH)
    token = issue_token(admin, secret_key=settings.common.secret_key).token
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


async def test_webhooks_are_signed_verifiably_and_retried_after_a_500(
    settings: Settings, api: FlaskClient, receiver: tuple[Receiver, HttpServer], uow: SqlUnitOfWork
) -> None:
    r, server = receiver
    user_hook = api.put("/webhooks/user/lan", json={"url": f"{server.url}/hooks/lan"}).get_json()
    unit_hook = api.put(f"/webhooks/unit/{COMMUNE}", json={"url": f"{server.url}/hooks/xa"}).get_json()
    r.statuses = [500]  # the first request fails
    event = submitted()
    publish(settings.common.broker_url, event, times=2)
    with running_consumer(settings):
        await assert_eventually(lambda: _sent(uow, 2))
        await asyncio.sleep(0.5)
    by_path: dict[str, list[tuple[dict[str, str], bytes]]] = {}
    for path, headers, body in r.requests:
        by_path.setdefault(path, []).append((headers, body))
    assert sorted(len(v) for v in by_path.values()) == [1, 2]  # one retried after the 500, none doubled
    secrets = {"/hooks/lan": user_hook["secret"], "/hooks/xa": unit_hook["secret"]}
    for path, requests in by_path.items():
        for headers, body in requests:
            assert verify(secrets[path], body, headers[SIGNATURE_HEADER])  # what the receiver checks
            assert not verify("wrong-secret", body, headers[SIGNATURE_HEADER])
            assert headers[EVENT_HEADER] == "case.submitted"
            document = json.loads(body)
            assert document["event"]["id"] == event.id and document["delivery_id"] == headers[DELIVERY_HEADER]
        assert len({h[DELIVERY_HEADER] for h, _ in requests}) == 1  # a retry carries the same delivery id
    attempts = sorted(d.attempts for d in dispatch.list_deliveries(uow, channel="webhook"))
    assert attempts == sorted(len(v) for v in by_path.values())  # each HTTP try is counted


def _sent(uow: SqlUnitOfWork, n: int) -> None:
    assert len(dispatch.list_deliveries(uow, channel="webhook", status="sent")) == n


async def test_a_poison_message_is_dead_lettered_then_replayed_once_fixed(
    settings: Settings,
    api: FlaskClient,
    directory: tuple[Directory, HttpServer],
    smtp_server: SmtpServer,
    engine: Engine,
    uow: SqlUnitOfWork,
) -> None:
    d, _ = directory
    d.reject = {COMMUNE}  # the directory refuses the question: poison, not an outage
    event = submitted()
    publish(settings.common.broker_url, event)
    with ev.broker_connection(settings.common.broker_url) as conn:
        Producer(conn.channel(), exchange=ev.exchange(), serializer="json").publish(
            {"not": "an event"}, routing_key="case.opened", message_id="poison-1", declare=ev.queues()
        )
    with running_consumer(settings):
        await assert_eventually(lambda: _dead(uow, 2))
        letters = {letter.message_id: letter for letter in dead_letters.list_dead_letters(uow)}
        assert letters[event.id].attempts == 3 and "RecipientLookupRejected" in letters[event.id].error
        assert "KeyError" in letters["poison-1"].error and count(engine, nt.inbox_items) == 0

        d.reject = set()  # fixed in the owning service
        listed = api.get("/dead-letters", query_string={"replayed": "false"}).get_json()
        assert {x["message_id"] for x in listed} == {event.id, "poison-1"}
        for letter in listed:
            assert api.post(f"/dead-letters/{letter['id']}/replay").status_code == 200
        assert api.post(f"/dead-letters/{listed[0]['id']}/replay").status_code == 409

        await assert_eventually(lambda: _items(uow, ["lan", "minh"]))
        await assert_eventually(lambda: _dead(uow, 3))  # the malformed one fails again, as a new letter
    assert [m["To"] for m in sorted(smtp_server.received, key=lambda m: str(m["To"]))] == [
        "lan@xa.example.vn",
        "minh@xa.example.vn",
    ]
    waiting = dead_letters.list_dead_letters(uow, replayed=False)
    assert [x.message_id for x in waiting] == ["poison-1"]


def _dead(uow: SqlUnitOfWork, n: int) -> None:
    assert len(dead_letters.list_dead_letters(uow)) == n


def _items(uow: SqlUnitOfWork, users: list[str]) -> None:
    for user in users:
        assert len(inbox.list_inbox(uow, recipient=user)) == 1
