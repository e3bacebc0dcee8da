"""The webhook SSRF guard end to end: registration through the API (422 on `url`) with a fixed DNS, and
delivery by the real HTTP poster to a real server on loopback (refused before connecting unless the
allow-list names loopback)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from common.auth import ADMINISTRATOR, NATIONAL_SCOPE_PATH, Principal
from services.notifications.adapters.url_guard import UnsafeWebhookUrl, WebhookUrlGuard
from services.notifications.adapters.webhook_poster import HttpWebhookPoster
from services.notifications.app import create_app
from services.notifications.config import Settings
from services.notifications.domain.errors import SendFailed
from tests.service.notifications.clients import client_for, fake_dns

ADMIN = Principal("u-admin", "root", ADMINISTRATOR, None, NATIONAL_SCOPE_PATH)


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return client_for(app, ADMIN)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://localhost:8080/hook", "loopback"),
        ("http://127.0.0.1/hook", "loopback"),
        ("http://[::1]:9000/hook", "loopback"),
        ("http://intranet.example/hook", "private"),
        ("https://10.0.0.7/hook", "private"),
        ("http://metadata.example/latest/meta-data", "metadata"),
        ("http://169.254.169.254/latest/meta-data", "metadata"),
        ("http://mixed.example/hook", "192.168.1.10"),  # one internal address is enough
        ("http://mapped.example/hook", "loopback"),
        ("http://0.0.0.0:80/hook", "not a public"),
        ("http://nowhere.invalid/hook", "does not resolve"),
        ("http://hooks.example:99999/hook", "malformed"),
    ],
)
def test_registering_an_internal_or_unresolvable_url_is_422_on_url(
    api: FlaskClient, url: str, reason: str
) -> None:
    response = api.put("/webhooks/unit/26734", json={"url": url}, headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert reason in body["errors"]["url"][0] and body["message"].startswith("The webhook URL is not allowed")
    assert body["errors"]["url"][0].startswith("Not allowed: ")
    vietnamese = api.put("/webhooks/unit/26734", json={"url": url}).get_json()["errors"]["url"][0]
    assert vietnamese.startswith("Không được phép: máy chủ trỏ vào mạng nội bộ hoặc không phân giải được (")
    assert api.get("/webhooks").get_json() == []  # nothing stored


def test_a_public_url_is_registered(api: FlaskClient) -> None:
    response = api.put("/webhooks/unit/26734", json={"url": "https://hooks.example/hook"})
    assert response.status_code == 200 and response.get_json()["url"] == "https://hooks.example/hook"


def test_the_allow_list_setting_permits_loopback_and_only_it(engine: Engine) -> None:
    settings = Settings(database_url=str(engine.url), webhook_allow_networks=("127.0.0.0/8", "::1"))
    app = create_app(settings)
    built = app.extensions["notifications"].url_guard
    assert [str(n) for n in built.allowed] == ["127.0.0.0/8", "::1/128"]  # the setting reaches the app
    app.extensions["notifications"].url_guard = WebhookUrlGuard(
        settings.webhook_allow_networks, resolve=fake_dns
    )
    api = client_for(app, ADMIN)
    assert api.put("/webhooks/unit/26734", json={"url": "http://localhost:8080/hook"}).status_code == 200
    assert api.put("/webhooks/user/lan", json={"url": "http://intranet.example/hook"}).status_code == 422


def test_the_allow_list_is_read_from_the_environment() -> None:
    env = {"NOTIFICATIONS_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8, ::1,"}
    assert Settings.from_env(env).webhook_allow_networks == ("127.0.0.0/8", "::1")
    assert Settings.from_env({}).webhook_allow_networks == ()


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Handler.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Handler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_delivery_to_loopback_is_refused_before_connecting(receiver: str) -> None:
    poster = HttpWebhookPoster(timeout=2)  # the default guard: public addresses only
    with pytest.raises(SendFailed) as refused:
        poster.post(f"{receiver}/hook", b"{}", {})
    assert refused.value.permanent and "loopback" in str(refused.value)
    assert _Handler.hits == []  # no request reached the server


def test_delivery_to_an_allow_listed_loopback_receiver_goes_through(receiver: str) -> None:
    poster = HttpWebhookPoster(timeout=2, guard=WebhookUrlGuard(["127.0.0.1/32"]))
    poster.post(f"{receiver}/hook", b"{}", {})
    assert _Handler.hits == ["/hook"]


def test_a_name_that_now_resolves_inside_is_refused_at_delivery() -> None:
    answers = {"rebind.example": ["93.184.215.14"]}
    guard = WebhookUrlGuard(resolve=lambda host, port: answers[host])
    guard.check("https://rebind.example/hook")  # registration: public
    answers["rebind.example"] = ["127.0.0.1"]  # DNS rebinding
    with pytest.raises(UnsafeWebhookUrl):
        guard.check("https://rebind.example/hook")
    poster = HttpWebhookPoster(timeout=2, guard=guard)
    with pytest.raises(SendFailed) as refused:
        poster.post("https://rebind.example/hook", b"{}", {})
    assert refused.value.permanent
