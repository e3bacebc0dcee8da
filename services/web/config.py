"""Web application settings, read from the environment once (the web keeps no database)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings, secret_key_list

DEFAULT_PORT = "8000"


@dataclass(frozen=True)
class Settings:
    """Where the services answer, and the key that signs the web's session cookie."""

    common: CommonSettings = field(default_factory=CommonSettings)
    secret_key: str = ""
    secret_key_fallbacks: tuple[str, ...] = ()  # WEB_SECRET_KEY's earlier values (a rotation)
    port: int = int(DEFAULT_PORT)
    secure_cookies: bool = False
    max_upload_bytes: int = 25 * 1024 * 1024
    api_timeout_seconds: float = 30.0

    @property
    def session_key(self) -> str:
        """The cookie-signing key: WEB_SECRET_KEY, else derived from the common secret."""
        return self.secret_key or f"web-session/{self.common.secret_key}"

    @property
    def session_key_fallbacks(self) -> tuple[str, ...]:
        """Keys that signed earlier cookies and forms, still accepted while a rotation runs: those of
        WEB_SECRET_KEY_FALLBACKS, else derived from the common secret's fallbacks as `session_key` is."""
        if self.secret_key:
            return self.secret_key_fallbacks
        return tuple(f"web-session/{key}" for key in self.common.secret_key_fallbacks)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        secret_key = e.get("WEB_SECRET_KEY", "")
        if e.get("WEB_SECRET_KEY_FALLBACKS", "").strip() and not secret_key:
            raise ValueError("WEB_SECRET_KEY_FALLBACKS needs WEB_SECRET_KEY (the key that replaces them)")
        return cls(
            common=CommonSettings.from_env(e),
            secret_key=secret_key,
            secret_key_fallbacks=secret_key_list(
                "WEB_SECRET_KEY_FALLBACKS", e.get("WEB_SECRET_KEY_FALLBACKS", ""), secret_key
            ),
            port=int(e.get("WEB_PORT", DEFAULT_PORT)),
            secure_cookies=e.get("WEB_SECURE_COOKIES", "false").lower() in ("1", "true", "yes"),
        )
