"""Web application settings, read from the environment once (the web keeps no database)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings

DEFAULT_PORT = "8000"


@dataclass(frozen=True)
class Settings:
    """Where the services answer, and the key that signs the web's session cookie."""

    common: CommonSettings = field(default_factory=CommonSettings)
    secret_key: str = ""
    port: int = int(DEFAULT_PORT)
    secure_cookies: bool = False
    max_upload_bytes: int = 25 * 1024 * 1024
    api_timeout_seconds: float = 30.0

    @property
    def session_key(self) -> str:
        """The cookie-signing key: WEB_SECRET_KEY, else derived from the common secret."""
        return self.secret_key or f"web-session/{self.common.secret_key}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        return cls(
            common=CommonSettings.from_env(e),
            secret_key=e.get("WEB_SECRET_KEY", ""),
            port=int(e.get("WEB_PORT", DEFAULT_PORT)),
            secure_cookies=e.get("WEB_SECURE_COOKIES", "false").lower() in ("1", "true", "yes"),
        )
