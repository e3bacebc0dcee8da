"""Notifications service settings (composition-root input)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings, database_url

SERVICE = "notifications"


@dataclass(frozen=True)
class Settings:
    """Everything the notifications processes need."""

    database_url: str = "sqlite:///var/notifications.db"
    common: CommonSettings = field(default_factory=CommonSettings)
    max_delivery_attempts: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment once, in an entrypoint."""
        e = os.environ if env is None else env
        return cls(
            database_url=database_url(SERVICE, e),
            common=CommonSettings.from_env(e),
            max_delivery_attempts=int(e.get("NOTIFICATIONS_MAX_ATTEMPTS", "5")),
        )
