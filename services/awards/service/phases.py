"""Use cases the NominationRound workflow drives through activities: close nominations, draw the shortlist
within quotas, forward higher forms, record the decision (service layer; each step idempotent)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from common.audit_entry import AuditEntry
from common.errors import QuotaExceeded
from common.events import Event
from services.awards.domain.council import shortlist, tally
from services.awards.domain.errors import RoundNotFound, WrongPhase
from services.awards.domain.model import LEVEL_RANK, AwardRound
from services.awards.service.rounds import chain

ORDER = ("nominating", "scoring", "shortlisted", "decided")


def _round(uow: Any, round_id: str) -> AwardRound:
    item = uow.rounds.get(round_id, for_update=True)
    if item is None:
        raise RoundNotFound(round_id)
    return item


def _past(item: AwardRound, phase: str) -> bool:
    return ORDER.index(item.status) >= ORDER.index(phase) if item.status in ORDER else False


def close_nominations(
    uow: Any, *, round_id: str, actor: str, reason: str, workflow_id: str | None = None
) -> dict[str, Any]:
    """nominating → scoring (a repeat does nothing)."""
    with uow:
        item = _round(uow, round_id)
        if not _past(item, "scoring"):
            uow.rounds.set_status(round_id, "scoring")
            count = len(uow.nominations.of_round(round_id))
            uow.record(
                AuditEntry(
                    chain=chain(round_id),
                    action="round.nominations_closed",
                    actor=actor,
                    reason=reason,
                    after={"nominations": count},
                    workflow_id=workflow_id,
                )
            )
            uow.commit()
    return {"round_id": round_id, "status": "scoring"}


def draw_shortlist(
    uow: Any, *, round_id: str, actor: str, reason: str, workflow_id: str | None = None
) -> dict[str, Any]:
    """scoring → shortlisted: the council's tally, majority vote and pass mark, quotas per form; shortlisted
    nominees for a form above this round's level are forwarded to the round above (when one is open)."""
    with uow:
        item = _round(uow, round_id)
        if item.status != "scoring":
            if _past(item, "shortlisted"):
                return _summary(uow, item)
            raise WrongPhase(item.status, "scoring")
        nominations = uow.nominations.of_round(round_id, status="eligible")
        scores = uow.council.scores(round_id)
        outcomes = shortlist(nominations, scores, {f.key: f.quota for f in item.forms})
        by_id = {n.id: n for n in nominations}
        results = []
        for o in outcomes:
            n = by_id[o.nomination_id]
            t = tally(n.id, scores)
            status, forwarded_to = ("shortlisted" if o.shortlisted else "not_selected"), None
            form = item.form(n.form_key)
            if o.shortlisted and form is not None and not item.confers(form):
                status = "forwarded"
                forwarded_to = _forward(uow, item, n, form.level, actor)
            uow.nominations.set_status(n.id, status, forwarded_to=forwarded_to)
            results.append(
                {
                    "nomination_id": n.id,
                    "subject_id": n.subject_id,
                    "form_key": n.form_key,
                    "status": status,
                    "reason": o.reason,
                    "rank": o.rank,
                    "average": t.average,
                    "approvals": t.approvals,
                    "votes": t.votes,
                    "forwarded_to": forwarded_to,
                }
            )
        uow.rounds.set_status(round_id, "shortlisted")
        uow.record(
            AuditEntry(
                chain=chain(round_id),
                action="round.shortlisted",
                actor=actor,
                reason=reason,
                after={"outcomes": results},
                workflow_id=workflow_id,
            )
        )
        uow.commit()
        return _summary(uow, replace(item, status="shortlisted"))


def _forward(uow: Any, item: AwardRound, n: Any, level: str, actor: str) -> str:
    """Copy a nomination into the open round of the level above; "" when none is open (the proposal then
    travels on paper, listed in this round's decision)."""
    parent = None
    for candidate in sorted(LEVEL_RANK, key=LEVEL_RANK.__getitem__):
        if LEVEL_RANK[candidate] >= LEVEL_RANK[level] and LEVEL_RANK[candidate] > LEVEL_RANK.get(
            item.level, 0
        ):
            parent = uow.rounds.parent_of(item, candidate)
            if parent:
                break
    if parent is None or parent.form(n.form_key) is None:
        return ""
    if uow.nominations.find(parent.id, n.subject_id, n.form_key) is None:
        copy = replace(
            n,
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"forward/{parent.id}/{n.id}")),
            round_id=parent.id,
            status="eligible",
            nominated_by=f"round:{item.id}",
            nominated_at=datetime.now(UTC),
        )
        uow.nominations.add(copy)
        uow.record(
            AuditEntry(
                chain=chain(parent.id),
                action="nomination.forwarded_in",
                actor=actor,
                after={"from_round": item.id, "nomination_id": copy.id},
            )
        )
    return parent.id


