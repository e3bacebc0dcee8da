"""Notifications service settings (composition-root input)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings, database_url

SERVICE = "notifications"
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mail goes; `host=None` disables the e-mail channel (the embedded default)."""

    host: str | None = None
    port: int = 25
    sender: str = "Xã hội học tập <thong-bao@hoc-tap.local>"
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        """Whether e-mail is sent at all."""
        return bool(self.host)


@dataclass(frozen=True)
class Settings:
    """Everything the notifications processes need."""

    database_url: str = field(default="sqlite:///var/notifications.db", repr=False)  # may hold a password
    common: CommonSettings = field(default_factory=CommonSettings)
    max_delivery_attempts: int = 5  # of handling one event before it is dead-lettered
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    # Presented to the evaluation service's user directory as `Authorization: Bearer <token>`.
    service_token: str = field(default="", repr=False)
    recipient_cache_seconds: float = 60.0
    recipient_timeout: float = 5.0
    webhook_timeout: float = 5.0
    webhook_tries: int = 3  # HTTP tries within one dispatch, with exponential backoff
    send_max_attempts: int = 8  # sends of one delivery before it is marked failed
    send_lease_seconds: float = 300.0  # a claimed delivery whose sender died is re-sent after this
    dispatch_interval: float = 5.0  # how often the consumer sweeps deliveries that are due
    batch_size: int = 50  # events handled in one transaction by the consumer (then each acknowledged)
    message_id_domain: str = "notifications.hoc-tap.local"
    # Networks (CIDR) webhooks may reach although not public, e.g. "127.0.0.0/8,::1" for a receiver on
    # the same host; empty (the default): loopback, private, link-local and metadata addresses are refused.
    webhook_allow_networks: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment once, in an entrypoint."""
        e = os.environ if env is None else env
        return cls(
            database_url=database_url(SERVICE, e),
            common=CommonSettings.from_env(e),
            max_delivery_attempts=int(e.get("NOTIFICATIONS_MAX_ATTEMPTS", "5")),
            smtp=SmtpSettings(
                host=e.get("SMTP_HOST") or None,
                port=int(e.get("SMTP_PORT", "25")),
                sender=e.get("SMTP_FROM", SmtpSettings.sender),
                starttls=e.get("SMTP_STARTTLS", "false").lower() in _TRUE,
                username=e.get("SMTP_USERNAME") or None,
                password=e.get("SMTP_PASSWORD") or None,
            ),
            service_token=e.get("NOTIFICATIONS_SERVICE_TOKEN", ""),
            recipient_cache_seconds=float(e.get("NOTIFICATIONS_RECIPIENT_CACHE_SECONDS", "60")),
            send_max_attempts=int(e.get("NOTIFICATIONS_SEND_MAX_ATTEMPTS", "8")),
            send_lease_seconds=float(e.get("NOTIFICATIONS_SEND_LEASE_SECONDS", "300")),
            dispatch_interval=float(e.get("NOTIFICATIONS_DISPATCH_INTERVAL", "5")),
            batch_size=int(e.get("NOTIFICATIONS_BATCH_SIZE", "50")),
            webhook_allow_networks=tuple(
                n.strip() for n in e.get("NOTIFICATIONS_WEBHOOK_ALLOW_NETWORKS", "").split(",") if n.strip()
            ),
        )
