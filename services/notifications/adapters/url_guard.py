"""Resolves a webhook URL's host and refuses non-public addresses (adapter layer; see domain/url_safety).

Used twice: when a webhook is registered (the API answers 422 with the `url` field) and right before
each POST (the delivery fails permanently), since a name may resolve elsewhere later (DNS rebinding).
A small window remains between this check and the HTTP client's own lookup; the allow-list is the
way to reach internal receivers on purpose.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from services.notifications.domain.errors import ValidationFailed
from services.notifications.domain.url_safety import IPNetwork, first_refusal, parse_networks

Resolve = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to (an IP literal resolves to itself); OSError when none."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class UnsafeWebhookUrl(ValidationFailed):
    """The webhook URL's host is internal or cannot be resolved (422 on the `url` field)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Địa chỉ webhook trỏ vào mạng nội bộ hoặc không phân giải được; không được phép.",
            f"The webhook URL is not allowed: {reason}.",
            errors={
                "url": [f"Không được phép: máy chủ trỏ vào mạng nội bộ hoặc không phân giải được ({reason})."]
            },
            errors_en={"url": [f"Not allowed: {reason}."]},
        )


class WebhookUrlGuard:
    """`check(url)` raises UnsafeWebhookUrl unless every address of the URL's host is public or allowed."""

    def __init__(self, allow_networks: Iterable[str] = (), *, resolve: Resolve = resolve_host) -> None:
        self.allowed: Sequence[IPNetwork] = parse_networks(allow_networks)
        self._resolve = resolve

    def check(self, url: str) -> None:
        """Raise UnsafeWebhookUrl when the URL may not be reached from this service."""
        parts = urlsplit(url)
        try:
            host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # a port that is not a number
            raise UnsafeWebhookUrl(f"malformed URL ({exc})") from exc
        if not host:
            raise UnsafeWebhookUrl("no host in the URL")
        try:
            addresses = self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise UnsafeWebhookUrl(f"the host {host!r} does not resolve") from exc
        if not addresses:
            raise UnsafeWebhookUrl(f"the host {host!r} does not resolve")
        reason = first_refusal(addresses, self.allowed)
        if reason is not None:
            raise UnsafeWebhookUrl(f"{host} resolves to {reason}")
