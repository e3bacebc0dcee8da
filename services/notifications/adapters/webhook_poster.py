"""Webhook POSTs with requests (adapter layer)."""

from __future__ import annotations

import requests

from services.notifications.adapters.url_guard import UnsafeWebhookUrl, WebhookUrlGuard
from services.notifications.domain.errors import SendFailed


class HttpWebhookPoster:
    """POSTs the signed JSON; 2xx is delivered, 408/429/5xx and no answer are retried, other codes are final."""

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        session: requests.Session | None = None,
        guard: WebhookUrlGuard | None = None,
    ) -> None:
        self._timeout = timeout
        self._session = session or requests.Session()
        self._guard = guard or WebhookUrlGuard()  # no allow-list: public addresses only

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """One request; redirects are not followed (the subscriber registers the final URL). A URL that
        resolves to an internal address is refused before connecting (a permanent failure)."""
        try:
            self._guard.check(url)
        except UnsafeWebhookUrl as exc:
            raise SendFailed(exc.message_en, permanent=True) from exc
        try:
            response = self._session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json; charset=utf-8", **headers},
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        raise SendFailed(f"HTTP {status}", permanent=not (status in (408, 429) or status >= 500))
