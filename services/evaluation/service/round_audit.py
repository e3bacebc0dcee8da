"""The audit chain of a yearly round and small helpers shared by the round's use cases (service layer).

Each round has its own chain, `round:<round id>`: opening, phases, objections, council minutes,
signature, documents' digests and amending decisions are entries there."""

from __future__ import annotations

from typing import Any

from common.audit_entry import AuditEntry
from common.errors import NotFound


def round_chain(round_id: str) -> str:
    """The audit chain of one round."""
    return f"round:{round_id}"


def round_entry(rnd: dict[str, Any], *, action: str, actor: str, **fields: Any) -> AuditEntry:
    """An entry in the round's chain, linked to its workflow."""
    fields.setdefault("workflow_id", rnd["workflow_id"])
    return AuditEntry(chain=round_chain(rnd["id"]), action=action, actor=actor, **fields)


def decision_number(decision: dict[str, Any]) -> str:
    """ "12/QĐ-UBND" (the number is given at signing; a draft has none)."""
    number = decision.get("number")
    return f"{number:02d}/{decision['symbol']}" if number else f"…/{decision['symbol']}"


def round_not_found(round_id: str) -> NotFound:
    return NotFound(f"Không tìm thấy đợt xét {round_id}.", f"Round {round_id} not found.")


def get_round_or_raise(uow: Any, round_id: str, *, lock: bool = False) -> dict[str, Any]:
    """One round (inside the caller's transaction), or 404; `lock` holds its row until the commit."""
    rnd = uow.rounds.get(round_id, for_update=True) if lock else uow.rounds.get(round_id)
    if rnd is None:
        raise round_not_found(round_id)
    return dict(rnd)