def _summary(uow: Any, item: AwardRound) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for n in uow.nominations.of_round(item.id):
        counts[n.status] = counts.get(n.status, 0) + 1
    return {"round_id": item.id, "status": item.status, "counts": counts}


def record_decision(
    uow: Any,
    *,
    round_id: str,
    number: str,
    decided_on: date,
    signer: str,
    signer_name: str,
    reason: str,
    workflow_id: str | None = None,
) -> dict[str, Any]:
    """shortlisted → decided: the shortlisted nominees are awarded (never more than a form's quota)."""
    with uow:
        item = _round(uow, round_id)
        existing = uow.decisions.of_round(round_id)
        if existing:
            return {"decision_id": existing["id"], "round_id": round_id}
        if item.status != "shortlisted":
            raise WrongPhase(item.status, "shortlisted")
        chosen = uow.nominations.of_round(round_id, status="shortlisted")
        for form in item.forms:
            n = sum(1 for c in chosen if c.form_key == form.key)
            if n > form.quota:
                raise QuotaExceeded(
                    f"Vượt hạn mức {form.key}.",
                    f"Quota of {form.key} exceeded: {n} > {form.quota}.",
                    errors={"quota": {form.key: form.quota}},
                )
        decision_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"award-decision/{round_id}"))
        uow.decisions.add(
            id=decision_id,
            round_id=round_id,
            number=number,
            decided_on=decided_on,
            signer=signer,
            signer_name=signer_name,
            created_at=datetime.now(UTC),
        )
        for c in chosen:
            uow.nominations.set_status(c.id, "awarded")
        uow.rounds.set_status(round_id, "decided")
        after = {
            "decision_id": decision_id,
            "number": number,
            "decided_on": decided_on.isoformat(),
            "awarded": [c.id for c in chosen],
        }
        uow.record(
            AuditEntry(
                chain=chain(round_id),
                action="round.decided",
                actor=signer,
                reason=reason,
                after=after,
                workflow_id=workflow_id,
            )
        )
        uow.publish(
            Event(
                type="awards.decided",
                source="awards",
                payload={
                    "round_id": round_id,
                    "admin_unit_code": item.admin_unit_code,
                    "year": item.year,
                    "actor": signer,
                    **after,
                },
            )
        )
        for event in _outcomes_for_nominators(uow, item, {c.id for c in chosen}, after, signer):
            uow.publish(event)
        uow.commit()
    return {"decision_id": decision_id, "round_id": round_id}


def _outcomes_for_nominators(
    uow: Any, item: AwardRound, awarded: set[str], decision: dict[str, Any], signer: str
) -> list[Event]:
    """One notice per nominator of the round: how many of those they nominated the decision awards, and
    whom (addressed to them alone, wherever their account's unit). Nominations sent on to the level
    above are that round's to decide; a copy received from a round below is told to whoever first
    proposed it there."""
    by_nominator: dict[str, list[Any]] = {}
    for nomination in uow.nominations.of_round(item.id):
        nominator = None if nomination.status == "forwarded" else _first_nominator(uow, nomination)
        if nominator:
            by_nominator.setdefault(nominator, []).append(nomination)
    return [
        Event(
            type="nomination.decided",
            source="awards",
            payload={
                "round_id": item.id,
                "admin_unit_code": item.admin_unit_code,
                "year": item.year,
                "actor": signer,
                "addressee": nominator,
                "number": decision["number"],
                "decided_on": decision["decided_on"],
                "nominated_count": len(theirs),
                "awarded_count": sum(1 for n in theirs if n.id in awarded),
                "awarded_names": ", ".join(n.name for n in theirs if n.id in awarded) or None,
            },
        )
        for nominator, theirs in sorted(by_nominator.items())
    ]


def _first_nominator(uow: Any, nomination: Any) -> str | None:
    """Who proposed a nomination: its nominator, or, for a copy forwarded from a round below (its
    nominator is `round:<id>`), the nominator of the one it copies, down as many levels as it came."""
    seen: set[str] = set()
    while nomination.nominated_by.startswith("round:"):
        below = nomination.nominated_by.removeprefix("round:")
        if below in seen:
            return None
        seen.add(below)
        nomination = uow.nominations.find(below, nomination.subject_id, nomination.form_key)
        if nomination is None:
            return None
    return str(nomination.nominated_by)
