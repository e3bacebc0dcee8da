"""Awards service settings (composition-root input)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings, database_url

SERVICE = "awards"


@dataclass(frozen=True)
class Settings:
    """Everything the awards processes need."""

    database_url: str = "sqlite:///var/awards.db"
    common: CommonSettings = field(default_factory=CommonSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment once, in an entrypoint."""
        e = os.environ if env is None else env
        return cls(database_url=database_url(SERVICE, e), common=CommonSettings.from_env(e))
