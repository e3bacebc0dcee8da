"""Temporal activities of the awards service (entrypoint layer, served on its own task queue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from temporalio import activity

from services.awards.service import rounds

GET_AWARD_ROUND = "get_award_round"


class AwardsActivities:
    """Activities built by the awards worker with their dependencies."""

    def __init__(self, uow_factory: Callable[[], Any]) -> None:
        self._uow = uow_factory

    @activity.defn(name=GET_AWARD_ROUND)
    def get_award_round(self, round_id: str) -> dict[str, Any]:
        """Read one round for a workflow (a read: safe to retry)."""
        item = rounds.get_round_or_raise(self._uow(), round_id=round_id)
        return {**asdict(item), "created_at": item.created_at.isoformat()}

    def all(self) -> list[Callable[..., object]]:
        """Every activity, for the worker."""
        return [self.get_award_round]
