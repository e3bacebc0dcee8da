"""Failed sign-in throttling: sliding windows of failures per (account, address) and per address.

Only failures count, so a busy office signing many people in from one address is never slowed down; a
guesser is: after `per_account` failures for one account from one address within `window` seconds that
pair is refused (429, with Retry-After) until the oldest failure leaves the window, and after
`per_address` failures from one address (any accounts: password spraying) the address is refused. A
success forgets the account's failures from that address. The refusal comes before the password is
checked, so a throttled guess costs no argon2 time either.

State is in memory, per process: under gunicorn with W workers an attacker gets at most W × the limit
(requests are spread over the workers). Several replicas behind a load balancer need a shared store or
a limit at the ingress; see docs/security.md. Pure Python, thread-safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from common.errors import DomainError

_MAX_KEYS = 100_000  # memory bound: beyond it the oldest keys are forgotten


class TooManyAttempts(DomainError):
    """Too many failed sign-ins: wait `retry_after` seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry_after} giây.",
            f"Too many failed sign-ins. Try again in {retry_after} seconds.",
            errors={"retry_after": [str(retry_after)]},
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoginLimits:
    """How many failures are tolerated in `window` seconds; 0 turns a limit off."""

    per_account: int = 5
    per_address: int = 50
    window: float = 300.0


class LoginGuard:
    """Counts failed sign-ins and refuses the next try when a limit is reached."""

    def __init__(
        self, limits: LoginLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or LoginLimits()
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def check(self, account: str, address: str) -> None:
        """Raise TooManyAttempts when this account from this address, or this address, is throttled."""
        now = self._clock()
        waits = []
        with self._lock:
            for key, limit in self._keys(account, address):
                times = self._recent(key, now)
                if limit and len(times) >= limit:
                    waits.append(times[len(times) - limit] + self.limits.window - now)
        if waits:
            raise TooManyAttempts(max(1, math.ceil(max(waits))))

    def failed(self, account: str, address: str) -> None:
        """Record one failed sign-in."""
        now = self._clock()
        with self._lock:
            if len(self._failures) >= _MAX_KEYS:
                for key in list(self._failures)[: _MAX_KEYS // 10]:
                    del self._failures[key]
            for key, _ in self._keys(account, address):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, account: str, address: str) -> None:
        """Forget this account's failures from this address (the address's count stays)."""
        with self._lock:
            self._failures.pop(("account", f"{_norm(account)}|{address}"), None)

    def _keys(self, account: str, address: str) -> list[tuple[tuple[str, str], int]]:
        return [
            (("account", f"{_norm(account)}|{address}"), self.limits.per_account),
            (("address", address), self.limits.per_address),
        ]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.limits.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times


def _norm(account: str) -> str:
    return account.strip().lower()
