"""Notifications domain: inbox items and who receives an event (pure Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from common.events import Event


@dataclass(frozen=True)
class InboxItem:
    """One notice in one recipient's inbox; (event_id, recipient) is unique."""

    id: str
    event_id: str
    recipient: str
    event_type: str
    subject_vi: str
    subject_en: str
    case_id: str | None
    created_at: datetime
    read_at: datetime | None = None


_SUBJECTS = {
    "case.opened": ("Hồ sơ mới được mở: {title} năm {year}", "New case opened: {title} {year}"),
    "case.withdrawn": ("Hồ sơ đã được rút", "Case withdrawn"),
    "evidence.uploaded": ("Minh chứng mới được tải lên", "New evidence uploaded"),
}


def subjects_for(event: Event) -> tuple[str, str]:
    """Vietnamese and English subject lines of an event."""
    vi, en = _SUBJECTS.get(event.type, ("Thông báo: {type}", "Notice: {type}"))
    values = {"type": event.type, **{k: v for k, v in event.payload.items() if isinstance(v, str | int)}}
    try:
        return vi.format(**values), en.format(**values)
    except KeyError:
        return f"Thông báo: {event.type}", f"Notice: {event.type}"


def recipients_for(event: Event) -> list[str]:
    """Who is told. Until role resolution lands (issue #7) the officers of the case's admin unit are
    addressed as a group inbox `unit:<code>`."""
    code = event.payload.get("admin_unit_code")
    return [f"unit:{code}"] if code else []
