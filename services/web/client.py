"""HTTP clients of the three services: the only way the web reaches data (adapter layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

UNAVAILABLE = {
    "vi": "Dịch vụ {name} đang không phản hồi, hãy thử lại sau.",
    "en": "The {name} service is not answering; try again later.",
}


@dataclass
class ApiError(Exception):
    """A service's error envelope: status, code, message (in the caller's language) and field errors."""

    status: int
    message: str
    code: str = "error"
    errors: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def field_messages(self) -> dict[str, list[str]]:
        """Field errors flattened to `{field: [reason, ...]}` (marshmallow nests json/form/query)."""
        flat: dict[str, list[str]] = {}

        def walk(prefix: str, value: Any) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    name = key if prefix in ("", "json", "form", "query", "files") else f"{prefix}.{key}"
                    walk(name, inner)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                flat.setdefault(prefix, []).extend(value)
            else:
                flat.setdefault(prefix, []).append(str(value))

        walk("", self.errors or {})
        return flat


class ServiceClient:
    """One service's API: JSON in and out, the caller's token and language forwarded on every call."""

    def __init__(
        self, name: str, base_url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 30
    ) -> None:
        self.name = name
        self._http = httpx.Client(base_url=base_url.rstrip("/"), transport=transport, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        lang: str = "vi",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send one request; a 4xx/5xx answer raises ApiError with the service's envelope."""
        sent = {"Accept-Language": lang, "Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, path, headers=sent, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(
                503, UNAVAILABLE.get(lang, UNAVAILABLE["vi"]).format(name=self.name), "unavailable"
            ) from exc
        if response.status_code >= 400:
            raise _error_of(response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def close(self) -> None:
        self._http.close()


def _error_of(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiError(
        status=response.status_code,
        message=str(body.get("message") or response.reason_phrase),
        code=str(body.get("code") or "error"),
        errors=body.get("errors") or {},
    )
