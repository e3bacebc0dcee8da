"""Tamper-evident audit trail: append-only log, hash-chained per subject, and its verification
(adapter layer; entries and hashing are in `common.audit_entry`).

One chain per subject (`case:<id>`): verifying one case reads only its own rows (by index), and no
single row is shared by every writer in the country. `audit_heads` keeps each chain's newest position
and hash. It serves as the lock and as the anchor:
- lock: appends to one chain serialise on `SELECT ... FOR UPDATE` of its head row on PostgreSQL (held
  only from `append` to the commit, which the unit of work does last); SQLite has one writer, and the
  project's engine begins every transaction IMMEDIATE. A unique (chain, position) constraint backs the
  lock: a writer that bypassed it still could not fork a chain.
- anchor: deleting a chain's newest entries leaves the head pointing past the end, which `verify_chain`
  reports.
The application only inserts log rows, never updates or deletes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from common.audit_anchor import Anchor, AnchorProblem, check_anchors
from common.audit_entry import (
    GENESIS,
    AuditEntry,
    AuditReport,
    StoredAuditEntry,
    VerifyResult,
    entry_body,
    entry_hash,
    normalized,
)
from common.canonical import canonical_json
from common.db import UTCDateTime, upsert_statement

LOG_TABLE = "audit_log"
HEADS_TABLE = "audit_heads"
_RETRIES = 3


def audit_table(metadata: sa.MetaData) -> sa.Table:
    """The append-only audit log; declares its heads table in the same metadata too."""
    audit_heads_table(metadata)
    return sa.Table(
        LOG_TABLE,
        metadata,
        # 64-bit: ~27M cases x tens of entries over 2023-2030 passes 2^31 rows (SQLite needs INTEGER).
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("entry_id", sa.String(36), nullable=False, unique=True),
        sa.Column("chain", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(60), nullable=True),
        sa.Column("on_behalf_of", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("before_state", sa.Text, nullable=True),  # canonical JSON
        sa.Column("after_state", sa.Text, nullable=True),  # canonical JSON
        sa.Column("criteria_set_key", sa.String(100), nullable=True),
        sa.Column("evidence_sha256", sa.Text, nullable=False),  # canonical JSON list
        sa.Column("workflow_id", sa.String(300), nullable=True),
        sa.Column("run_id", sa.String(64), nullable=True),
        # One entry per place in a chain (no fork even without the lock); also the history's index.
        sa.UniqueConstraint("chain", "position", name="uq_audit_log_chain_position"),
    )


def audit_heads_table(metadata: sa.MetaData) -> sa.Table:
    """The newest position and hash of every chain (declared once per metadata)."""
    if HEADS_TABLE in metadata.tables:
        return metadata.tables[HEADS_TABLE]
    return sa.Table(
        HEADS_TABLE,
        metadata,
        sa.Column("chain", sa.String(200), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )


def _heads(table: sa.Table) -> sa.Table:
    return table.metadata.tables[HEADS_TABLE]


# --- writing ------------------------------------------------------------------------------------


def append(conn: Connection, table: sa.Table, entry: AuditEntry) -> StoredAuditEntry:
    """Append one entry to its chain inside the caller's transaction."""
    return append_many(conn, table, [entry])[0]


