"""Sending deliveries on SQLite with fake channels: once each, retried with backoff, failed for good when
refused, re-sent with the same Message-ID only when a sender died mid-send."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from common.errors import Conflict
from common.events import Event
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.domain.errors import SendFailed
from services.notifications.domain.model import Recipient
from services.notifications.domain.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verify
from services.notifications.service import dispatch, notices, webhooks
from services.notifications.service.dispatch import Senders, SendPolicy
from tests.unit.notifications.fakes import FakeMailer, FakeResolver, FakeWebhooks

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
UNIT = "26734"
USERS = [Recipient(f"u{i}", "", f"u{i}@example.vn", "village_officer", UNIT) for i in range(3)]
POLICY = SendPolicy(
    max_attempts=3,
    lease=timedelta(minutes=5),
    webhook_tries=3,
    webhook_wait=0,
    backoff=timedelta(seconds=30),
    message_id_domain="test.local",
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _event(uow: SqlUnitOfWork, users: list[Recipient] = USERS) -> Event:
    event = Event(type="case.submitted", source="e", payload={"admin_unit_code": UNIT, "case_id": "c1"})
    notices.handle_event(uow, event=event, resolver=FakeResolver(users=users), email_enabled=True, now=T0)
    return event


def _statuses(uow: SqlUnitOfWork) -> list[tuple[str, str, int]]:
    return sorted((d.recipient, d.status, d.attempts) for d in dispatch.list_deliveries(uow))


def test_each_due_email_is_sent_once_with_a_stable_message_id(uow: SqlUnitOfWork, clock: Clock) -> None:
    _event(uow)
    mailer = FakeMailer()
    report = dispatch.dispatch_due(uow, senders=Senders(mailer=mailer), policy=POLICY, clock=clock)
    assert report.sent == 3
    assert sorted(m.to for m in mailer.sent) == ["u0@example.vn", "u1@example.vn", "u2@example.vn"]
    ids = {d.recipient: d.id for d in dispatch.list_deliveries(uow)}
    assert {m.message_id for m in mailer.sent} == {f"<{i}@test.local>" for i in ids.values()}
    assert _statuses(uow) == [("u0", "sent", 1), ("u1", "sent", 1), ("u2", "sent", 1)]
    assert dispatch.dispatch_due(uow, senders=Senders(mailer=mailer), policy=POLICY, clock=clock).sent == 0


def test_a_temporary_failure_waits_with_backoff_then_is_sent(uow: SqlUnitOfWork, clock: Clock) -> None:
    _event(uow, USERS[:1])
    mailer = FakeMailer(failures=[SendFailed("421 try later")])
    senders = Senders(mailer=mailer)
    assert dispatch.dispatch_due(uow, senders=senders, policy=POLICY, clock=clock).retrying == 1
    [waiting] = dispatch.list_deliveries(uow)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "421 try later")
    assert waiting.next_attempt_at == T0 + timedelta(seconds=30)
    assert dispatch.dispatch_due(uow, senders=senders, policy=POLICY, clock=clock).sent == 0  # not due yet
    clock.now += timedelta(seconds=30)
    assert dispatch.dispatch_due(uow, senders=senders, policy=POLICY, clock=clock).sent == 1
    assert _statuses(uow) == [("u0", "sent", 2)]


def test_a_refused_address_fails_at_once_and_retries_are_bounded(uow: SqlUnitOfWork, clock: Clock) -> None:
    _event(uow, USERS[:2])
    failures = [SendFailed("550 no such user", permanent=True)] + [SendFailed("timeout")] * 3
    senders = Senders(mailer=FakeMailer(failures=failures))
    for _ in range(4):
        dispatch.dispatch_due(uow, senders=senders, policy=POLICY, clock=clock)
        clock.now += timedelta(hours=1)
    assert sorted((d.status, d.attempts) for d in dispatch.list_deliveries(uow)) == [
        ("failed", 1),
        ("failed", 3),
    ]


def test_a_sender_that_died_mid_send_resends_only_that_one_after_the_lease(
    uow: SqlUnitOfWork, clock: Clock
) -> None:
    _event(uow, USERS[:2])
    with uow:
        ids = uow.deliveries.due(clock(), channels=["email"], limit=10)
        uow.deliveries.claim(ids[0], clock(), clock() + POLICY.lease)  # claimed, sent, then the process died
        uow.commit()
    mailer = FakeMailer()
    dispatch.dispatch_due(uow, senders=Senders(mailer=mailer), policy=POLICY, clock=clock)
    assert len(mailer.sent) == 1  # the other one; the claimed one waits for its lease
    clock.now += POLICY.lease
    dispatch.dispatch_due(uow, senders=Senders(mailer=mailer), policy=POLICY, clock=clock)
    assert len(mailer.sent) == 2 and mailer.sent[1].message_id == f"<{ids[0]}@test.local>"


def test_two_dispatchers_at_once_send_each_delivery_once(
    uow: SqlUnitOfWork, engine: Engine, clock: Clock
) -> None:
    users = [Recipient(f"p{i}", "", f"p{i}@example.vn", "village_officer", UNIT) for i in range(30)]
    _event(uow, users)
    mailer = FakeMailer()
    threads = [
        threading.Thread(
            target=dispatch.dispatch_due,
            args=(SqlUnitOfWork(engine),),
            kwargs={"senders": Senders(mailer=mailer), "policy": POLICY, "clock": clock},
        )
        for _ in range(2)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(m.to for m in mailer.sent) == sorted(u.email for u in users)


def test_webhooks_are_signed_retried_quickly_and_counted(uow: SqlUnitOfWork, clock: Clock) -> None:
    sub = webhooks.subscribe(uow, scope="user", owner="u0", url="http://hooks.example/u0", now=T0)
    event = _event(uow, USERS[:1])
    poster = FakeWebhooks(failures=[SendFailed("HTTP 500"), SendFailed("HTTP 502")])
    report = dispatch.dispatch_due(uow, senders=Senders(webhooks=poster), policy=POLICY, clock=clock)
    assert report.sent == 1 and poster.tries == 3
    [(url, body, headers)] = poster.posted
    assert url == "http://hooks.example/u0" and verify(sub.secret, body, headers[SIGNATURE_HEADER])
    assert headers[EVENT_HEADER] == "case.submitted" and json.loads(body)["event"]["id"] == event.id
    [hook] = dispatch.list_deliveries(uow, channel="webhook")
    assert (hook.status, hook.attempts, headers[DELIVERY_HEADER]) == ("sent", 3, hook.id)


def test_a_webhook_follows_its_subscriptions_new_url_and_fails_once_removed(
    uow: SqlUnitOfWork, clock: Clock
) -> None:
    webhooks.subscribe(uow, scope="user", owner="u0", url="http://old.example/", now=T0)
    webhooks.subscribe(uow, scope="user", owner="u1", url="http://gone.example/", now=T0)
    _event(uow, USERS[:2])
    renewed = webhooks.subscribe(uow, scope="user", owner="u0", url="http://new.example/", now=T0)
    webhooks.unsubscribe(uow, scope="user", owner="u1")
    poster = FakeWebhooks()
    dispatch.dispatch_due(uow, senders=Senders(webhooks=poster), policy=POLICY, clock=clock)
    [(url, body, headers)] = poster.posted
    assert url == "http://new.example/" and verify(renewed.secret, body, headers[SIGNATURE_HEADER])
    failed = dispatch.list_deliveries(uow, channel="webhook", status="failed")
    assert [d.recipient for d in failed] == ["u1"]


def test_a_failed_delivery_can_be_retried_a_sent_one_cannot(uow: SqlUnitOfWork, clock: Clock) -> None:
    _event(uow, USERS[:2])
    senders = Senders(mailer=FakeMailer(failures=[SendFailed("550", permanent=True)]))
    dispatch.dispatch_due(uow, senders=senders, policy=POLICY, clock=clock)
    failed = dispatch.list_deliveries(uow, status="failed")[0]
    sent = dispatch.list_deliveries(uow, status="sent")[0]
    again = dispatch.retry_delivery(uow, delivery_id=failed.id, now=clock())
    assert (again.status, again.attempts) == ("pending", 0)
    assert dispatch.dispatch_due(uow, senders=senders, policy=POLICY, clock=clock).sent == 1
    with pytest.raises(Conflict):
        dispatch.retry_delivery(uow, delivery_id=sent.id, now=clock())


def test_a_channel_without_a_sender_is_left_pending(uow: SqlUnitOfWork, clock: Clock) -> None:
    _event(uow, USERS[:1])
    assert (
        dispatch.dispatch_due(uow, senders=Senders(webhooks=FakeWebhooks()), policy=POLICY, clock=clock).sent
        == 0
    )
    assert _statuses(uow) == [("u0", "pending", 0)]
