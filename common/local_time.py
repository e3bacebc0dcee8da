"""Instants and days as people in Vietnam read them (Vietnam's time, day first), for every service that
shows one: notices, pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from common.workdays import VIETNAM_TZ


def as_read_in_vietnam(value: Any, language: str, *, with_time: bool = False) -> str:
    """An ISO instant or day in Vietnam's time: "07/12/2026" ("26/11/2026 08:36" `with_time`) in
    Vietnamese, "2026-12-07" ("2026-11-26 08:36") in English; the value itself when it is not a date."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM_TZ)
    day = "%d/%m/%Y" if language == "vi" else "%Y-%m-%d"
    return moment.strftime(f"{day} %H:%M" if with_time else day)
