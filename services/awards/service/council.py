"""Use cases: the round's council, its scores and votes with conflict of interest checked (service layer)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from common.audit_entry import AuditEntry
from common.auth import Principal
from common.errors import Conflict
from services.awards.domain.council import Score, conflict_of_interest
from services.awards.domain.errors import (
    ConflictOfInterest,
    NominationNotFound,
    NotCouncilMember,
    RoundNotFound,
    WrongPhase,
)
from services.awards.domain.model import CouncilMember
from services.awards.service.rounds import chain


def set_council(
    uow: Any, *, round_id: str, actor: Principal, members: list[dict[str, Any]]
) -> list[CouncilMember]:
    """Name the council (before any score is given)."""
    with uow:
        item = uow.rounds.get(round_id)
        if item is None:
            raise RoundNotFound(round_id)
        if item.status not in ("nominating", "scoring"):
            raise WrongPhase(item.status, "nominating")
        if uow.council.scores(round_id):
            raise Conflict("Hội đồng đã chấm điểm, không thể thay đổi.", "The council has scored already.")
        council = [CouncilMember(round_id=round_id, **m) for m in members]
        before = [vars(m) for m in uow.council.members(round_id)]
        uow.council.replace_members(round_id, council)
        uow.record(
            AuditEntry(
                chain=chain(round_id),
                action="council.set",
                actor=actor.username,
                role=actor.role,
                before=before,
                after=[vars(m) for m in council],
            )
        )
        uow.commit()
    return council


def list_council(uow: Any, *, round_id: str) -> list[CouncilMember]:
    """A round's council."""
    with uow:
        return uow.council.members(round_id)


def score_nomination(
    uow: Any, *, nomination_id: str, actor: Principal, score: int, approve: bool, reason: str | None = None
) -> Score:
    """A council member scores and votes on a nomination; ConflictOfInterest (409) for their own household
    or unit, and the refusal stays in the audit."""
    with uow:
        nomination = uow.nominations.get(nomination_id)
        if nomination is None:
            raise NominationNotFound(nomination_id)
        item = uow.rounds.get(nomination.round_id)
        if item.status != "scoring":
            raise WrongPhase(item.status, "scoring")
        member = next((m for m in uow.council.members(item.id) if m.username == actor.username), None)
        if member is None:
            raise NotCouncilMember()
        entry = dict(chain=chain(item.id), actor=actor.username, role=actor.role, reason=reason)
        conflict = conflict_of_interest(member, nomination)
        if conflict:
            uow.record(
                AuditEntry(
                    action="council.conflict_of_interest",
                    **entry,
                    after={"nomination_id": nomination_id, "conflict": conflict},
                )
            )
            uow.commit()
            raise ConflictOfInterest(conflict)
        if nomination.status != "eligible":
            raise WrongPhase(nomination.status, "eligible")
        given = Score(nomination_id, actor.username, score, approve)
        uow.council.put_score(item.id, given, datetime.now(UTC))
        uow.record(
            AuditEntry(
                action="council.scored",
                **entry,
                after={"nomination_id": nomination_id, "score": score, "approve": approve},
            )
        )
        uow.commit()
    return given
