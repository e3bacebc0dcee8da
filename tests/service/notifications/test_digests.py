"""The daily digest on SQLite: one e-mail per user per day, in their language; later notices wait for the
next day; the e-mail is sent by the dispatcher like any other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from common.events import Event
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.domain.model import Recipient
from services.notifications.service import digests, dispatch, notices, preferences
from services.notifications.service.dispatch import Senders, SendPolicy
from tests.unit.notifications.fakes import FakeMailer, FakeResolver

T0 = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam
UNIT = "26734"
LAN = Recipient("lan", "", "lan@example.vn", "village_officer", UNIT)
MINH = Recipient("minh", "", "minh@example.vn", "village_officer", UNIT)
DIRECTORY = FakeResolver(users=[LAN, MINH])


def _overdue(uow: SqlUnitOfWork, case_id: str, at: datetime, event_type: str = "case.overdue") -> None:
    payload = {
        "admin_unit_code": UNIT,
        "case_id": case_id,
        "waiting_on_role": "village_officer",
        "status": "village_review",
        "due_at": "2026-11-20T00:00:00+07:00",
    }
    event = Event(type=event_type, source="e", payload=payload)
    notices.handle_event(uow, event=event, resolver=DIRECTORY, email_enabled=True, now=at)


def _digest_mode(uow: SqlUnitOfWork, user: str, language: str = "vi") -> None:
    preferences.put_preferences(uow, username=user, language=language, digest=True, channels={}, now=T0)


def test_a_flood_of_deadline_notices_becomes_one_email_per_user(uow: SqlUnitOfWork) -> None:
    _digest_mode(uow, "lan")
    _digest_mode(uow, "minh", "en")
    for n in range(5):
        _overdue(uow, f"c{n}", T0 - timedelta(hours=n + 1))
    _overdue(uow, "c0", T0 - timedelta(minutes=1), "case.reminder_due")
    assert dispatch.list_deliveries(uow) == []  # nothing went out one by one
    assert digests.send_digests(uow, now=T0) == 2
    mailer = FakeMailer()
    dispatch.dispatch_due(uow, senders=Senders(mailer=mailer), policy=SendPolicy())
    by_address = {m.to: m for m in mailer.sent}
    assert sorted(by_address) == ["lan@example.vn", "minh@example.vn"]
    assert (
        by_address["lan@example.vn"].subject == "Tổng hợp việc cần xử lý ngày 24/11/2026: 5 hồ sơ, 4 quá hạn"
    )
    assert by_address["minh@example.vn"].subject == "Your tasks on 2026-11-24: 5 cases, 4 overdue"
    assert by_address["lan@example.vn"].body.count("• ") == 5


def test_a_second_run_the_same_day_sends_nothing_and_later_notices_wait_for_tomorrow(
    uow: SqlUnitOfWork,
) -> None:
    _digest_mode(uow, "lan")
    _overdue(uow, "c1", T0)
    assert digests.send_digests(uow, now=T0) == 1
    _overdue(uow, "c2", T0 + timedelta(hours=2))
    assert digests.send_digests(uow, now=T0 + timedelta(hours=3)) == 0
    assert digests.send_digests(uow, now=T0 + timedelta(days=1)) == 1
    days = sorted(d.event_id for d in dispatch.list_deliveries(uow, recipient="lan"))
    assert days == ["digest:2026-11-24", "digest:2026-11-25"]
    assert "c2" in dispatch.list_deliveries(uow, event_id="digest:2026-11-25")[0].body


def test_users_without_digest_mode_have_nothing_to_digest(uow: SqlUnitOfWork) -> None:
    _overdue(uow, "c1", T0)
    assert digests.send_digests(uow, now=T0) == 0
    assert len(dispatch.list_deliveries(uow)) == 2  # both were e-mailed at once
