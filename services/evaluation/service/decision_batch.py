"""Use case: record a signed decision on its cases, one page per transaction (service layer).

Each page is idempotent: a row of the decision list already recorded, or a case already decided (by
this or any other decision), is skipped, so a page retried after a crash decides nobody twice. Per case
decided: its status and version, its progress row, the recognition (with its multi-year streak), an
audit entry in the case's chain and a `case.decided` event, all in the page's transaction. A page of a
supplementary decision that wrote recognitions then restores, in the same transaction, the flagged
recognitions whose dependency they meet again (`decision_list.restore_met_dependencies`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE
from services.evaluation.domain.errors import ValidationFailed
from services.evaluation.service.audit import case_entry
from services.evaluation.service.round_audit import decision_number, get_round_or_raise
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

CASE_DECIDED = "case.decided"
_NS = uuid.UUID("0d9f3c52-6a3e-4f0e-9b7e-3c1d2e5f7a90")


def stable_id(*parts: object) -> str:
    """Deterministic ids: a retried activity finds its rows already written."""
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def record_decision_page(uow: Any, *, inp: rc.DecisionPageInput) -> rc.DecisionPage:
    """Record the decision on the next page of its list after `inp.after`."""
    now = datetime.now(UTC)
    with uow:
        decision = uow.decisions.get(inp.decision_id)
        if decision is None or decision["status"] not in ("signed", "recorded"):
            raise ValidationFailed(
                "Quyết định chưa được ký.",
                "The decision is not signed.",
                errors={"decision_id": [f"Quyết định '{inp.decision_id}' chưa được ký hoặc không tồn tại."]},
                errors_en={"decision_id": [f"Decision '{inp.decision_id}' is not signed or does not exist."]},
            )
        items = uow.decisions.items(inp.decision_id, after=inp.after, limit=inp.limit)
        number = decision_number(decision)
        prior = uow.decisions.streaks(
            decision["title"], _year(uow, decision), [i["subject_id"] for i in items if not i["recorded"]]
        )
        workflow_ids, outcomes, recognitions, newly = [], [], [], 0
        for item in items:
            case = uow.cases.get(item["case_id"])
            workflow_ids.append(case.workflow_id)
            outcomes.append(item["outcome"])
            if item["recorded"]:
                continue
            uow.decisions.set_item(inp.decision_id, case.id, recorded=True)
            if case.status != lc.AWAITING_DECISION:
                continue  # decided by another decision, or withdrawn: nothing to record
            newly += 1
            decided = uow.cases.update_status(case, item["outcome"], now)
            uow.progress.upsert(case.id, waiting_on_role=None, due_at=None, overdue=False, assignee=None)
            streak = prior.get(case.subject_id, 0) + 1 if item["outcome"] == lc.RECOGNISED else 0
            if item["outcome"] == lc.RECOGNISED:
                recognitions.append(
                    {
                        "id": stable_id("recognition", case.id),
                        "subject_id": case.subject_id,
                        "subject_kind": SUBJECT_KIND_BY_TITLE.get(case.title, "household"),
                        "title": case.title,
                        "year": case.year,
                        "case_id": case.id,
                        "decision_id": decision["id"],
                        "decision_number": number,
                        "decided_on": decision["signed_on"],
                        "admin_unit_code": case.admin_unit_code,
                        "village_code": item["village_code"],
                        "streak": streak,
                        "revoked": False,
                        "revoked_by": None,
                        "certificate": None,
                    }
                )
            uow.record(
                case_entry(
                    case,
                    action=CASE_DECIDED,
                    actor=decision["signed_by"],
                    role="commune_chairman",
                    reason=f"Quyết định số {number}" + (f": {item['reason']}" if item["reason"] else ""),
                    before={"status": case.status, "version": case.version},
                    after={
                        "status": decided.status,
                        "version": decided.version,
                        "decision_id": decision["id"],
                        "streak": streak,
                    },
                    at=now,
                )
            )
            uow.publish(_decided_event(case, item, decision["id"], number, streak))
        uow.decisions.add_recognitions(recognitions)
        if recognitions and decision["kind"] == "supplementary":
            _restore_dependencies(uow, decision, number)
        done = len(items) < inp.limit
        if done:
            uow.decisions.update(inp.decision_id, status="recorded", updated_at=now)
        uow.commit()
    next_after = items[-1]["case_id"] if items else inp.after
    return rc.DecisionPage(
        workflow_ids=workflow_ids, outcomes=outcomes, next_after=next_after, newly_recorded=newly, done=done
    )


def _restore_dependencies(uow: Any, decision: dict[str, Any], number: str) -> None:
    """A supplementary decision's recognitions, just written, may meet again the dependency of a
    recognition a revocation flagged: each one restored is audited and published in this page's
    transaction, by the chairman who signed the decision (docs/yearly-round.md)."""
    from services.evaluation.service.decision_list import restore_met_dependencies  # imports this module

    restore_met_dependencies(
        uow,
        get_round_or_raise(uow, decision["round_id"]),
        trigger=decision["id"],
        trigger_number=number,
        actor=decision["signed_by"],
        role="commune_chairman",
    )


def _year(uow: Any, decision: dict[str, Any]) -> int:
    return int(uow.rounds.get(decision["round_id"])["year"])


def _decided_event(case: Any, item: dict[str, Any], decision_id: str, number: str, streak: int) -> Any:
    """The case's outcome under the decision, naming its subject as the decision list does."""
    from common.events import Event

    return Event(
        id=stable_id("event", CASE_DECIDED, decision_id, case.id),
        type=CASE_DECIDED,
        source="evaluation",
        payload={
            "case_id": case.id,
            "subject_id": case.subject_id,
            "subject_name": item["subject_name"],
            "title": case.title,
            "year": case.year,
            "outcome": item["outcome"],
            "decision_id": decision_id,
            "decision_number": number,
            "admin_unit_code": case.admin_unit_code,
            "village_code": item["village_code"],
            "streak": streak,
        },
    )
