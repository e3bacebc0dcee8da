"""Evaluation service settings (composition-root input)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from common.settings import CommonSettings, database_url

SERVICE = "evaluation"


@dataclass(frozen=True)
class Settings:
    """Everything the evaluation service's processes need, built once per process."""

    database_url: str = field(default="sqlite:///var/evaluation.db", repr=False)  # may hold a password
    common: CommonSettings = field(default_factory=CommonSettings)
    max_upload_bytes: int = 25 * 1024 * 1024
    presign_expiry_seconds: int = 300
    # argon2id parameters (argon2-cffi's defaults, RFC 9106 low-memory); stored hashes made with other
    # values are rehashed at the next sign-in.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # Failed sign-ins tolerated per (account, address) and per address within the window (0: no limit).
    login_max_failures: int = 5
    login_max_failures_per_address: int = 50
    login_failure_window_seconds: float = 300.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment once, in an entrypoint."""
        e = os.environ if env is None else env
        return cls(
            database_url=database_url(SERVICE, e),
            common=CommonSettings.from_env(e),
            max_upload_bytes=int(e.get("EVIDENCE_MAX_BYTES", str(cls.max_upload_bytes))),
            presign_expiry_seconds=int(e.get("EVIDENCE_URL_TTL_SECONDS", str(cls.presign_expiry_seconds))),
            argon2_time_cost=int(e.get("ARGON2_TIME_COST", str(cls.argon2_time_cost))),
            argon2_memory_kib=int(e.get("ARGON2_MEMORY_KIB", str(cls.argon2_memory_kib))),
            argon2_parallelism=int(e.get("ARGON2_PARALLELISM", str(cls.argon2_parallelism))),
            login_max_failures=int(e.get("LOGIN_MAX_FAILURES", str(cls.login_max_failures))),
            login_max_failures_per_address=int(
                e.get("LOGIN_MAX_FAILURES_PER_ADDRESS", str(cls.login_max_failures_per_address))
            ),
            login_failure_window_seconds=float(
                e.get("LOGIN_FAILURE_WINDOW_SECONDS", str(cls.login_failure_window_seconds))
            ),
        )
