"""Which well-signed tokens an account still honours (service layer).

Tokens are stateless (signed, 12 h): revoking them means refusing those issued before the account's
`tokens_valid_after`, or any token of a locked account. Reading the account on every request would add a
statement to each (≈ 5 per case); each process keeps an account's answer for `ttl` seconds instead, and
forgets it at once when this process changes the account. So a revocation holds at once where it was made
and within `ttl` seconds on every other process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from common.auth import AuthenticationFailed, Principal

DEFAULT_TTL_SECONDS = 10.0
_LIMIT = 10_000  # accounts remembered per process; past it the memory starts afresh


class TokenStatus:
    """`check(principal)` raises AuthenticationFailed("revoked") for a token its account no longer
    honours. A principal with no account row is left to the signature alone: the services' own
    principals (`service:<name>`, `common.auth.service_token_provider`) have none, and accounts are
    locked, never deleted."""

    def __init__(
        self,
        reader: Callable[[], Any],
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reader = reader
        self._ttl = ttl
        self._clock = clock
        self._known: dict[str, tuple[float, Any]] = {}  # user id -> (read at, User or None)
        self._lock = threading.Lock()

    def check(self, principal: Principal) -> None:
        user = self._account(principal.user_id)
        if user is not None and not user.honours(principal.issued_at_ms):
            raise AuthenticationFailed("revoked")

    def forget(self, user_id: str) -> None:
        """This process changed the account: read it again at its next request."""
        with self._lock:
            self._known.pop(user_id, None)

    def _account(self, user_id: str) -> Any:
        now = self._clock()
        known = self._known.get(user_id)
        if known is not None and now - known[0] < self._ttl:
            return known[1]
        if user_id.startswith("service:"):
            return None
        uow = self._reader()
        with uow:
            user = uow.users.get(user_id)
        with self._lock:
            if len(self._known) >= _LIMIT:
                self._known.clear()
            self._known[user_id] = (now, user)
        return user
