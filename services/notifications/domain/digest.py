"""The daily digest: deadline notices held back per user, one line per case, one e-mail a day (pure)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from services.notifications.domain.model import DigestEntry
from services.notifications.domain.templates import (
    STATUSES,
    VIETNAM,
    Rendered,
    format_day,
    label,
    language_of,
    nfc,
)

DIGEST_PREFIX = "digest:"
_KIND = {"case.overdue": ("Quá hạn", "Overdue"), "case.reminder_due": ("Sắp đến hạn", "Due soon")}
_SUBJECT = {
    "vi": "Tổng hợp việc cần xử lý ngày {day}: {cases} hồ sơ, {overdue} quá hạn",
    "en": "Your tasks on {day}: {cases} cases, {overdue} overdue",
}
_INTRO = {
    "vi": "Các hồ sơ sau đang chờ bạn xử lý:",
    "en": "These cases are waiting for you:",
}
_LINE = {
    "vi": "• [{kind}] Hồ sơ {case} — bước {status} — hạn {due}",
    "en": "• [{kind}] Case {case} — {status} — due {due}",
}


def digest_day(now: datetime) -> str:
    """The Vietnamese calendar day of a moment (YYYY-MM-DD): a user gets at most one digest per day."""
    return now.astimezone(VIETNAM).date().isoformat()


def digest_event_id(day: str) -> str:
    """The delivery key of one day's digest; with the recipient and channel it is unique."""
    return f"{DIGEST_PREFIX}{day}"


def by_recipient(entries: Iterable[DigestEntry]) -> dict[str, list[DigestEntry]]:
    """Entries grouped per user, each group in arrival order."""
    groups: dict[str, list[DigestEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.created_at, e.id)):
        groups[entry.recipient].append(entry)
    return dict(groups)


def latest_per_case(entries: Iterable[DigestEntry]) -> list[DigestEntry]:
    """One entry per case, its newest (an overdue notice supersedes the reminder before it); overdue
    cases first, then by due date."""
    latest: dict[str, DigestEntry] = {}
    for entry in sorted(entries, key=lambda e: (e.created_at, e.id)):
        latest[entry.case_id or entry.event_id] = entry
    return sorted(latest.values(), key=lambda e: (e.event_type != "case.overdue", _due(e), e.case_id or ""))


def render_digest(entries: Iterable[DigestEntry], *, language: str, day: str) -> Rendered:
    """One user's digest e-mail in their language."""
    language = language_of(language)
    i = 0 if language == "vi" else 1
    lines = latest_per_case(entries)
    shown_day = format_day(day, language)
    overdue = sum(1 for e in lines if e.event_type == "case.overdue")
    body = [_INTRO[language]]
    for entry in lines:
        payload = json.loads(entry.payload_json)
        body.append(
            _LINE[language].format(
                kind=_KIND.get(entry.event_type, (entry.event_type, entry.event_type))[i],
                case=entry.case_id or "—",
                status=label(STATUSES, payload.get("status", "—"), language),
                due=format_day(payload["due_at"], language) if payload.get("due_at") else "—",
            )
        )
    subject = _SUBJECT[language].format(day=shown_day, cases=len(lines), overdue=overdue)
    return Rendered(subject=nfc(subject), body=nfc("\n".join(body)))


def _due(entry: DigestEntry) -> datetime:
    try:
        moment = datetime.fromisoformat(str(json.loads(entry.payload_json).get("due_at")))
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
