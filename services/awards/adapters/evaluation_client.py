"""The evaluation service over HTTP with a service token: plans, admin units, recognition history
(adapter layer). The awards service never reads the evaluation tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from common.errors import DependencyUnavailable, NotFound
from services.awards.domain.eligibility import Recognition

PAGE_SIZE = 500


class _Transient(Exception):
    """No answer or a 5xx: worth asking again."""


class EvaluationClient:
    """`GET /plans/{code}`, `GET /admin-units/{code}` and `GET /recognitions` of the evaluation service."""

    def __init__(
        self,
        base_url: str,
        *,
        token: Callable[[], str],
        timeout: float = 10.0,
        tries: int = 3,
        wait: float = 0.2,
        session: requests.Session | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._tries = tries
        self._wait = wait
        self._session = session or requests.Session()

    def plan(self, code: str) -> dict[str, Any]:
        """The active version of a plan as data; NotFound when the evaluation service has none."""
        body = self._get(f"/plans/{code}", {}, missing=("kế hoạch", "plan", code))
        return dict(body["plan"])

    def admin_unit(self, code: str) -> dict[str, Any]:
        """One administrative unit (code, name, level, path); NotFound when unknown."""
        return self._get(f"/admin-units/{code}", {}, missing=("đơn vị hành chính", "admin unit", code))

    def recognitions(self, subject_id: str) -> list[Recognition]:
        """Every recognition of a subject (all titles, all years, revoked ones flagged)."""
        out: list[Recognition] = []
        page = 1
        while True:
            body = self._get(
                "/recognitions",
                {"subject_id": subject_id, "page": page, "page_size": PAGE_SIZE},
                missing=None,
            )
            items = list(body["items"])
            out += [Recognition(str(i["title"]), int(i["year"]), bool(i.get("revoked"))) for i in items]
            if not items or len(out) >= int(body.get("total", len(out))):
                return out
            page += 1

    def _get(self, path: str, params: dict[str, Any], *, missing: tuple[str, str, str] | None) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self._tries),
            wait=wait_exponential(multiplier=self._wait, max=2.0),
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(path, params, missing)
        except _Transient as exc:
            raise DependencyUnavailable("evaluation", str(exc)) from exc
        raise AssertionError("unreachable")

    def _once(self, path: str, params: dict[str, Any], missing: tuple[str, str, str] | None) -> Any:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._token()}"}
        try:
            response = self._session.get(
                self._base + path, params=params, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404 and missing is not None:
            vi, en, code = missing
            raise NotFound(f"Không tìm thấy {vi} {code}.", f"No {en} {code}.", errors={"code": [code]})
        if response.status_code >= 500:
            raise _Transient(f"HTTP {response.status_code} from {path}")
        if response.status_code != 200:
            # 401/403/404 on a path that must exist: a misconfiguration (secret, URL), not the caller's fault.
            raise DependencyUnavailable(
                "evaluation", f"HTTP {response.status_code} from {path}: {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise _Transient(f"unreadable answer from {path}") from exc
