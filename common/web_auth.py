"""Flask side of sign-in: bearer tokens, the request's principal, role and scope checks (entrypoint layer).

`init_auth(app, ...)` makes every endpoint require a valid token except the public ones (health, the
OpenAPI document, and views decorated with `@public`); views then call `require_roles` and
`require_scope`. Out of scope is answered like a missing resource (404), so nothing leaks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_smorest import Api

from common.auth import (
    NATIONAL_SCOPE_PATH,
    AuthenticationFailed,
    PermissionDenied,
    Principal,
    in_scope,
    verify_token,
)
from common.errors import DomainError, NotFound, ValidationFailed
from common.web import envelope, wants_english

ON_BEHALF_OF_HEADER = "X-On-Behalf-Of"
SECURITY_SCHEME = "bearerAuth"
PUBLIC_ENDPOINTS = frozenset({"static", "health.Health"})
_EXTENSION = "auth"
_MAX_TOKEN_LENGTH = 4096
_MAX_ON_BEHALF_LENGTH = 120

T = TypeVar("T")


@dataclass(frozen=True)
class TokenConfig:
    """How this app verifies tokens (the same key in every service: tokens are stateless)."""

    secret_key: str
    max_age_seconds: int
    public_endpoints: frozenset[str]
    # Keys being rotated out: tokens they signed still count until they expire (docs/security.md).
    fallback_keys: tuple[str, ...] = ()
    # Raises AuthenticationFailed("revoked") for a well-signed token its account no longer honours
    # (locked, password changed, signed out); None: every well-signed, unexpired token counts.
    token_check: Callable[[Principal], None] | None = None

    def __repr__(self) -> str:  # the key is never logged
        return f"TokenConfig(max_age_seconds={self.max_age_seconds})"


def public(view_class: T) -> T:
    """Class decorator: this MethodView answers without a token (sign-in itself, for one)."""
    view_class.auth_public = True  # type: ignore[attr-defined]
    return view_class


def init_auth(
    app: Flask,
    api: Api | None = None,
    *,
    secret_key: str,
    max_age_seconds: int,
    fallback_keys: Iterable[str] = (),
    public_endpoints: Iterable[str] = (),
    token_check: Callable[[Principal], None] | None = None,
) -> None:
    """Require a valid bearer token on every endpoint that is not public; answer 401 in the envelope.
    With `api`, the OpenAPI document declares the bearer scheme as required by default."""
    if api is not None:
        api.spec.components.security_scheme(SECURITY_SCHEME, {"type": "http", "scheme": "bearer"})
        api.spec.options["security"] = [{SECURITY_SCHEME: []}]
    app.extensions[_EXTENSION] = TokenConfig(
        secret_key=secret_key,
        max_age_seconds=max_age_seconds,
        fallback_keys=tuple(fallback_keys),
        public_endpoints=PUBLIC_ENDPOINTS | frozenset(public_endpoints),
        token_check=token_check,
    )
    app.before_request(_authenticate_unless_public)
    app.register_error_handler(AuthenticationFailed, _unauthorized)


def is_public(app: Flask, endpoint: str | None) -> bool:
    """Whether an endpoint answers without a token."""
    if endpoint is None:
        return True  # no route matched: Flask answers 404/405 on its own
    config: TokenConfig = app.extensions[_EXTENSION]
    if endpoint in config.public_endpoints or endpoint.startswith("api-docs."):
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(getattr(view, "view_class", view), "auth_public", False))


def _authenticate_unless_public() -> None:
    if request.method == "OPTIONS" or is_public(current_app, request.endpoint):
        return
    current_principal()


def _unauthorized(exc: AuthenticationFailed) -> Any:
    body, status = envelope(
        exc.status, exc.code, exc.message_for(wants_english()), exc.errors_for(wants_english())
    )
    challenge = 'Bearer realm="learning-society"'
    if exc.reason in ("expired", "invalid"):
        challenge += ', error="invalid_token"'
    return body, status, {"WWW-Authenticate": challenge}


def bearer_token() -> str:
    """The token of `Authorization: Bearer <token>`; AuthenticationFailed("missing") without one."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("missing")
    if len(token) > _MAX_TOKEN_LENGTH:
        raise AuthenticationFailed("invalid")
    return token


def _on_behalf_of() -> str | None:
    raw = request.headers.get(ON_BEHALF_OF_HEADER)
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if len(value) > _MAX_ON_BEHALF_LENGTH or not value.isprintable():
        raise ValidationFailed(
            "Tiêu đề X-On-Behalf-Of không hợp lệ.",
            "Malformed X-On-Behalf-Of header.",
            errors={ON_BEHALF_OF_HEADER: [f"Tối đa {_MAX_ON_BEHALF_LENGTH} ký tự in được."]},
            errors_en={ON_BEHALF_OF_HEADER: [f"At most {_MAX_ON_BEHALF_LENGTH} printable characters."]},
        )
    return value


def current_principal() -> Principal:
    """Who is calling (verified once per request); AuthenticationFailed (401) without a valid token,
    PermissionDenied (403) when a non-staff role sends X-On-Behalf-Of."""
    cached = g.get("principal")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    config: TokenConfig = current_app.extensions[_EXTENSION]
    verified = verify_token(
        bearer_token(),
        secret_key=config.secret_key,
        fallback_keys=config.fallback_keys,
        max_age_seconds=config.max_age_seconds,
    )
    if config.token_check is not None:
        config.token_check(verified)
    principal = verified.acting_for(_on_behalf_of())
    g.principal = principal
    return principal


def require_roles(*roles: str | Iterable[str]) -> Principal:
    """The caller, if their role is one of `roles` (names or groups of names); PermissionDenied otherwise."""
    allowed: set[str] = set()
    for role in roles:
        allowed.update([role] if isinstance(role, str) else role)
    principal = current_principal()
    if principal.role not in allowed:
        raise PermissionDenied()
    return principal


def require_scope(unit_path: str | None, *, not_found: DomainError | None = None) -> Principal:
    """The caller, if the unit at `unit_path` is within their scope; otherwise `not_found` (404), the
    same answer as for something that does not exist. Something placed in no known unit (None) counts as
    the top of the tree: only national users reach it."""
    principal = current_principal()
    if not in_scope(principal, NATIONAL_SCOPE_PATH if unit_path is None else unit_path):
        raise not_found or NotFound("Không tìm thấy.", "Not found.")
    return principal