def append_many(conn: Connection, table: sa.Table, entries: Sequence[AuditEntry]) -> list[StoredAuditEntry]:
    """Append entries inside the caller's transaction, each chain's in the given order; returns them stored."""
    heads = _heads(table)
    ready = [normalized(e) for e in entries]  # refuse a bad entry before any lock is taken
    stored: dict[int, StoredAuditEntry] = {}
    # Chains are locked in sorted order, so two transactions writing to the same chains never wait on
    # each other crosswise (deadlock); the sort is stable, so each chain keeps the recording order.
    order = sorted(range(len(ready)), key=lambda i: ready[i].chain)
    for chain, group in groupby(order, key=lambda i: ready[i].chain):
        indexes = list(group)
        head = _locked_head(conn, heads, chain)
        if head is None:
            # A new chain: its head is written at once with the position and hash its entries end at.
            # Two first appends race on that insert: the loser's waits for the winner's commit and then
            # does nothing, and its next SELECT (a fresh snapshot under READ COMMITTED, the default) locks
            # the winner's committed head, so it links after that entry instead.
            links = _links(ready, indexes, 0, GENESIS)
            final = {"chain": chain, "position": links[-1][1], "hash": links[-1][3]}
            if conn.execute(_insert_absent(conn, heads), final).rowcount == 1:
                stored.update(_insert_links(conn, table, ready, links))
                continue
            head = _locked_head(conn, heads, chain)
            if head is None:  # the insert found a head that the SELECT cannot: not under READ COMMITTED
                raise RuntimeError(f"audit chain {chain!r}: head neither created nor found")
        links = _links(ready, indexes, *head)
        move = {"b_chain": chain, "b_position": links[-1][1], "b_hash": links[-1][3]}
        if conn.dialect.name == "postgresql":
            # The last entry and the head's move in one statement (a data-modifying CTE): one round trip
            # fewer per append, under the same row lock.
            stored.update(_insert_links(conn, table, ready, links[:-1]))
            stored.update(_insert_links(conn, table, ready, links[-1:], move=move))
        else:
            stored.update(_insert_links(conn, table, ready, links))
            conn.execute(_move_head(heads), move)
    return [stored[i] for i in range(len(ready))]


def _links(
    ready: Sequence[AuditEntry], indexes: list[int], position: int, prev: str
) -> list[tuple[int, int, str, str]]:
    """(index, position, prev_hash, hash) of each entry appended after (position, prev), in order."""
    links = []
    for i in indexes:
        position += 1
        digest = entry_hash(prev, entry_body(ready[i], position))
        links.append((i, position, prev, digest))
        prev = digest
    return links


def _insert_links(
    conn: Connection,
    table: sa.Table,
    ready: Sequence[AuditEntry],
    links: list[tuple[int, int, str, str]],
    move: dict[str, Any] | None = None,
) -> dict[int, StoredAuditEntry]:
    """Insert the linked entries; with `move` (PostgreSQL, one link) the same statement moves the head."""
    stored = {}
    insert = _insert_entry(table) if move is None else _insert_moving_head(table)
    for i, position, prev, digest in links:
        values = {**_columns(ready[i]), "position": position, "prev_hash": prev, "hash": digest}
        if move is not None:
            values = {**{f"e_{k}": v for k, v in values.items()}, **move}
        result = conn.execute(insert, values)
        seq = result.inserted_primary_key[0] if move is None else result.scalar_one()
        stored[i] = StoredAuditEntry(
            **vars(ready[i]), seq=int(seq), position=position, prev_hash=prev, hash=digest
        )
    return stored


# Statements of every append, built once per table (and dialect): each append only binds its values.
_built: dict[tuple[sa.Table, str], Any] = {}


def _once(table: sa.Table, kind: str, build: Any) -> Any:
    stmt = _built.get((table, kind))
    if stmt is None:
        stmt = _built[(table, kind)] = build()
    return stmt


def _insert_entry(table: sa.Table) -> Any:
    return _once(table, "insert", table.insert)


def _move_head(heads: sa.Table) -> Any:
    return _once(
        heads,
        "move",
        lambda: (
            heads.update()
            .where(heads.c.chain == sa.bindparam("b_chain"))
            .values(position=sa.bindparam("b_position"), hash=sa.bindparam("b_hash"))
        ),
    )


def _insert_moving_head(table: sa.Table) -> Any:
    """INSERT of one entry WITH the head's UPDATE as a data-modifying CTE (PostgreSQL runs it exactly
    once whether or not the INSERT reads it). The entry's values bind as `e_<column>`: a key named like a
    heads column (chain, position, hash) would be added to the UPDATE's SET clause."""

    def build() -> Any:
        moved = _move_head(_heads(table)).cte("moved")
        values = {c.name: sa.bindparam(f"e_{c.name}", type_=c.type) for c in table.columns if c.name != "seq"}
        return table.insert().values(values).add_cte(moved).returning(table.c.seq)

    return _once(table, "insert_moving_head", build)


def _head_query(conn: Connection, heads: sa.Table) -> Any:
    def build() -> Any:
        query = sa.select(heads.c.position, heads.c.hash).where(heads.c.chain == sa.bindparam("chain"))
        return query.with_for_update() if conn.dialect.name == "postgresql" else query

    return _once(heads, f"head:{conn.dialect.name}", build)


