"""Anchors of the audit trail kept outside its database (docs/audit.md, "Anchors").

A hash chain in the database proves nothing against someone who rewrites a chain from the changed entry
to its head, recomputing every hash (the algorithm has no key). An anchor closes that: a digest over the
hashes of every entry appended since the previous anchor (in `seq` order), chained to the previous
anchor's digest, stored in object storage — another system, other credentials, ideally write-once.
Checking the anchors later recomputes each digest from the database: an entry rewritten, inserted or
removed within an anchored range changes it. Each anchor reads only the entries since the last one.

An anchor covers the entries appended at least `settle` ago: `seq` is handed out at insert and a
transaction may commit after one with a higher `seq`, so the newest entries wait until every writer that
could still commit below them is done (audit entries are appended just before COMMIT).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

GENESIS = "0" * 64  # the digest before the first anchor
DEFAULT_SETTLE = timedelta(minutes=5)
PREFIX = "audit-anchors"
_MAX_ANCHOR_BYTES = 64 * 1024
_BATCH = 10_000


@dataclass(frozen=True)
class Anchor:
    """The entries with `seq_from < seq <= seq_to` of one service's audit log, digested."""

    service: str
    seq_from: int
    seq_to: int
    entries: int
    prev_digest: str
    digest: str
    taken_at: str  # ISO 8601, UTC

    def key(self) -> str:
        """Its object key: sorted by position in the log."""
        return f"{PREFIX}/{self.service}/{self.seq_to:015d}.json"


@dataclass(frozen=True)
class AnchorProblem:
    """An anchor the database no longer matches (`rewritten`) or a gap or change in the anchors
    themselves (`broken_sequence`)."""

    kind: str
    seq_from: int
    seq_to: int
    problem: str


class AnchorStorage(Protocol):
    """The object storage port the anchors need (common/storage.ObjectStorage)."""

    def put_stream(self, key: str, stream: Any, *, content_type: str, max_bytes: int) -> Any: ...
    def iter_object(self, key: str) -> Iterable[bytes]: ...
    def keys(self, prefix: str) -> list[str]: ...


def _digest(
    conn: Connection, table: sa.Table, prev_digest: str, seq_from: int, seq_to: int
) -> tuple[str, int]:
    """The digest of the range's (seq, hash) pairs in order after `prev_digest`, and how many there are;
    read a batch at a time by `seq` (memory stays bounded, and no server-side cursor: the reading
    connections of PostgreSQL run outside a transaction)."""
    digest = hashlib.sha256(prev_digest.encode())
    count, after = 0, seq_from
    while True:
        rows = conn.execute(
            sa.select(table.c.seq, table.c.hash)
            .where(table.c.seq > after, table.c.seq <= seq_to)
            .order_by(table.c.seq)
            .limit(_BATCH)
        ).all()
        for seq, entry_hash in rows:
            digest.update(f"\n{seq}:{entry_hash}".encode())
        count += len(rows)
        if len(rows) < _BATCH:
            return digest.hexdigest(), count
        after = rows[-1].seq


def next_anchor(
    conn: Connection,
    table: sa.Table,
    *,
    service: str,
    last: Anchor | None,
    now: datetime | None = None,
    settle: timedelta = DEFAULT_SETTLE,
) -> Anchor | None:
    """The anchor of the entries appended since `last` and at least `settle` ago; None when there are none."""
    now = now or datetime.now(UTC)
    seq_from = last.seq_to if last else 0
    seq_to = conn.execute(
        sa.select(sa.func.max(table.c.seq)).where(table.c.seq > seq_from, table.c.occurred_at <= now - settle)
    ).scalar_one()
    if seq_to is None:
        return None
    prev = last.digest if last else GENESIS
    digest, count = _digest(conn, table, prev, seq_from, int(seq_to))
    return Anchor(service, seq_from, int(seq_to), count, prev, digest, now.astimezone(UTC).isoformat())


def check_anchors(conn: Connection, table: sa.Table, anchors: list[Anchor]) -> list[AnchorProblem]:
    """Recompute every anchor from the database; each problem found. Every anchor must follow one that
    is stored (or the start): one removed or changed leaves its successor following nothing. Two anchors
    taken at once from the same predecessor overlap; both are checked, and whichever the next one
    followed carries the sequence on."""
    problems = []
    stored = {(GENESIS, 0)} | {(a.digest, a.seq_to) for a in anchors}
    for anchor in sorted(anchors, key=lambda a: (a.seq_to, a.seq_from)):
        if (anchor.prev_digest, anchor.seq_from) not in stored:
            problems.append(
                AnchorProblem(
                    "broken_sequence",
                    anchor.seq_from,
                    anchor.seq_to,
                    f"follows no stored anchor ending at {anchor.seq_from} (one was removed or changed)",
                )
            )
        digest, count = _digest(conn, table, anchor.prev_digest, anchor.seq_from, anchor.seq_to)
        if digest != anchor.digest or count != anchor.entries:
            problems.append(
                AnchorProblem(
                    "rewritten",
                    anchor.seq_from,
                    anchor.seq_to,
                    f"entries {anchor.seq_from + 1}–{anchor.seq_to}: {count} now, {anchor.entries} anchored; "
                    "their digest differs (an entry was rewritten, inserted or removed)",
                )
            )
    return problems


class AnchorStore:
    """One service's anchors in object storage, one JSON object each."""

    def __init__(self, storage: AnchorStorage, service: str) -> None:
        self._storage, self._service = storage, service

    def all(self) -> list[Anchor]:
        """Every anchor of the service, oldest first."""
        return [self._read(key) for key in self._keys()]

    def last(self) -> Anchor | None:
        """The newest anchor, or None before the first."""
        keys = self._keys()
        return self._read(keys[-1]) if keys else None

    def _keys(self) -> list[str]:
        """The service's anchor keys in log order (their names sort by `seq_to`)."""
        return sorted(self._storage.keys(f"{PREFIX}/{self._service}/"))

    def put(self, anchor: Anchor) -> None:
        body = json.dumps(asdict(anchor), sort_keys=True).encode()
        self._storage.put_stream(
            anchor.key(), io.BytesIO(body), content_type="application/json", max_bytes=_MAX_ANCHOR_BYTES
        )

    def _read(self, key: str) -> Anchor:
        return Anchor(**json.loads(b"".join(self._storage.iter_object(key))))


def take_anchor(
    engine: Engine, table: sa.Table, store: AnchorStore, *, service: str, settle: timedelta = DEFAULT_SETTLE
) -> Anchor | None:
    """Anchor what was appended since the last anchor (None when nothing new has settled). Taking the same
    anchor twice writes the same object (its key is its range): harmless."""
    last = store.last()
    with engine.connect() as conn:
        anchor = next_anchor(conn, table, service=service, last=last, settle=settle)
    if anchor is not None:
        store.put(anchor)
    return anchor


def verify_anchors(engine: Engine, table: sa.Table, store: AnchorStore) -> tuple[int, list[AnchorProblem]]:
    """How many anchors there are, and every problem recomputing them from the database finds."""
    anchors = store.all()
    with engine.connect() as conn:
        return len(anchors), check_anchors(conn, table, anchors)
