"""Use cases: a user's notification preferences (service layer)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from services.notifications.domain.preferences import Preferences, make_preferences
from services.notifications.service.ports import UnitOfWork


def get_preferences(uow: UnitOfWork, *, username: str) -> Preferences:
    """A user's preferences, or the defaults when they never chose."""
    with uow:
        return uow.preferences.get(username) or Preferences(username)  # type: ignore[no-any-return]


def put_preferences(
    uow: UnitOfWork,
    *,
    username: str,
    language: str,
    digest: bool,
    channels: Mapping[str, Mapping[str, bool]],
    now: datetime,
) -> Preferences:
    """Replace a user's preferences; categories and channels not named stay on."""
    prefs = make_preferences(username, language=language, digest=digest, channels=channels, now=now)
    with uow:
        uow.preferences.put(prefs)
        uow.commit()
    return prefs
