"""Real servers for the notifications channels: an SMTP server (aiosmtpd), the user directory and a webhook
receiver (tiny HTTP servers in threads), each on a free port; a consumer run in a thread."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from kombu import Producer
from sqlalchemy import Engine

from common import events as ev
from common.db import make_engine
from common.settings import CommonSettings
from infra.migrate import upgrade
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.config import Settings, SmtpSettings
from services.notifications.consumers import EventConsumer
from tests.conftest import free_port

TOKEN = "test-service-token"
COMMUNE, PROVINCE = "26734", "79"


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """What the in-process SMTP server received; addresses in `refuse` get 550."""

    port: int
    received: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


# --- HTTP servers in threads --------------------------------------------------------------------


class HttpServer:
    """A ThreadingHTTPServer on a port of its own that can be stopped and started again on that port."""

    def __init__(self, handle: Callable[[BaseHTTPRequestHandler, str], tuple[int, Any]]) -> None:
        self.port = free_port()
        self._handle = handle
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        handle = self._handle

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                status, body = handle(self, method)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@dataclass
class Directory:
    """The evaluation service's user directory as the contract states it: users of a role whose scope
    contains the unit; 401 without the service token; 422 for a unit in `reject`."""

    users: list[dict[str, Any]]
    parents: dict[str, str] = field(default_factory=lambda: {COMMUNE: PROVINCE})
    reject: set[str] = field(default_factory=set)
    delay: float = 0.0  # seconds per answer, to slow a consumer down
    asked: int = 0

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> tuple[int, Any]:
        self.asked += 1
        time.sleep(self.delay)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"code": "unauthorized"}
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        if query.get("covering") in self.reject:
            return 422, {"code": "validation_error", "errors": {"query": {"covering": ["Unknown unit."]}}}
        chain, code = {query.get("covering")}, query.get("covering", "")
        while code in self.parents:
            code = self.parents[code]
            chain.add(code)
        items = [u for u in self.users if u["role"] == query.get("role") and u["scope_code"] in chain]
        return 200, {"items": items, "total": len(items)}


def officer(username: str, role: str = "village_officer", scope: str = COMMUNE) -> dict[str, Any]:
    return {
        "username": username,
        "full_name": f"Cán bộ {username}",
        "email": f"{username}@xa.example.vn",
        "role": role,
        "scope_code": scope,
    }


@pytest.fixture
def directory() -> Iterator[tuple[Directory, HttpServer]]:
    d = Directory(users=[officer("lan"), officer("minh"), officer("tuan", "commune_chairman", PROVINCE)])
    server = HttpServer(d.handle)
    server.start()
    try:
        yield d, server
    finally:
        server.stop()


# --- settings, consumer, publishing -------------------------------------------------------------


@pytest.fixture
def settings(
    make_database_url: Callable[[str], str],
    broker_url: str,
    smtp_server: SmtpServer,
    directory: tuple[Directory, HttpServer],
) -> Settings:
    url = make_database_url("notifications")
    upgrade("notifications", url)
    return Settings(
        database_url=url,
        common=CommonSettings(broker_url=broker_url, evaluation_url=directory[1].url),
        max_delivery_attempts=3,
        smtp=SmtpSettings(host="127.0.0.1", port=smtp_server.port, timeout=5),
        service_token=TOKEN,
        recipient_cache_seconds=0.5,
        webhook_tries=3,
        send_lease_seconds=1.0,
        dispatch_interval=0.2,
        webhook_allow_networks=("127.0.0.0/8", "::1"),  # the test receivers listen on loopback
    )


@contextmanager
def running_consumer(settings: Settings, **overrides: Any) -> Iterator[EventConsumer]:
    """A consumer wired from settings in a thread; stopped (its connection closed) on exit."""
    conn = ev.broker_connection(settings.common.broker_url)
    consumer = EventConsumer.from_settings(conn, settings, outage_pause=(0.1, 0.5), **overrides)
    # A short drain timeout: the consumer notices should_stop within 0.2 s instead of 1 s.
    thread = threading.Thread(
        target=consumer.run, kwargs={"safety_interval": 0.2}, name="consumer", daemon=True
    )
    thread.start()
    try:
        yield consumer
    finally:
        consumer.should_stop = True
        thread.join(15)
        conn.release()


def publish(broker_url: str, *events: ev.Event, times: int = 1) -> None:
    """Publish events as the outbox relay does (message id = event id), each `times` times."""
    with ev.broker_connection(broker_url) as conn:
        producer = Producer(conn.channel(), exchange=ev.exchange(), serializer="json")
        for _ in range(times):
            for event in events:
                producer.publish(
                    event.to_message(),
                    routing_key=event.type,
                    message_id=event.id,
                    delivery_mode=2,
                    declare=ev.queues(),
                )


def submitted(unit: str = COMMUNE, **payload: Any) -> ev.Event:
    """A case.submitted event about a unit (village officers are told)."""
    return ev.Event(
        type="case.submitted",
        source="evaluation",
        payload={
            "case_id": str(uuid.uuid4()),
            "admin_unit_code": unit,
            "actor": "ho-dan",
            "to": "village_review",
            **payload,
        },
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The notifications database, for the assertions."""
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine)


def count(engine: Engine, table: sa.Table) -> int:
    """Rows in a table."""
    with engine.connect() as db:
        return int(db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def with_common(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, common=replace(settings.common, **changes))


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; `down()` drops every connection and stops listening,
    `up()` listens again on the same port: a broker outage as its clients see it."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self._target = target_port
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
            listener, self._listener = self._listener, None
        for s in [*sockets, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self._target))
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_RDWR)
