"""Audit entries, their hashes and the verifier's verdicts (pure Python: the service layer builds
entries, an outside verifier recomputes hashes, neither needs a database).

An entry's hash is `sha256(prev_hash + canonical_json(body))` over UTF-8, where the body is every
recorded field plus the chain and the position in it (`entry_body`) and `prev_hash` is the hash of
the chain's previous entry, or `GENESIS` for the first.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from common.canonical import canonical_json, normalize, utc_text

GENESIS = "0" * 64  # the prev_hash of a chain's first entry
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Column widths, checked before writing so SQLite and PostgreSQL refuse the same entries.
LIMITS = {
    "chain": 200,
    "action": 100,
    "actor": 200,
    "role": 60,
    "on_behalf_of": 200,
    "criteria_set_key": 100,
    "workflow_id": 300,
    "run_id": 64,
    "entry_id": 36,
}
_TEXT_FIELDS = (
    "chain",
    "action",
    "actor",
    "role",
    "on_behalf_of",
    "reason",
    "criteria_set_key",
    "workflow_id",
    "run_id",
    "entry_id",
)


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class AuditEntry:
    """One action to record: who did what to which subject, when, why, and with what before and after."""

    chain: str  # the subject whose history this is, e.g. "case:<case id>"
    action: str  # "case.opened", "evidence.uploaded", "score.adjusted", ...
    actor: str
    role: str | None = None
    on_behalf_of: str | None = None  # the household a staff member acts for
    reason: str | None = None
    before: Any = None  # JSON-friendly state before the action
    after: Any = None
    criteria_set_key: str | None = None  # e.g. "gia-dinh-hoc-tap@2023.1"
    evidence_sha256: list[str] = field(default_factory=list)
    workflow_id: str | None = None
    run_id: str | None = None
    at: datetime = field(default_factory=_now)
    entry_id: str = field(default_factory=_new_id)


@dataclass(frozen=True, kw_only=True)
class StoredAuditEntry(AuditEntry):
    """An entry as the log holds it: its place in the chain and the hashes that link it."""

    seq: int
    position: int
    prev_hash: str
    hash: str


def entry_body(entry: AuditEntry, position: int) -> dict[str, Any]:
    """What the hash covers: every recorded field, the chain and the position. Absent (None) values are
    left out, so a field added later leaves the hashes of older entries unchanged."""
    body = {
        "entry_id": entry.entry_id,
        "chain": entry.chain,
        "position": position,
        "at": utc_text(entry.at),
        "action": entry.action,
        "actor": entry.actor,
        "role": entry.role,
        "on_behalf_of": entry.on_behalf_of,
        "reason": entry.reason,
        "before": entry.before,
        "after": entry.after,
        "criteria_set_key": entry.criteria_set_key,
        "evidence_sha256": list(entry.evidence_sha256),
        "workflow_id": entry.workflow_id,
        "run_id": entry.run_id,
    }
    return {key: value for key, value in body.items() if value is not None}


def entry_hash(prev_hash: str, body: dict[str, Any]) -> str:
    """sha256 (hex) of the previous hash followed by the body's canonical JSON, as UTF-8."""
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def normalized(entry: AuditEntry) -> AuditEntry:
    """The entry as it is stored and hashed: NFC text, JSON-ready states, lower-case digests, UTC time.

    Raises ValueError for an entry the log would refuse (missing actor, over-long field, bad digest)."""
    text: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(entry, name)
        text[name] = unicodedata.normalize("NFC", value) if isinstance(value, str) else value
    for name, limit in LIMITS.items():
        if text[name] is not None and len(text[name]) > limit:
            raise ValueError(f"audit {name} is longer than {limit} characters")
    if not text["chain"] or not text["action"] or not text["actor"]:
        raise ValueError("an audit entry needs a chain, an action and an actor")
    if entry.at.tzinfo is None:
        raise ValueError("naive datetime: audit times must be timezone-aware")
    digests = [d.lower() for d in entry.evidence_sha256]
    if not all(_SHA256.match(d) for d in digests):
        raise ValueError("evidence digests must be hex sha256")
    return replace(
        entry,
        **text,
        before=normalize(entry.before),
        after=normalize(entry.after),
        evidence_sha256=digests,
        at=entry.at.astimezone(UTC),
    )


@dataclass(frozen=True)
class VerifyResult:
    """One chain's verdict: `checked` entries verified before the first problem (all of them when ok)."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    # altered | broken_link | missing | duplicate | reordered | truncated | unanchored | head_mismatch |
    # no_head
    kind: str | None = None
    chain: str = ""


@dataclass(frozen=True)
class AuditReport:
    """Every chain's verdict: counts, and the problems found (at most `max_problems` of them)."""

    ok: bool
    chains: int
    entries: int
    bad_chains: int
    problems: list[VerifyResult] = field(default_factory=list)
