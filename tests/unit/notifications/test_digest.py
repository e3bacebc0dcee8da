"""The daily digest: the day in Vietnam, grouping per user, one line per case, rendering (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from services.notifications.domain.digest import (
    by_recipient,
    digest_day,
    digest_event_id,
    latest_per_case,
    render_digest,
)
from services.notifications.domain.model import DigestEntry

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def _entry(
    n: int, recipient: str, case_id: str, event_type: str, due: str, status: str = "village_review"
) -> DigestEntry:
    payload = {"case_id": case_id, "due_at": due, "status": status}
    return DigestEntry(
        id=f"e{n}",
        event_id=f"ev{n}",
        recipient=recipient,
        email=f"{recipient}@example.vn",
        event_type=event_type,
        case_id=case_id,
        payload_json=json.dumps(payload),
        created_at=T0 + timedelta(minutes=n),
    )


def test_the_digest_day_is_the_calendar_day_in_vietnam() -> None:
    assert digest_day(datetime(2026, 11, 24, 16, 59, tzinfo=UTC)) == "2026-11-24"
    assert digest_day(datetime(2026, 11, 24, 17, 0, tzinfo=UTC)) == "2026-11-25"
    assert digest_event_id("2026-11-25") == "digest:2026-11-25"


def test_entries_are_grouped_per_user_in_arrival_order() -> None:
    entries = [
        _entry(3, "lan", "c1", "case.overdue", "2026-11-20"),
        _entry(1, "minh", "c2", "case.overdue", "2026-11-20"),
        _entry(2, "lan", "c3", "case.reminder_due", "2026-11-28"),
    ]
    groups = by_recipient(entries)
    assert sorted(groups) == ["lan", "minh"]
    assert [e.id for e in groups["lan"]] == ["e2", "e3"]


def test_one_line_per_case_the_newest_notice_wins_overdue_first_then_by_due_date() -> None:
    entries = [
        _entry(1, "lan", "c1", "case.reminder_due", "2026-11-26T00:00:00+07:00"),
        _entry(2, "lan", "c2", "case.reminder_due", "2026-11-25T00:00:00+07:00"),
        _entry(3, "lan", "c3", "case.overdue", "2026-11-30T00:00:00+07:00"),
        _entry(4, "lan", "c1", "case.overdue", "2026-11-23T10:00:00+00:00"),  # c1's reminder became overdue
    ]
    assert [(e.case_id, e.event_type) for e in latest_per_case(entries)] == [
        ("c1", "case.overdue"),
        ("c3", "case.overdue"),
        ("c2", "case.reminder_due"),
    ]


def test_a_digest_reads_as_one_summary_in_the_users_language() -> None:
    entries = [
        _entry(1, "lan", "c1", "case.overdue", "2026-11-22T17:00:00+00:00"),
        _entry(2, "lan", "c2", "case.reminder_due", "2026-11-27T17:00:00+00:00", status="commune_review"),
    ]
    vi = render_digest(entries, language="vi", day="2026-11-24")
    assert vi.subject == "Tổng hợp việc cần xử lý ngày 24/11/2026: 2 hồ sơ, 1 quá hạn"
    assert vi.body.splitlines() == [
        "Các hồ sơ sau đang chờ bạn xử lý:",
        "• [Quá hạn] Hồ sơ c1 — bước kiểm tra cấp thôn — hạn 23/11/2026",
        "• [Sắp đến hạn] Hồ sơ c2 — bước thẩm định cấp xã — hạn 28/11/2026",
    ]
    en = render_digest(entries, language="en", day="2026-11-24")
    assert en.subject == "Your tasks on 2026-11-24: 2 cases, 1 overdue"
    assert en.body.splitlines()[1] == "• [Overdue] Case c1 — village review — due 2026-11-23"
