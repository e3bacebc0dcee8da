"""Use cases: open award rounds from the plan, read them (service layer)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any, Protocol

from common.audit_entry import AuditEntry
from common.auth import Principal
from common.errors import Conflict, NotFound, ValidationFailed, unknown_admin_unit
from common.events import Event
from services.awards.domain.errors import RoundExists, RoundNotFound
from services.awards.domain.model import AwardRound
from services.awards.domain.schedule import find_plan_round, round_spec

ROUND_CREATED = "round.created"


class PlanSource(Protocol):
    """Where plans and admin units come from (the evaluation service's API)."""

    def plan(self, code: str) -> dict[str, Any]: ...
    def admin_unit(self, code: str) -> dict[str, Any]: ...


def known_unit(evaluation: PlanSource, code: str, *, field: str) -> dict[str, Any]:
    """The unit a request body names in `field` (code, name, level, path); an unknown code is 422 on
    that field (as the evaluation service answers a body naming an unknown unit)."""
    try:
        return evaluation.admin_unit(code)
    except NotFound:
        raise unknown_admin_unit(code, field) from None


def chain(round_id: str) -> str:
    """The audit chain of a round (its nominations, council, decision and dossiers too)."""
    return f"award_round:{round_id}"


def open_round(
    uow: Any,
    evaluation: PlanSource,
    catalog: Any,
    *,
    actor: Principal,
    plan_code: str,
    kind: str,
    year: int,
    level: str,
    admin_unit_code: str,
    today: date,
    workflow_id_for: Callable[[str], str],
    quotas: Mapping[str, int] | None = None,
    nomination_deadline: date | None = None,
    council_deadline: date | None = None,
    reason: str | None = None,
    unit: dict[str, Any] | None = None,
) -> AwardRound:
    """Open a round as the plan sets it (forms, recipients, dates; quotas from the plan or the catalogue).
    `unit`: the round's admin unit when the caller has read it already (else it is asked for)."""
    try:
        plan = evaluation.plan(plan_code)  # HTTP before the transaction: no lock is held while waiting
    except NotFound:
        raise ValidationFailed(
            "Không có kế hoạch này.",
            "Unknown plan.",
            errors={"plan_code": [f"Không có kế hoạch đang áp dụng mang mã '{plan_code}'."]},
            errors_en={"plan_code": [f"No active plan has the code '{plan_code}'."]},
        ) from None
    if unit is None:
        unit = known_unit(evaluation, admin_unit_code, field="admin_unit_code")
    entry = find_plan_round(plan, kind=kind, level=level, year=year)
    spec = round_spec(
        entry,
        year=year,
        default_quotas=catalog.default_quotas,
        quotas=quotas,
        schedule=catalog.schedule,
        nomination_deadline=nomination_deadline,
        council_deadline=council_deadline,
    )
    if spec.nomination_deadline < today:
        raise ValidationFailed(
            "Hạn nhận hồ sơ theo kế hoạch đã qua; hãy đặt hạn mới.",
            "The plan's nomination deadline has passed; give a new one.",
            errors={
                "nomination_deadline": [
                    f"Hạn {spec.nomination_deadline.isoformat()} đã qua (hôm nay {today.isoformat()})."
                ]
            },
            errors_en={
                "nomination_deadline": [
                    f"{spec.nomination_deadline.isoformat()} is before {today.isoformat()}."
                ]
            },
        )
    round_id = str(uuid.uuid4())
    item = AwardRound(
        id=round_id,
        plan_code=plan_code,
        kind=kind,
        year=year,
        level=level,
        admin_unit_code=admin_unit_code,
        status="nominating",
        created_by=actor.username,
        created_at=datetime.now(UTC),
        admin_unit_path=str(unit["path"]),
        forms=spec.forms,
        recipients=spec.recipients,
        nomination_deadline=spec.nomination_deadline,
        council_deadline=spec.council_deadline,
        ceremony_on=spec.ceremony_on,
        event_vi=spec.event_vi,
        workflow_id=workflow_id_for(round_id),
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
                    "actor": actor.username,
                },
            )
        )
        uow.record(
            AuditEntry(
                chain=chain(item.id),
                action="round.opened",
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
                reason=reason,
                after=round_view(item),
                workflow_id=item.workflow_id,
            )
        )
        try:
            uow.commit()
        except Conflict as exc:  # a concurrent open won the race
            raise RoundExists("") from exc
    return item


def round_view(item: AwardRound) -> dict[str, Any]:
    """The round as JSON-friendly data (audit, activities)."""
    data = asdict(item)
    for key in ("created_at", "nomination_deadline", "council_deadline", "ceremony_on"):
        value = data[key]
        data[key] = value.isoformat() if value is not None else None
    data["forms"] = [dict(f, key=f"{f['form']}:{f['authority']}") for f in data["forms"]]
    data["recipients"] = list(item.recipients)
    return data


def get_round_or_raise(uow: Any, *, round_id: str) -> AwardRound:
    """One round, or RoundNotFound."""
    with uow:
        item = uow.rounds.get(round_id)
    if item is None:
        raise RoundNotFound(round_id)
    return item


def list_rounds(uow: Any, *, year: int | None = None, unit_path: str | None = None) -> list[AwardRound]:
    """Every round, optionally of one year, within a unit."""
    with uow:
        return uow.rounds.list(year=year, unit_path=unit_path)
