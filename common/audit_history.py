"""Reading one audit chain for people: its entries in order with the verdict on the chain (service layer,
shared by the services that keep an audit trail)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.audit_entry import StoredAuditEntry, VerifyResult


@dataclass(frozen=True)
class ChainHistory:
    """A chain's entries in order, and whether the chain verifies."""

    chain: str
    verified: bool
    verification: VerifyResult
    entries: list[StoredAuditEntry]


def chain_history(uow: Any, chain: str) -> ChainHistory:
    """The chain's entries and its verdict, read in one transaction (a chain with no entry verifies,
    empty: the caller decides whether its subject exists)."""
    with uow:
        entries = uow.audit.entries(chain)
        verdict = uow.audit.verify_chain(chain)
    return ChainHistory(chain=chain, verified=verdict.ok, verification=verdict, entries=entries)