def _columns(entry: AuditEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "chain": entry.chain,
        "occurred_at": entry.at,
        "action": entry.action,
        "actor": entry.actor,
        "role": entry.role,
        "on_behalf_of": entry.on_behalf_of,
        "reason": entry.reason,
        "before_state": None if entry.before is None else canonical_json(entry.before),
        "after_state": None if entry.after is None else canonical_json(entry.after),
        "criteria_set_key": entry.criteria_set_key,
        "evidence_sha256": canonical_json(list(entry.evidence_sha256)),
        "workflow_id": entry.workflow_id,
        "run_id": entry.run_id,
    }


def _locked_head(conn: Connection, heads: sa.Table, chain: str) -> tuple[int, str] | None:
    """The chain's newest (position, hash), locked until the caller's transaction ends (FOR UPDATE on
    PostgreSQL; SQLite's writer holds the whole file); None for a chain with no head yet."""
    row = conn.execute(_head_query(conn, heads), {"chain": chain}).first()
    return None if row is None else (int(row.position), str(row.hash))


def _insert_absent(conn: Connection, heads: sa.Table) -> Any:
    if conn.dialect.name in ("postgresql", "sqlite"):
        return _once(
            heads,
            "insert_absent",
            lambda: upsert_statement(heads, ["chain"], ["chain", "position", "hash"], []),
        )
    return heads.insert()


# --- reading ------------------------------------------------------------------------------------


