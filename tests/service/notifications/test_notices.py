"""Turning events into inbox items, deliveries and digest entries on SQLite: once per event, by each
recipient's preferences, nothing stored while the directory is down."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from common.db import make_engine
from common.events import Event
from services.notifications.adapters import tables as nt
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.domain.errors import RecipientsUnavailable
from services.notifications.domain.model import Recipient
from services.notifications.service import dispatch, inbox, notices, preferences, webhooks
from tests.unit.notifications.fakes import FakeResolver

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
UNIT = "26734"
LAN = Recipient("lan", "Nguyễn Thị Lan", "lan@example.vn", "village_officer", UNIT)
MINH = Recipient("minh", "Trần Văn Minh", "minh@example.vn", "village_officer", UNIT)
HOA = Recipient("hoa", "Lê Thị Hoa", None, "household_representative", UNIT, "HH-HOA")


@pytest.fixture
def directory() -> FakeResolver:
    return FakeResolver(users=[LAN, MINH, HOA])


def _handle(uow: SqlUnitOfWork, directory: FakeResolver, event: Event, *, email: bool = True) -> int:
    return notices.handle_event(uow, event=event, resolver=directory, email_enabled=email, now=NOW)


def _submitted(**payload: object) -> Event:
    return Event(
        type="case.submitted",
        source="evaluation",
        payload={"case_id": "c1", "admin_unit_code": UNIT, "actor": "hoa", "to": "village_review", **payload},
    )


def test_each_recipient_gets_one_inbox_item_and_one_email(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    assert _handle(uow, directory, _submitted()) == 2
    for user in ("lan", "minh"):
        [item] = inbox.list_inbox(uow, recipient=user)
        assert item.subject_vi == "Hồ sơ chờ kiểm tra" and item.case_id == "c1"
    emails = dispatch.list_deliveries(uow, channel="email")
    assert sorted((d.recipient, d.target, d.status) for d in emails) == [
        ("lan", "lan@example.vn", "pending"),
        ("minh", "minh@example.vn", "pending"),
    ]
    assert emails[0].body.endswith("Thư gửi tự động, vui lòng không trả lời.\n")


def test_the_same_event_again_stores_nothing(uow: SqlUnitOfWork, directory: FakeResolver) -> None:
    event = _submitted()
    _handle(uow, directory, event)
    asked = len(directory.asked)
    assert _handle(uow, directory, event) == 0
    assert len(directory.asked) == asked  # a known duplicate does not even ask the directory
    assert len(inbox.list_inbox(uow, recipient="lan")) == 1
    assert len(dispatch.list_deliveries(uow)) == 2


def test_nothing_is_stored_while_the_directory_is_down(uow: SqlUnitOfWork, directory: FakeResolver) -> None:
    directory.down = True
    with pytest.raises(RecipientsUnavailable):
        _handle(uow, directory, _submitted())
    directory.down = False
    assert _handle(uow, directory, _submitted()) == 2  # a new id: proves nothing blocked it


def test_a_user_without_an_address_or_with_email_off_gets_the_inbox_only(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    preferences.put_preferences(
        uow, username="minh", language="en", digest=False, channels={"cases": {"email": False}}, now=NOW
    )
    evidence = Event(
        type="case.evidence_requested",
        source="e",
        payload={"admin_unit_code": UNIT, "subject_id": "HH-HOA", "reason": "x", "actor": "lan"},
    )
    _handle(uow, directory, evidence)
    _handle(uow, directory, _submitted())
    assert [i.recipient for i in inbox.list_inbox(uow, recipient="hoa")] == ["hoa"]  # no address: inbox only
    assert [d.recipient for d in dispatch.list_deliveries(uow, channel="email")] == ["lan"]


def test_inbox_off_for_a_category_stores_no_item(uow: SqlUnitOfWork, directory: FakeResolver) -> None:
    preferences.put_preferences(
        uow, username="lan", language="vi", digest=False, channels={"cases": {"inbox": False}}, now=NOW
    )
    _handle(uow, directory, _submitted())
    assert inbox.list_inbox(uow, recipient="lan") == []
    assert len(inbox.list_inbox(uow, recipient="minh")) == 1


def test_email_in_the_users_language(uow: SqlUnitOfWork, directory: FakeResolver) -> None:
    preferences.put_preferences(uow, username="minh", language="en", digest=False, channels={}, now=NOW)
    _handle(uow, directory, _submitted())
    [email] = dispatch.list_deliveries(uow, recipient="minh")
    assert (email.language, email.subject) == ("en", "Case submitted for review")


def test_no_email_delivery_when_email_is_disabled(uow: SqlUnitOfWork, directory: FakeResolver) -> None:
    _handle(uow, directory, _submitted(), email=False)
    assert dispatch.list_deliveries(uow) == []
    assert len(inbox.list_inbox(uow, recipient="lan")) == 1


def test_in_digest_mode_deadline_notices_wait_for_the_digest_others_do_not(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    preferences.put_preferences(uow, username="lan", language="vi", digest=True, channels={}, now=NOW)
    overdue = Event(
        type="case.overdue",
        source="e",
        payload={
            "admin_unit_code": UNIT,
            "case_id": "c1",
            "waiting_on_role": "village_officer",
            "due_at": "2026-11-20",
        },
    )
    submitted = _submitted()
    _handle(uow, directory, overdue)
    _handle(uow, directory, submitted)
    assert [d.event_id for d in dispatch.list_deliveries(uow, recipient="lan")] == [submitted.id]
    with uow:
        [entry] = uow.digests.waiting()
    assert (entry.recipient, entry.email, entry.event_type) == ("lan", "lan@example.vn", "case.overdue")
    assert len(inbox.list_inbox(uow, recipient="lan")) == 2  # the inbox still shows both
    minh = sorted(d.event_id for d in dispatch.list_deliveries(uow, recipient="minh"))
    assert minh == sorted([submitted.id, overdue.id])  # no digest mode: one e-mail each


def test_user_and_unit_webhooks_get_one_delivery_each(uow: SqlUnitOfWork, directory: FakeResolver) -> None:
    user_hook = webhooks.subscribe(uow, scope="user", owner="lan", url="http://hooks.example/lan", now=NOW)
    unit_hook = webhooks.subscribe(uow, scope="unit", owner=UNIT, url="http://hooks.example/xa", now=NOW)
    event = _submitted()
    _handle(uow, directory, event)
    _handle(uow, directory, event)
    hooks = dispatch.list_deliveries(uow, channel="webhook")
    assert sorted((d.recipient, d.target, d.subscription_id) for d in hooks) == [
        ("lan", "http://hooks.example/lan", user_hook.id),
        (f"unit:{UNIT}", "http://hooks.example/xa", unit_hook.id),
    ]


def test_a_notice_addressed_to_one_account_goes_to_it_alone_never_to_the_units_webhook(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    webhooks.subscribe(uow, scope="unit", owner=UNIT, url="http://hooks.example/xa", now=NOW)
    payload = {"admin_unit_code": UNIT, "role": "village_officer", "addressee": "minh", "actor": "quan-tri"}
    event = Event(
        type="account.access_changed",
        source="evaluation",
        payload={**payload, "username": "minh", "change": "password_set", "reason": "Quên mật khẩu"},
    )
    assert _handle(uow, directory, event) == 1
    assert [(d.recipient, d.channel) for d in dispatch.list_deliveries(uow)] == [("minh", "email")]


def test_a_locked_or_national_account_is_told_by_e_mail_and_inbox(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    directory.locked = [Recipient("khoa", "Vũ Văn Khóa", "khoa@example.vn", "village_officer", UNIT)]
    directory.users.append(Recipient("kiem-toan", "Kiểm toán", "kt@example.vn", "auditor", ""))
    for addressee, unit, change in (("khoa", UNIT, "locked"), ("kiem-toan", None, "password_set")):
        event = Event(
            type="account.access_changed",
            source="evaluation",
            payload={
                "admin_unit_code": unit,
                "role": "x",
                "addressee": addressee,
                "username": addressee,
                "change": change,
                "actor": "quan-tri",
                "reason": "Theo yêu cầu",
            },
        )
        assert _handle(uow, directory, event) == 1
    sent = sorted((d.recipient, d.channel, d.target) for d in dispatch.list_deliveries(uow))
    assert sent == [("khoa", "email", "khoa@example.vn"), ("kiem-toan", "email", "kt@example.vn")]
    assert [i.recipient for i in inbox.list_inbox(uow, recipient="kiem-toan")] == ["kiem-toan"]


def test_webhook_off_in_preferences_sends_no_user_webhook(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    webhooks.subscribe(uow, scope="user", owner="lan", url="http://hooks.example/lan", now=NOW)
    preferences.put_preferences(
        uow, username="lan", language="vi", digest=False, channels={"cases": {"webhook": False}}, now=NOW
    )
    _handle(uow, directory, _submitted())
    assert dispatch.list_deliveries(uow, channel="webhook") == []


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row the consumer stores, without generated ids (delivery and subscription ids, webhook bodies)."""
    tables = {
        "processed": (nt.processed_events, ("event_id", "event_type", "processed_at")),
        "inbox": (
            nt.inbox_items,
            ("event_id", "recipient", "event_type", "subject_vi", "subject_en", "case_id"),
        ),
        "deliveries": (
            nt.deliveries,
            (
                "event_id",
                "recipient",
                "channel",
                "target",
                "language",
                "subject",
                "status",
            ),
        ),
        "digests": (nt.digest_entries, ("event_id", "recipient", "email", "event_type", "payload_json")),
    }
    with engine.connect() as db:
        return {
            name: sorted(tuple(r) for r in db.execute(sa.select(*(t.c[c] for c in columns))))
            for name, (t, columns) in tables.items()
        }


