"""Recipient resolvers: the evaluation service's user directory over HTTP, and unit group inboxes (adapter layer)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.notifications.domain.errors import RecipientLookupRejected, RecipientsUnavailable
from services.notifications.domain.model import Recipient, unit_recipient

logger = logging.getLogger(__name__)
PAGE_SIZE = 200
_MAX_CACHED = 10_000


class _Transient(Exception):
    """Worth asking again: no answer, 5xx, or a misconfiguration an operator will fix (401/403/404)."""


class HttpRecipientResolver:
    """Asks `GET {base_url}/users?role=<role>&covering=<admin unit code>` with a service token.

    Answers are cached for `ttl` seconds per (role, unit): a burst of events about one commune asks once.
    A failed question is retried a few times with backoff, then RecipientsUnavailable is raised so the
    consumer leaves the message for redelivery. Only 400/422 (the question itself is wrong) is final.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: Callable[[], str],
        ttl: float = 60.0,
        timeout: float = 5.0,
        tries: int = 3,
        wait: float = 0.2,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = base_url.rstrip("/") + "/users"
        self._token = token
        self._ttl = ttl
        self._timeout = timeout
        self._tries = tries
        self._wait = wait
        self._session = session or requests.Session()
        self._clock = clock
        self._cache: dict[tuple[str, str, str], tuple[float, list[Recipient]]] = {}
        self._lock = threading.Lock()

    def resolve(self, role: str, admin_unit_code: str, subject_id: str | None = None) -> list[Recipient]:
        """Users of a role whose scope contains the unit, optionally only those linked to one household
        (cached briefly)."""
        key = (role, admin_unit_code, subject_id or "")
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] > self._clock():
            return list(hit[1])
        found = self._ask(role, admin_unit_code, subject_id)
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[key] = (self._clock() + self._ttl, found)
        return list(found)

    def account(self, username: str) -> Recipient | None:
        """`GET /users?username=<username>`: the one account, active or locked (not cached: an account
        notice is rare, and follows a change to that very account)."""
        items = self._retried(lambda: self._page({"username": username})[0])
        found = [_recipient(item, "") for item in items if item.get("username") == username]
        return found[0] if found else None

    def _ask(self, role: str, unit: str, subject_id: str | None) -> list[Recipient]:
        return self._retried(lambda: self._all_pages(role, unit, subject_id))

    def _retried(self, ask: Callable[[], Any]) -> Any:
        """`ask()`, again after a transient failure; RecipientsUnavailable once the tries are spent."""
        retrying = Retrying(
            stop=stop_after_attempt(self._tries),
            wait=wait_exponential(multiplier=self._wait, max=2.0),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return ask()
        except _Transient as exc:
            raise RecipientsUnavailable(str(exc)) from exc
        raise AssertionError("unreachable")

    def _all_pages(self, role: str, unit: str, subject_id: str | None) -> list[Recipient]:
        params: dict[str, Any] = {"role": role, "covering": unit}
        if subject_id:
            params["subject_id"] = subject_id
        items, total = self._page(params)
        while len(items) < total:  # only when the directory pages: ask for the rest
            more, total = self._page({**params, "limit": PAGE_SIZE, "offset": len(items)})
            if not more:
                break
            items.extend(more)
        return [_recipient(item, role) for item in items]

    def _page(self, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        headers = {"Accept": "application/json"}
        token = self._token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._session.get(self._url, params=params, headers=headers, timeout=self._timeout)
        except requests.RequestException as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (400, 422):
            raise RecipientLookupRejected(
                "Danh bạ người dùng từ chối câu hỏi.",
                f"The user directory refused {params}: HTTP {response.status_code} {response.text[:300]}",
            )
        if response.status_code != 200:
            raise _Transient(f"HTTP {response.status_code} from {self._url}")
        try:
            data = response.json()
            items = list(data["items"])
        except (ValueError, KeyError, TypeError) as exc:
            raise _Transient(f"unreadable answer from {self._url}: {exc!r}") from exc
        return items, int(data.get("total", len(items)))


def _recipient(item: dict[str, Any], role: str) -> Recipient:
    return Recipient(
        username=str(item["username"]),
        full_name=str(item.get("full_name") or ""),
        email=item.get("email") or None,
        role=str(item.get("role") or role),
        scope_code=str(item.get("scope_code") or ""),
        subject_id=item.get("subject_id") or None,
    )


class UnitGroupResolver:
    """Every role over a unit is that unit's group inbox `unit:<code>` (no e-mail address).

    The behaviour before recipient resolution (issue #7); a consumer built without a resolver uses it.
    """

    def resolve(self, role: str, admin_unit_code: str, subject_id: str | None = None) -> list[Recipient]:
        """The unit's group recipient (staff read it; the subject does not narrow it)."""
        return [Recipient(username=unit_recipient(admin_unit_code), role=role, scope_code=admin_unit_code)]

    def account(self, username: str) -> Recipient | None:
        """The account's own inbox, by its username (no directory to give its e-mail address)."""
        return Recipient(username=username)
