"""Temporal activities of the awards service (entrypoint layer, served on its own task queue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from temporalio import activity

from services.awards.service import dossiers, phases, rounds
from workflows.nomination_round import contracts as c

GET_AWARD_ROUND = "get_award_round"


class AwardsActivities:
    """Activities built by the awards worker with their dependencies."""

    def __init__(self, uow_factory: Callable[[], Any], storage: Any = None) -> None:
        self._uow = uow_factory
        self._storage = storage

    @activity.defn(name=GET_AWARD_ROUND)
    def get_award_round(self, round_id: str) -> dict[str, Any]:
        """Read one round for a workflow (a read: safe to retry)."""
        item = rounds.get_round_or_raise(self._uow(), round_id=round_id)
        return {**asdict(item), "created_at": item.created_at.isoformat()}

    @activity.defn(name=c.CLOSE_NOMINATIONS)
    def close_nominations(self, inp: c.PhaseInput) -> dict[str, Any]:
        """nominating → scoring (idempotent)."""
        return phases.close_nominations(
            self._uow(),
            round_id=inp.round_id,
            actor=inp.actor,
            reason=inp.reason,
            workflow_id=inp.workflow_id,
        )

    @activity.defn(name=c.DRAW_SHORTLIST)
    def draw_shortlist(self, inp: c.PhaseInput) -> dict[str, Any]:
        """scoring → shortlisted within quotas, higher forms forwarded (idempotent)."""
        return phases.draw_shortlist(
            self._uow(),
            round_id=inp.round_id,
            actor=inp.actor,
            reason=inp.reason,
            workflow_id=inp.workflow_id,
        )

    @activity.defn(name=c.RECORD_AWARD_DECISION)
    def record_award_decision(self, inp: c.DecisionInput) -> dict[str, Any]:
        """shortlisted → decided (idempotent: one decision per round)."""
        return phases.record_decision(
            self._uow(),
            round_id=inp.round_id,
            number=inp.number,
            decided_on=date.fromisoformat(inp.decided_on),
            signer=inp.signer,
            signer_name=inp.signer_name,
            reason=inp.reason,
            workflow_id=inp.workflow_id,
        )

    @activity.defn(name=c.BUILD_AWARD_DOCUMENTS)
    def build_award_documents(self, inp: c.DocumentsInput) -> dict[str, Any]:
        """The decision PDF and the dossiers, stored with digests audited (idempotent)."""
        return dossiers.build_documents(
            self._uow(),
            self._storage,
            round_id=inp.round_id,
            unit_name=inp.unit_name,
            actor=inp.actor,
            workflow_id=inp.workflow_id,
        )

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [
            self.get_award_round,
            self.close_nominations,
            self.draw_shortlist,
            self.record_award_decision,
            self.build_award_documents,
        ]
