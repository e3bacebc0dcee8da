"""Use cases: nominate (eligibility checked against the recognition history), attach evidence (service layer)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol

from common.audit_entry import AuditEntry
from common.auth import Principal, in_scope, is_within
from common.errors import AlreadyExists, Conflict, ValidationFailed
from common.events import Event
from services.awards.domain import eligibility as el
from services.awards.domain.errors import NominationNotFound, NotEligible, RoundNotFound, WrongPhase
from services.awards.domain.model import AwardRound, Nomination
from services.awards.service.rounds import chain, known_unit

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


class History(Protocol):
    """The recognition history and the admin units (the evaluation service's `GET /recognitions` and
    `GET /admin-units/{code}`)."""

    def recognitions(self, subject_id: str) -> list[el.Recognition]: ...
    def admin_unit(self, code: str) -> dict[str, Any]: ...


def check_nominee_unit(history: History, item: AwardRound, actor: Principal, code: str) -> None:
    """The nominee's unit (`unit_code`) is a known unit within the round's area and the nominator's
    scope, else 422 on `unit_code` (admin units are public: saying why leaks nothing)."""
    path = str(known_unit(history, code, field="unit_code")["path"])
    if not is_within(path, item.admin_unit_path):
        raise ValidationFailed(
            "Đơn vị của đối tượng được đề nghị không thuộc địa bàn của đợt khen thưởng.",
            "The nominee's unit lies outside the round's area.",
            errors={"unit_code": [f"Đơn vị '{code}' không thuộc địa bàn của đợt khen thưởng."]},
            errors_en={"unit_code": [f"Unit '{code}' lies outside the round's area."]},
        )
    if not in_scope(actor, path):
        raise ValidationFailed(
            "Đơn vị của đối tượng được đề nghị không thuộc phạm vi của bạn.",
            "The nominee's unit lies outside your scope.",
            errors={"unit_code": [f"Đơn vị '{code}' không thuộc phạm vi của bạn."]},
            errors_en={"unit_code": [f"Unit '{code}' lies outside your scope."]},
        )


def _round_in_phase(uow: Any, round_id: str, phase: str) -> AwardRound:
    item = uow.rounds.get(round_id)
    if item is None:
        raise RoundNotFound(round_id)
    if item.status != phase:
        raise WrongPhase(item.status, phase)
    return item


def _facts(uow: Any, item: AwardRound, body: dict[str, Any], recognitions: list[el.Recognition]) -> el.Facts:
    granted = uow.nominations.awards_of(body["subject_id"])
    prior = [el.PriorAward(n.form_key.split(":")[0], n.form_key.split(":")[1], year) for n, year in granted]
    prior += [el.PriorAward(a["form"], a["authority"], int(a["year"])) for a in body.get("prior_awards", [])]
    used = frozenset(i for n, _ in granted for i in n.initiatives)
    return el.Facts(
        nominee_kind=body["nominee_kind"],
        form_key=body["form_key"],
        round_year=item.year,
        round_recipients=item.recipients,
        recognitions=tuple(recognitions),
        prior_awards=tuple(prior),
        declarations=dict(body.get("declarations", {})),
        initiatives=tuple(body.get("initiatives", [])),
        used_initiatives=used,
        priority_flags=tuple(body.get("priority_flags", [])),
    )


def check_form(item: AwardRound, form_key: str) -> None:
    """ValidationFailed unless the round offers the form."""
    if item.form(form_key) is None:
        raise ValidationFailed(
            "Đợt khen thưởng không có hình thức này.",
            "The round does not offer this form.",
            errors={"form_key": [f"Hình thức phải là một trong: {', '.join(f.key for f in item.forms)}."]},
            errors_en={"form_key": [f"One of: {', '.join(f.key for f in item.forms)}."]},
        )


def _already_nominated(body: dict[str, Any]) -> Conflict:
    return Conflict(
        "Đối tượng đã được đề nghị hình thức này.",
        "Already nominated for this form.",
        errors={
            "subject_id": [
                f"Đối tượng '{body['subject_id']}' đã được đề nghị hình thức {body['form_key']} trong đợt này."
            ]
        },
        errors_en={
            "subject_id": [
                f"'{body['subject_id']}' is already nominated for {body['form_key']} in this round."
            ]
        },
    )


def submit_nomination(
    uow: Any, history: History, catalog: Any, *, round_id: str, actor: Principal, body: dict[str, Any]
) -> Nomination:
    """Nominate a collective, household or individual; NotEligible (422) lists every unmet rule, and the
    refusal is audited too. Two identical nominations at once: the unique key lets one in, the other
    is the same 409 as a nomination sent again later."""
    try:
        return _submit_nomination(uow, history, catalog, round_id=round_id, actor=actor, body=body)
    except AlreadyExists as exc:
        raise _already_nominated(body) from exc


def _submit_nomination(
    uow: Any, history: History, catalog: Any, *, round_id: str, actor: Principal, body: dict[str, Any]
) -> Nomination:
    with uow:
        item = _round_in_phase(uow, round_id, "nominating")
    check_form(item, body["form_key"])
    check_nominee_unit(history, item, actor, body["unit_code"])  # HTTP outside the transaction
    recognitions = history.recognitions(body["subject_id"])
    with uow:
        item = _round_in_phase(uow, round_id, "nominating")
        facts = _facts(uow, item, body, recognitions)
        unmet = el.evaluate(catalog.rules, facts)
        snapshot = {
            "rules_version": catalog.rules.version,
            "recognitions": [dataclasses.asdict(r) for r in recognitions],
            "unmet": [dataclasses.asdict(u) for u in unmet],
        }
        entry = dict(
            chain=chain(round_id), actor=actor.username, role=actor.role, on_behalf_of=actor.on_behalf_of
        )
        if unmet:
            uow.record(
                AuditEntry(action="nomination.refused", before=None, after={**body, **snapshot}, **entry)
            )
            uow.commit()
            raise NotEligible(
                [
                    {
                        "rule": u.rule,
                        "message_vi": u.message_vi,
                        "message_en": u.message_en,
                        "detail": u.detail,
                    }
                    for u in unmet
                ]
            )
        if uow.nominations.find(round_id, body["subject_id"], body["form_key"]):
            raise _already_nominated(body)
        nomination = Nomination(
            id=str(uuid.uuid4()),
            round_id=round_id,
            nominee_kind=body["nominee_kind"],
            subject_id=body["subject_id"],
            name=body["name"],
            unit_code=body["unit_code"],
            household_id=body.get("household_id"),
            form_key=body["form_key"],
            achievements=body["achievements"],
            initiatives=tuple(body.get("initiatives", [])),
            declarations=dict(body.get("declarations", {})),
            prior_awards=tuple(body.get("prior_awards", [])),
            priority_flags=tuple(body.get("priority_flags", [])),
            evidence=(),
            status="eligible",
            nominated_by=actor.username,
            nominated_at=datetime.now(UTC),
            eligibility=snapshot,
            priority=el.priority(catalog.rules, facts),
        )
        uow.nominations.add(nomination)
        uow.record(AuditEntry(action="nomination.submitted", after=nomination_view(nomination), **entry))
        uow.publish(
            Event(
                type="nomination.submitted",
                source="awards",
                payload={
                    "round_id": round_id,
                    "nomination_id": nomination.id,
                    "form_key": nomination.form_key,
                    "name": nomination.name,
                    "year": item.year,
                    "admin_unit_code": item.admin_unit_code,  # the round's: its managers are told
                    "actor": actor.username,
                },
            )
        )
        uow.commit()
    return nomination


def nomination_view(n: Nomination) -> dict[str, Any]:
    """A nomination as JSON-friendly data."""
    data = dataclasses.asdict(n)
    data["nominated_at"] = n.nominated_at.isoformat()
    return data


def get_nomination_or_raise(uow: Any, *, nomination_id: str) -> tuple[Nomination, AwardRound]:
    """A nomination and its round."""
    with uow:
        n = uow.nominations.get(nomination_id)
        item = uow.rounds.get(n.round_id) if n else None
    if n is None or item is None:
        raise NominationNotFound(nomination_id)
    return n, item


def list_nominations(uow: Any, *, round_id: str) -> list[Nomination]:
    """A round's nominations."""
    with uow:
        return uow.nominations.of_round(round_id)


def add_evidence(
    uow: Any,
    storage: Any,
    *,
    nomination_id: str,
    actor: Principal,
    filename: str,
    content_type: str,
    stream: BinaryIO,
) -> dict[str, Any]:
    """Stream an evidence file to object storage and list it on the nomination (while nominating)."""
    nomination, item = get_nomination_or_raise(uow, nomination_id=nomination_id)
    if item.status != "nominating":
        raise WrongPhase(item.status, "nominating")
    storage.ensure_bucket()
    key = f"awards/{item.id}/{nomination.id}/{uuid.uuid4().hex}"
    stored = storage.put_stream(key, stream, content_type=content_type, max_bytes=MAX_EVIDENCE_BYTES)
    record = {
        "key": stored.key,
        "sha256": stored.sha256,
        "size": stored.size,
        "filename": filename,
        "content_type": content_type,
    }
    with uow:
        current = uow.nominations.get(nomination_id)
        uow.nominations.update_evidence(nomination_id, [*current.evidence, record])
        uow.record(
            AuditEntry(
                chain=chain(item.id),
                action="nomination.evidence_added",
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
                after=record,
                evidence_sha256=[stored.sha256],
            )
        )
        uow.commit()
    return record