def _from_row(row: Any) -> StoredAuditEntry:
    return StoredAuditEntry(
        chain=row.chain,
        action=row.action,
        actor=row.actor,
        role=row.role,
        on_behalf_of=row.on_behalf_of,
        reason=row.reason,
        before=None if row.before_state is None else json.loads(row.before_state),
        after=None if row.after_state is None else json.loads(row.after_state),
        criteria_set_key=row.criteria_set_key,
        evidence_sha256=json.loads(row.evidence_sha256),
        workflow_id=row.workflow_id,
        run_id=row.run_id,
        at=row.occurred_at,
        entry_id=row.entry_id,
        seq=int(row.seq),
        position=int(row.position),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def chain_entries(conn: Connection, table: sa.Table, chain: str) -> list[StoredAuditEntry]:
    """One chain's entries in chain order."""
    query = sa.select(table).where(table.c.chain == chain).order_by(table.c.position, table.c.seq)
    return [_from_row(row) for row in conn.execute(query)]


# --- verifying ----------------------------------------------------------------------------------


def _row_problem(row: Any, expected: int, prev_hash: str, prev_seq: int) -> tuple[str, str] | None:
    if row.seq <= prev_seq:
        return (
            "reordered",
            f"entry {row.seq} sits before entry {prev_seq} in the log but after it in the chain",
        )
    if row.position > expected:
        return "missing", f"position {expected} is missing: the next entry has position {row.position}"
    if row.position < expected:
        return "duplicate", f"position {row.position} occurs twice"
    if row.prev_hash != prev_hash:
        return "broken_link", f"entry {row.seq} does not link to the entry before it"
    try:
        recomputed = entry_hash(row.prev_hash, entry_body(_from_row(row), row.position))
    except (ValueError, TypeError):  # a JSON column no longer parses
        recomputed = ""
    if recomputed != row.hash:
        return "altered", f"entry {row.seq} does not match its hash: a field was changed"
    return None


def _check(chain: str, rows: Iterable[Any], head: tuple[int, str] | None) -> VerifyResult:
    """Verify one chain's rows (in chain order) against its head row."""
    prev_hash, prev_seq, seqs = GENESIS, 0, []
    for row in rows:
        found = _row_problem(row, len(seqs) + 1, prev_hash, prev_seq)
        if found:
            return VerifyResult(False, len(seqs), row.seq, found[1], found[0], chain)
        prev_hash, prev_seq = row.hash, row.seq
        seqs.append(row.seq)
    n = len(seqs)
    if head is None:
        if not n:
            return VerifyResult(True, 0, chain=chain)
        return VerifyResult(False, n, seqs[0], "the chain has no head row", "no_head", chain)
    position, digest = head
    if position > n:
        text = f"the head records {position} entries, only {n} remain: the newest were deleted"
        return VerifyResult(False, n, None, text, "truncated", chain)
    if position < n:
        text = f"entries after position {position} were added outside the application"
        return VerifyResult(False, position, seqs[position], text, "unanchored", chain)
    if digest != prev_hash:
        text = "the newest entry's hash differs from the one the head recorded"
        return VerifyResult(False, n - 1, seqs[-1], text, "head_mismatch", chain)
    return VerifyResult(True, n, chain=chain)


def _head(conn: Connection, heads: sa.Table, chain: str) -> tuple[int, str] | None:
    row = conn.execute(sa.select(heads.c.position, heads.c.hash).where(heads.c.chain == chain)).first()
    return None if row is None else (int(row.position), str(row.hash))


def verify_chain(conn: Connection, table: sa.Table, chain: str) -> VerifyResult:
    """Recompute one chain: detects changed fields and inserted, deleted or reordered entries."""
    heads = _heads(table)
    query = sa.select(table).where(table.c.chain == chain).order_by(table.c.position, table.c.seq)
    for _ in range(_RETRIES):
        head = _head(conn, heads, chain)
        result = _check(chain, conn.execute(query), head)
        # Under READ COMMITTED an append committed between the two reads looks like a head mismatch:
        # when the head moved meanwhile, read again.
        if result.ok or _head(conn, heads, chain) == head:
            return result
    return result


def verify_all(
    conn: Connection, table: sa.Table, *, batch_size: int = 500, max_problems: int = 100
) -> AuditReport:
    """Verify every chain, a batch of heads at a time (memory stays bounded whatever the log's size)."""
    heads = _heads(table)
    chains = entries = bad = 0
    problems: list[VerifyResult] = []

    def note(result: VerifyResult) -> None:
        nonlocal bad
        if not result.ok:
            bad += 1
            if len(problems) < max_problems:
                problems.append(result)

    after: str | None = None
    while True:
        query = sa.select(heads.c.chain, heads.c.position, heads.c.hash).order_by(heads.c.chain)
        if after is not None:  # keyset pagination: no OFFSET scan over millions of heads
            query = query.where(heads.c.chain > after)
        batch = conn.execute(query.limit(batch_size)).all()
        if not batch:
            break
        after = batch[-1].chain
        rows = conn.execute(
            sa.select(table)
            .where(table.c.chain.in_([h.chain for h in batch]))
            .order_by(table.c.chain, table.c.position, table.c.seq)
        ).all()
        by_chain = {key: list(group) for key, group in groupby(rows, key=lambda r: r.chain)}
        for h in batch:
            chain_rows = by_chain.get(h.chain, [])
            result = _check(h.chain, chain_rows, (int(h.position), str(h.hash)))
            if not result.ok:  # re-read alone: an append may have committed between the two queries
                result = verify_chain(conn, table, h.chain)
            chains, entries = chains + 1, entries + len(chain_rows)
            note(result)
    # Entries whose chain has no head at all (the head row was deleted, or rows were forged).
    headless = (
        sa.select(table.c.chain, sa.func.count())
        .where(~sa.exists().where(heads.c.chain == table.c.chain))
        .group_by(table.c.chain)
    )
    for chain, count in conn.execute(headless).all():
        chains, entries = chains + 1, entries + int(count)
        note(verify_chain(conn, table, chain))
    return AuditReport(ok=bad == 0, chains=chains, entries=entries, bad_chains=bad, problems=problems)


class AuditTrail:
    """Reads and verifies the audit log on one transaction's connection (bound by the unit of work)."""

    def __init__(self, conn: Connection, table: sa.Table) -> None:
        self._conn = conn
        self._table = table

    def entries(self, chain: str) -> list[StoredAuditEntry]:
        """One chain's entries in chain order."""
        return chain_entries(self._conn, self._table, chain)

    def verify_chain(self, chain: str) -> VerifyResult:
        """Recompute one chain."""
        return verify_chain(self._conn, self._table, chain)

    def verify_all(self, *, max_problems: int = 100) -> AuditReport:
        """Recompute every chain."""
        return verify_all(self._conn, self._table, max_problems=max_problems)

    def check_anchors(self, anchors: list[Anchor]) -> list[AnchorProblem]:
        """Recompute the anchors taken of this log (common/audit_anchor.py)."""
        return check_anchors(self._conn, self._table, anchors)
