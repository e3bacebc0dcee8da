"""Use cases: create and read award rounds (service layer)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from common.errors import Conflict
from common.events import Event
from services.awards.domain.errors import RoundExists, RoundNotFound
from services.awards.domain.model import AwardRound

ROUND_CREATED = "round.created"


def create_round(
    uow: Any, *, plan_code: str, kind: str, year: int, level: str, admin_unit_code: str, created_by: str
) -> AwardRound:
    """Create a round once per natural key; a second one is a Conflict naming the first."""
    item = AwardRound(
        id=str(uuid.uuid4()),
        plan_code=plan_code,
        kind=kind,
        year=year,
        level=level,
        admin_unit_code=admin_unit_code,
        status="open",
        created_by=created_by,
        created_at=datetime.now(UTC),
    )
    with uow:
        existing = uow.rounds.find(plan_code=plan_code, kind=kind, year=year, admin_unit_code=admin_unit_code)
        if existing:
            raise RoundExists(existing.id)
        uow.rounds.add(item)
        uow.publish(
            Event(
                type=ROUND_CREATED,
                source="awards",
                payload={
                    "round_id": item.id,
                    "kind": kind,
                    "year": year,
                    "level": level,
                    "admin_unit_code": admin_unit_code,
                },
            )
        )
        try:
            uow.commit()
        except Conflict as exc:  # a concurrent create won the race
            raise RoundExists("") from exc
    return item


def get_round_or_raise(uow: Any, *, round_id: str) -> AwardRound:
    """One round, or RoundNotFound."""
    with uow:
        item = uow.rounds.get(round_id)
    if item is None:
        raise RoundNotFound(round_id)
    return item


def list_rounds(uow: Any, *, year: int | None = None) -> list[AwardRound]:
    """Every round, optionally of one year."""
    with uow:
        return uow.rounds.list(year=year)
