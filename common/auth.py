"""Who is calling: roles, the signed-in principal, stateless tokens and scope checks (pure, no Flask)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from common.errors import DomainError
from common.settings import DEFAULT_TOKEN_MAX_AGE_SECONDS

HOUSEHOLD_REPRESENTATIVE = "household_representative"
VILLAGE_OFFICER = "village_officer"
COMMUNE_ASSOCIATION_OFFICER = "commune_association_officer"
LEARNING_CENTRE_STAFF = "learning_centre_staff"
COMMUNE_CHAIRMAN = "commune_chairman"
UNIT_HEAD = "unit_head"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"

ROLES = (
    HOUSEHOLD_REPRESENTATIVE,
    VILLAGE_OFFICER,
    COMMUNE_ASSOCIATION_OFFICER,
    LEARNING_CENTRE_STAFF,
    COMMUNE_CHAIRMAN,
    UNIT_HEAD,
    AUDITOR,
    ADMINISTRATOR,
)
ALL_ROLES = frozenset(ROLES)
# People working for the commune, its association, its learning centre or a unit: they may act on behalf
# of a household (entering its paper form). Auditors only read; households act for themselves.
STAFF_ROLES = frozenset(
    {
        VILLAGE_OFFICER,
        COMMUNE_ASSOCIATION_OFFICER,
        LEARNING_CENTRE_STAFF,
        COMMUNE_CHAIRMAN,
        UNIT_HEAD,
        ADMINISTRATOR,
    }
)
# Everyone who may change a case (open it, upload evidence, take a step); auditors never do.
CASE_WRITERS = STAFF_ROLES | {HOUSEHOLD_REPRESENTATIVE}
# Who may read the registers of households, clans, units and citizens (personal data).
REGISTER_READERS = STAFF_ROLES | {AUDITOR}
# Who maintains reference data of a commune: its villages and its subject registers.
REGISTER_KEEPERS = frozenset({ADMINISTRATOR, COMMUNE_ASSOCIATION_OFFICER})
# Who may hand a case to someone else.
SUPERVISORS = frozenset({COMMUNE_ASSOCIATION_OFFICER, COMMUNE_CHAIRMAN, ADMINISTRATOR})
# Who may read a case's audit history (who scored what, who changed it and why).
HISTORY_READERS = STAFF_ROLES | {AUDITOR}
# Who may verify every audit chain at once (national users only: it spans the whole country).
CHAIN_VERIFIERS = frozenset({AUDITOR, ADMINISTRATOR})
# Who judges evidence files: the reviewing levels (the workflow decides which level reviews when).
EVIDENCE_REVIEWERS = frozenset(
    {VILLAGE_OFFICER, COMMUNE_ASSOCIATION_OFFICER, LEARNING_CENTRE_STAFF, ADMINISTRATOR}
)

NATIONAL_SCOPE_PATH = ""  # a user without a scope unit sees the whole country
_TOKEN_SALT = "learning-society/auth-token/v1"

Clock = Callable[[], float]


class AuthenticationFailed(DomainError):
    """No valid credentials: missing, malformed, tampered or expired token, or wrong login."""

    status = 401
    code = "unauthorized"

    _MESSAGES = {
        "invalid_credentials": ("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
        "expired": (
            "Phiên đăng nhập đã hết hạn, hãy đăng nhập lại.",
            "The sign-in has expired; sign in again.",
        ),
        "revoked": (
            "Phiên đăng nhập đã bị thu hồi (tài khoản bị khóa, đổi mật khẩu hoặc đăng xuất), hãy đăng nhập lại.",
            "The sign-in was revoked (account locked, password changed or signed out); sign in again.",
        ),
    }

    def __init__(self, reason: str = "invalid") -> None:
        vi, en = self._MESSAGES.get(reason, ("Cần đăng nhập.", "Sign-in required."))
        super().__init__(vi, en, errors={"auth": [reason]})
        self.reason = reason


class PermissionDenied(DomainError):
    """Signed in, but this role may not do this."""

    status = 403
    code = "forbidden"

    def __init__(
        self,
        message_vi: str = "Bạn không có quyền thực hiện thao tác này.",
        message_en: str = "Your role may not do this.",
    ) -> None:
        super().__init__(message_vi, message_en)


@dataclass(frozen=True)
class Principal:
    """The signed-in user as every service sees it; `on_behalf_of` names the household or citizen a
    staff member is acting for in this request (None when acting for themselves)."""

    user_id: str
    username: str
    role: str
    scope_code: str | None
    scope_path: str
    on_behalf_of: str | None = None
    subject_id: str | None = None  # a household representative's own household: the only one it sees
    # When its token was issued (Unix milliseconds; 0 when not from a token): a token issued before its
    # account's revocation time no longer counts.
    issued_at_ms: int = field(default=0, compare=False)

    @property
    def is_staff(self) -> bool:
        """Whether this role works for an administration (and so may act on behalf of a household)."""
        return self.role in STAFF_ROLES

    @property
    def is_national(self) -> bool:
        """Whether the scope is the whole country."""
        return self.scope_path == NATIONAL_SCOPE_PATH

    def acting_for(self, subject: str | None) -> Principal:
        """The same principal acting on behalf of `subject`; only staff roles may (PermissionDenied)."""
        if not subject:
            return replace(self, on_behalf_of=None)
        if not self.is_staff:
            raise PermissionDenied(
                "Chỉ cán bộ mới được thao tác thay hộ gia đình.", "Only staff may act on behalf of someone."
            )
        return replace(self, on_behalf_of=subject)


def is_within(unit_path: str, scope_path: str) -> bool:
    """True when the unit at `unit_path` is the scope unit or lies below it (the national scope holds all)."""
    if scope_path == NATIONAL_SCOPE_PATH:
        return True
    return unit_path == scope_path or unit_path.startswith(scope_path + "/")


def in_scope(principal: Principal, unit_path: str) -> bool:
    """True when the unit at `unit_path` lies within the principal's admin-unit subtree."""
    return is_within(unit_path, principal.scope_path)


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token and when it stops being accepted."""

    token: str
    expires_at: datetime


@functools.lru_cache(maxsize=16)
def _serializer(keys: tuple[str, ...], clock: Clock) -> URLSafeTimedSerializer:
    """Built once per keys and clock: every request verifies a token (a class per call cost ≈ 0.1 ms).
    `keys`: the signing key first, then the fallbacks; itsdangerous signs with its list's last key and
    tries them newest (last) first, hence the reversal."""

    class _Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return URLSafeTimedSerializer(list(reversed(keys)), salt=_TOKEN_SALT, signer=_Signer)


def issue_token(
    principal: Principal,
    *,
    secret_key: str,
    max_age_seconds: int = DEFAULT_TOKEN_MAX_AGE_SECONDS,
    clock: Clock = time.time,
) -> IssuedToken:
    """Sign the principal (without on_behalf_of: that is per request) into a stateless bearer token."""
    now = clock()
    issued_at = int(now)
    payload = {
        "iat": int(now * 1000),  # the signer's timestamp is whole seconds: revocation needs finer
        "sub": principal.user_id,
        "usr": principal.username,
        "rol": principal.role,
        "sc": principal.scope_code,
        "sp": principal.scope_path,
    }
    if principal.subject_id is not None:
        payload["sj"] = principal.subject_id
    token = _serializer((secret_key,), lambda: issued_at).dumps(payload)
    return IssuedToken(token=str(token), expires_at=datetime.fromtimestamp(issued_at + max_age_seconds, UTC))


# Tokens whose signature was checked already, with the principal and the time they were signed: a
# client sends the same token with every request, and its HMAC need not be checked again each time.
# Only the signature's verdict is kept; the age is judged on every request (an expired token stays
# expired), and revocation is the caller's check (TokenStatus), never cached here.
_VERIFIED: dict[tuple[tuple[str, ...], str], tuple[Principal, float]] = {}
_MAX_VERIFIED = 10_000  # a process's active tokens; the table is emptied when full (a cache, not a store)


def verify_token(
    token: str,
    *,
    secret_key: str,
    fallback_keys: Sequence[str] = (),
    max_age_seconds: int = DEFAULT_TOKEN_MAX_AGE_SECONDS,
    clock: Clock = time.time,
) -> Principal:
    """The principal a token was issued to; AuthenticationFailed("expired" or "invalid") otherwise.
    A token signed with one of `fallback_keys` (keys being rotated out) counts as well."""
    keys = (secret_key, *fallback_keys)
    known = _VERIFIED.get((keys, token))
    if known is not None:
        principal, signed_at = known
        if clock() - signed_at > max_age_seconds:
            raise AuthenticationFailed("expired")
        return principal
    principal, signed_at = _verify_signature(token, keys=keys, max_age_seconds=max_age_seconds, clock=clock)
    if len(_VERIFIED) >= _MAX_VERIFIED:
        _VERIFIED.clear()
    _VERIFIED[(keys, token)] = (principal, signed_at)
    return principal


def _verify_signature(
    token: str, *, keys: tuple[str, ...], max_age_seconds: int, clock: Clock
) -> tuple[Principal, float]:
    """`verify_token`'s check of the signature, the age and the payload; with the signing time."""
    try:
        payload, signed_at = _serializer(keys, clock).loads(
            token, max_age=max_age_seconds, return_timestamp=True
        )
    except SignatureExpired as exc:
        raise AuthenticationFailed("expired") from exc
    except BadData as exc:
        raise AuthenticationFailed("invalid") from exc
    try:
        principal = Principal(
            user_id=_text(payload["sub"]),
            username=_text(payload["usr"]),
            role=_text(payload["rol"]),
            scope_code=None if payload["sc"] is None else _text(payload["sc"]),
            scope_path=payload["sp"] if isinstance(payload["sp"], str) else _text(payload["sp"]),
            subject_id=None if payload.get("sj") is None else _text(payload["sj"]),
            issued_at_ms=int(payload.get("iat") or signed_at.timestamp() * 1000),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AuthenticationFailed("invalid") from exc
    national = principal.scope_code is None
    if principal.role not in ALL_ROLES or national != (principal.scope_path == NATIONAL_SCOPE_PATH):
        raise AuthenticationFailed("invalid")
    return principal, signed_at.timestamp()


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def service_token_provider(
    service: str,
    *,
    secret_key: str,
    max_age_seconds: int = DEFAULT_TOKEN_MAX_AGE_SECONDS,
    clock: Clock = time.time,
) -> Callable[[], str]:
    """A fresh token for a service calling another service (a national administrator principal named
    `service:<name>`), minted with the shared secret and renewed when half its life has passed."""
    principal = Principal(
        user_id=f"service:{service}",
        username=f"service:{service}",
        role=ADMINISTRATOR,
        scope_code=None,
        scope_path=NATIONAL_SCOPE_PATH,
    )
    cached: dict[str, Any] = {}

    def token() -> str:
        now = clock()
        if not cached or now - cached["at"] > max_age_seconds / 2:
            cached.update(
                at=now,
                token=issue_token(
                    principal, secret_key=secret_key, max_age_seconds=max_age_seconds, clock=clock
                ).token,
            )
        return str(cached["token"])

    return token