def test_a_batch_stores_exactly_what_its_events_one_by_one_store(
    tmp_path: Path, migrated_template: Path, directory: FakeResolver
) -> None:
    engines = []
    for name in ("one-by-one", "batch"):
        shutil.copyfile(migrated_template, tmp_path / f"{name}.db")
        engines.append(make_engine(f"sqlite:///{tmp_path / f'{name}.db'}"))
    overdue = Event(
        type="case.overdue",
        source="e",
        payload={"admin_unit_code": UNIT, "case_id": "c2", "waiting_on_role": "village_officer"},
    )
    requested = Event(
        type="case.evidence_requested",
        source="e",
        payload={"admin_unit_code": UNIT, "case_id": "c3", "subject_id": "HH-HOA", "actor": "lan"},
    )
    earlier, submitted = _submitted(), _submitted(case_id="c4")
    events = [submitted, overdue, requested, submitted, earlier]  # one twice, one handled before
    for engine in engines:
        uow = SqlUnitOfWork(engine)
        preferences.put_preferences(uow, username="lan", language="vi", digest=True, channels={}, now=NOW)
        preferences.put_preferences(
            uow, username="minh", language="en", digest=False, channels={"cases": {"webhook": False}}, now=NOW
        )
        for owner in ("lan", "minh"):
            webhooks.subscribe(uow, scope="user", owner=owner, url=f"http://hooks.example/{owner}", now=NOW)
        webhooks.subscribe(uow, scope="unit", owner=UNIT, url="http://hooks.example/xa", now=NOW)
        _handle(uow, directory, earlier)
    one_by_one, batch = (SqlUnitOfWork(engine) for engine in engines)
    told = [_handle(one_by_one, directory, event) for event in events]
    handled = notices.handle_events(batch, events=events, resolver=directory, email_enabled=True, now=NOW)
    assert told[3:] == [0, 0] and handled.event_ids == [submitted.id, overdue.id, requested.id]
    assert set(handled.to_send) == {d.event_id for d in dispatch.list_deliveries(batch)} - {earlier.id}
    assert _rows(engines[1]) == _rows(engines[0])
    assert len(_rows(engines[1])["digests"]) == 1 and len(_rows(engines[1])["deliveries"]) > 5


def test_a_case_handed_over_is_told_to_its_new_holder_alone_in_their_language(
    uow: SqlUnitOfWork, directory: FakeResolver
) -> None:
    event = Event(
        type="case.assigned",
        source="evaluation",
        payload={
            "case_id": "c1",
            "admin_unit_code": UNIT,
            "title": "learning_family",
            "year": 2026,
            "status": "village_review",
            "actor": "chu-tich",
            "reason": "Cán bộ cũ nghỉ phép",
            "previous": "lan",
            "assignee": "minh",
            "addressee": "minh",
            "role": "village_officer",
        },
    )
    assert _handle(uow, directory, event) == 1
    assert [(d.recipient, d.channel) for d in dispatch.list_deliveries(uow)] == [("minh", "email")]
    (notice,) = inbox.list_inbox(uow, recipient="minh")
    assert (notice.subject_vi, notice.case_id) == ("Bạn được giao hồ sơ: Gia đình học tập năm 2026", "c1")
    assert notice.subject_en == "A case was handed to you: Learning Family 2026"
    assert inbox.list_inbox(uow, recipient="lan") == []  # the one it was taken from learns it elsewhere
