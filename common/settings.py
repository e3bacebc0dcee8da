"""Settings shared by every process: addresses of the embedded stack, overridable by environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# Embedded-stack defaults: one machine, no set-up (see infra/embedded.env and README).
DEFAULT_BROKER_URL = "sqla+sqlite:///var/broker.db"
DEFAULT_S3_ACCESS_KEY = "learning-society-dev"
DEFAULT_S3_SECRET_KEY = "learning-society-dev-secret-key"
# Signs bearer tokens; this fixed value is for the embedded dev stack only (set SECRET_KEY in production).
DEFAULT_SECRET_KEY = "learning-society-dev-secret-change-me"
DEFAULT_TOKEN_MAX_AGE_SECONDS = 12 * 3600
MIN_SECRET_KEY_LENGTH = 16


@dataclass(frozen=True)
class CommonSettings:
    """Addresses every process needs; built once in each entrypoint and passed down."""

    broker_url: str = DEFAULT_BROKER_URL
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = DEFAULT_S3_ACCESS_KEY
    s3_secret_key: str = DEFAULT_S3_SECRET_KEY
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    evidence_bucket: str = "evidence"
    # The audit trail's anchors (common/audit_anchor.py): a bucket of their own, ideally write-once.
    audit_anchor_bucket: str = "audit-anchors"
    evaluation_url: str = "http://127.0.0.1:8001"
    awards_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    secret_key: str = DEFAULT_SECRET_KEY
    # Keys that signed earlier tokens, still accepted while a rotation runs (never used to sign):
    # docs/security.md "Rotating the signing key".
    secret_key_fallbacks: tuple[str, ...] = ()
    token_max_age_seconds: int = DEFAULT_TOKEN_MAX_AGE_SECONDS
    # How long a process trusts what it learnt of an account (locked? tokens revoked since?): a
    # revocation made elsewhere holds within this many seconds (docs/security.md).
    token_status_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CommonSettings:
        """Read the environment (the only place besides service configs that does)."""
        e = os.environ if env is None else env
        d = cls()
        secret_key = e.get("SECRET_KEY", d.secret_key)
        if len(secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"SECRET_KEY must have at least {MIN_SECRET_KEY_LENGTH} characters")
        fallbacks = secret_key_list("SECRET_KEY_FALLBACKS", e.get("SECRET_KEY_FALLBACKS", ""), secret_key)
        return cls(
            broker_url=e.get("BROKER_URL", d.broker_url),
            temporal_address=e.get("TEMPORAL_ADDRESS", d.temporal_address),
            temporal_namespace=e.get("TEMPORAL_NAMESPACE", d.temporal_namespace),
            s3_endpoint=e.get("S3_ENDPOINT", d.s3_endpoint),
            s3_access_key=e.get("S3_ACCESS_KEY", d.s3_access_key),
            s3_secret_key=e.get("S3_SECRET_KEY", d.s3_secret_key),
            s3_secure=e.get("S3_SECURE", "false").lower() in ("1", "true", "yes"),
            s3_region=e.get("S3_REGION", d.s3_region),
            evidence_bucket=e.get("EVIDENCE_BUCKET", d.evidence_bucket),
            audit_anchor_bucket=e.get("AUDIT_ANCHOR_BUCKET", d.audit_anchor_bucket),
            evaluation_url=e.get("EVALUATION_URL", d.evaluation_url),
            awards_url=e.get("AWARDS_URL", d.awards_url),
            notifications_url=e.get("NOTIFICATIONS_URL", d.notifications_url),
            secret_key=secret_key,
            secret_key_fallbacks=fallbacks,
            token_max_age_seconds=int(e.get("TOKEN_MAX_AGE_SECONDS", str(d.token_max_age_seconds))),
            token_status_seconds=float(e.get("TOKEN_STATUS_SECONDS", str(d.token_status_seconds))),
        )

    def __repr__(self) -> str:  # secrets are never logged
        return f"CommonSettings(broker={self.broker_url.split('@')[-1]}, temporal={self.temporal_address})"

    @property
    def uses_dev_secret(self) -> bool:
        """Whether tokens are signed with the embedded development secret (fine only on the dev stack)."""
        return self.secret_key == DEFAULT_SECRET_KEY


def secret_key_list(name: str, value: str, current: str) -> tuple[str, ...]:
    """The comma-separated keys of `name`, in the order given, without blanks, repeats or the current
    key; a key shorter than a signing key may be is refused (a typo should not go unnoticed)."""
    keys: list[str] = []
    for position, key in enumerate((k.strip() for k in value.split(",")), start=1):
        if not key or key == current or key in keys:
            continue
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"{name}: key {position} must have at least {MIN_SECRET_KEY_LENGTH} characters")
        keys.append(key)
    return tuple(keys)


def database_url(service: str, env: Mapping[str, str] | None = None) -> str:
    """The database URL of one service: <SERVICE>_DATABASE_URL, else a SQLite file under var/."""
    e = os.environ if env is None else env
    return e.get(f"{service.upper()}_DATABASE_URL", f"sqlite:///var/{service}.db")
