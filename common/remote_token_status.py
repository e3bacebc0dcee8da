"""Token revocation for the services that do not own accounts (awards, notifications).

The evaluation service owns the accounts and refuses a revoked token with 401 `errors.auth: ["revoked"]`
(locked account, password set, signed out everywhere). These services verify the signature themselves
and ask the evaluation service once per token and `ttl` seconds (`GET /auth/me` with the caller's
token). Only that definite answer refuses: any other answer or none (the evaluation service down, another
deployment's key) leaves the token to its signature, so an outage of the evaluation service does not
stop these services — revocation there is then late, never wrong the other way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from common.auth import AuthenticationFailed, Principal
from common.settings import CommonSettings
from common.web_auth import bearer_token, init_auth

logger = logging.getLogger(__name__)
_LIMIT = 10_000  # tokens remembered per process; past it the memory starts afresh


class RemoteTokenStatus:
    """`check(principal)` (inside a request): AuthenticationFailed("revoked") when the evaluation
    service says this request's token was revoked."""

    def __init__(
        self,
        evaluation_url: str,
        *,
        ttl: float = 10.0,
        timeout: float = 2.0,
        session: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = evaluation_url.rstrip("/") + "/auth/me"
        self._ttl, self._timeout, self._clock = ttl, timeout, clock
        self._session = session or requests.Session()
        self._known: dict[str, tuple[float, bool]] = {}  # sha256 of the token -> (asked at, revoked)
        self._lock = threading.Lock()

    def check(self, principal: Principal) -> None:
        if principal.user_id.startswith("service:"):  # the services' own principals have no account
            return
        token = bearer_token()
        key = hashlib.sha256(token.encode()).hexdigest()
        now = self._clock()
        known = self._known.get(key)
        if known is not None and now - known[0] < self._ttl:
            revoked = known[1]
        else:
            revoked = self._ask(token)
            with self._lock:
                if len(self._known) >= _LIMIT:
                    self._known.clear()
                self._known[key] = (now, revoked)
        if revoked:
            raise AuthenticationFailed("revoked")

    def _ask(self, token: str) -> bool:
        try:
            answer = self._session.get(
                self._url, headers={"Authorization": f"Bearer {token}"}, timeout=self._timeout
            )
        except requests.RequestException as exc:
            logger.warning("token status: the evaluation service did not answer (%s)", type(exc).__name__)
            return False
        if answer.status_code != 401:
            return False
        try:
            return bool(answer.json().get("errors", {}).get("auth") == ["revoked"])
        except ValueError:
            return False


def init_auth_asking_evaluation(app: Any, api: Any, common: CommonSettings) -> None:
    """`init_auth` for a service that owns no accounts: the signature, then the evaluation service's word
    on revocation."""
    init_auth(
        app,
        api,
        secret_key=common.secret_key,
        fallback_keys=common.secret_key_fallbacks,
        max_age_seconds=common.token_max_age_seconds,
        token_check=RemoteTokenStatus(common.evaluation_url, ttl=common.token_status_seconds).check,
    )
