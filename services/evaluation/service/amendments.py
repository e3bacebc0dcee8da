"""Use case: a later correction or revocation of a recorded decision is a new, amending decision — its
own number, DOCX and PDF, audit entries — never an edit of the earlier one (service layer). A revocation
marks the named recognitions revoked (the history keeps them, flagged) and tells each case's chain and
the outbox (`recognition.revoked`); the recorded recognitions whose dependency it leaves unmet (a village
short of its families) are flagged, not revoked (`decision.dependency_unmet`).

Idempotent: the amending decision's id is derived from the request (decision, kind, reason, changes, cases,
signer, date), so the same request sent twice gives back the decision already issued (`created` False).
Its number is claimed in `decision_numbers` (unique per commune and year) in the transaction that writes
it; a number taken meanwhile by another decision is retried with the next one, and after `ATTEMPTS` the
request is refused with a 409."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any

from common.canonical import canonical_json
from common.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from common.events import Event
from services.evaluation.paperwork import Amendment
from services.evaluation.paperwork.render import decision_files
from services.evaluation.service.audit import case_entry
from services.evaluation.service.decision_batch import stable_id
from services.evaluation.service.decision_list import flag_unmet_dependencies, rejudge_dependencies
from services.evaluation.service.plans import resolve_plan
from services.evaluation.service.round_audit import decision_number, get_round_or_raise, round_entry
from services.evaluation.service.round_documents import _issuer, _store, decision_document
from services.evaluation.service.subjects import with_subject_labels

ATTEMPTS = 3  # numbers tried before a 409: only decisions signed at the same moment compete


def amendment_id(
    *,
    decision_id: str,
    kind: str,
    reason: str,
    changes: list[str],
    case_ids: list[str],
    signer_name: str,
    signed_on: dt.date,
) -> str:
    """The amending decision's id, from what is asked: the same request names the same decision."""
    request = {
        "kind": kind,
        "reason": reason,
        "changes": list(changes),
        "case_ids": sorted(case_ids),
        "signer_name": signer_name,
        "signed_on": signed_on.isoformat(),
    }
    return stable_id("amendment", decision_id, canonical_json(request))


def amend_decision(
    uow: Any,
    storage: Any,
    *,
    round_id: str,
    decision_id: str,
    kind: str,
    reason: str,
    changes: list[str],
    case_ids: list[str],
    signer_name: str,
    signed_on: dt.date,
    actor: Any,
) -> dict[str, Any]:
    """Issue an amending decision of a recorded decision of this round; returns the new decision, with
    `created` False when this very request had already issued it."""
    new_id = amendment_id(
        decision_id=decision_id,
        kind=kind,
        reason=reason,
        changes=changes,
        case_ids=case_ids,
        signer_name=signer_name,
        signed_on=signed_on,
    )
    for _ in range(ATTEMPTS):
        issued = _issue(
            uow,
            storage,
            new_id=new_id,
            round_id=round_id,
            decision_id=decision_id,
            kind=kind,
            reason=reason,
            changes=changes,
            case_ids=list(case_ids),
            signer_name=signer_name,
            signed_on=signed_on,
            actor=actor,
        )
        if issued is not None:
            return issued
    raise Conflict(
        "Số quyết định đang được cấp cho quyết định khác; vui lòng gửi lại.",
        "Other decisions took the next numbers meanwhile; send the request again.",
    )


def _existing(uow: Any, new_id: str) -> dict[str, Any] | None:
    found = uow.decisions.get(new_id)
    if found is None:
        return None
    return {**found, "number_text": decision_number(found), "created": False}


def _issue(
    uow: Any,
    storage: Any,
    *,
    new_id: str,
    round_id: str,
    decision_id: str,
    kind: str,
    reason: str,
    changes: list[str],
    case_ids: list[str],
    signer_name: str,
    signed_on: dt.date,
    actor: Any,
) -> dict[str, Any] | None:
    """One attempt: check, number, render and store, write; None when the number was taken meanwhile."""
    now = datetime.now(UTC)
    with uow:
        if (again := _existing(uow, new_id)) is not None:  # the same request, sent again
            return again
        rnd = get_round_or_raise(uow, round_id)
        earlier = uow.decisions.get(decision_id)
        if earlier is None or earlier["round_id"] != round_id:
            raise NotFound(
                f"Không tìm thấy quyết định {decision_id}.",
                f"Decision {decision_id} not found.",
                errors={"decision_id": [f"Đợt xét này không có quyết định '{decision_id}'."]},
                errors_en={"decision_id": [f"This round has no decision '{decision_id}'."]},
            )
        if earlier["status"] != "recorded" or earlier["kind"] not in ("recognition", "supplementary"):
            raise InvalidTransition(
                "Chỉ sửa đổi, thu hồi quyết định công nhận đã ghi nhận.",
                "Only a recorded decision of recognition can be amended.",
            )
        if signed_on < earlier["signed_on"]:
            raise ValidationFailed(
                "Ngày ký trước ngày của quyết định được sửa đổi.",
                "The amending decision is dated before the decision it amends.",
                errors={
                    "signed_on": [
                        f"Ngày ký {signed_on.isoformat()} trước ngày ký của quyết định được sửa đổi ({earlier['signed_on']})."
                    ]
                },
                errors_en={
                    "signed_on": [
                        f"The signing date {signed_on.isoformat()} is before the amended decision's ({earlier['signed_on']})."
                    ]
                },
            )
        by_case = {r["case_id"]: r for r in uow.decisions.recognitions_of(decision_id)}
        unknown = [c for c in case_ids if c not in by_case]
        if unknown:
            raise ValidationFailed(
                "Hồ sơ không được công nhận tại quyết định này.",
                "These cases were not recognised by that decision.",
                errors={
                    "case_ids": [f"Quyết định {decision_id} không công nhận các hồ sơ: {', '.join(unknown)}."]
                },
                errors_en={
                    "case_ids": [
                        f"Decision {decision_id} did not recognise these cases: {', '.join(unknown)}."
                    ]
                },
            )
        if kind == "revocation" and any(by_case[c]["revoked"] for c in case_ids):
            raise InvalidTransition("Danh hiệu đã bị thu hồi.", "The recognition is already revoked.")
        if kind == "correction" and not changes:
            raise ValidationFailed(
                "Quyết định sửa đổi phải nêu nội dung sửa đổi.",
                "A correction lists its changes.",
                errors={
                    "changes": ["Bắt buộc với quyết định sửa đổi (correction): hãy nêu nội dung sửa đổi."]
                },
                errors_en={"changes": ["Required for a correction: list the changes."]},
            )
        items = {i["case_id"]: i for i in uow.decisions.items(decision_id)}
        rows = [{**items[c], "note": ""} for c in case_ids]
        if kind == "revocation" and not case_ids:  # the whole decision: every recognition it made
            case_ids = [c for c, r in by_case.items() if not r["revoked"]]
        issuer = _issuer(uow, rnd)
        number = uow.decisions.next_number(rnd["admin_unit_code"], rnd["year"])
    plan = resolve_plan(uow, admin_unit_code=rnd["admin_unit_code"], plan_code=rnd["plan_code"])
    new = {
        "id": new_id,
        "round_id": round_id,
        "title": earlier["title"],
        "kind": kind,
        "amends_id": decision_id,
        "number": number,
        "symbol": earlier["symbol"],
        "status": "recorded",
        "signed_by": actor.username,
        "signer_name": signer_name,
        "signed_on": signed_on,
        "reason": reason,
        "created_at": now,
        "updated_at": now,
    }
    amends = Amendment(
        kind=kind,  # type: ignore[arg-type]
        earlier_number=int(earlier["number"]),
        earlier_symbol=earlier["symbol"],
        earlier_date=earlier["signed_on"],
        reason=reason,
        changes=tuple(changes),
    )
    doc = decision_document(plan, issuer, new, rnd, rows, amends=amends)  # PaperworkInvalid: 422
    docx, pdf = decision_files(doc)
    # The id in the key: a number lost to another decision meanwhile never overwrites that one's files.
    prefix = f"rounds/{round_id}/decisions/{number:02d}-{kind}-{new_id[:8]}"
    documents = {
        "docx": _store(storage, f"{prefix}.docx", docx.data, docx.media_type),
        "pdf": _store(storage, f"{prefix}.pdf", pdf.data, pdf.media_type),
    }
    with uow:
        if (again := _existing(uow, new_id)) is not None:
            return again
        if not uow.decisions.claim_number(rnd["admin_unit_code"], rnd["year"], number, new_id):
            return None  # taken meanwhile (or this request is being written by another call): try again
        uow.decisions.add(**new, documents=None)
        uow.decisions.update(new_id, documents=documents)
        text = decision_number(new)
        uow.record(
            round_entry(
                rnd,
                action=f"decision.{kind}",
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
                reason=reason,
                before={"decision": decision_number(earlier)},
                after={"decision": text, "cases": case_ids, "changes": changes},
                evidence_sha256=sorted(f["sha256"] for f in documents.values()),
            )
        )
        cases = {case_id: uow.cases.get(case_id) for case_id in case_ids}
        # whose title each revoked one is, for the notices (the village is told too): read at once
        revoked = [
            {"case_id": k, "title": c.title, "subject_id": c.subject_id} for k, c in cases.items() if c
        ]
        named = {i["case_id"]: i for i in with_subject_labels(uow, revoked)} if kind == "revocation" else {}
        for case_id in case_ids:
            case = cases[case_id]
            if kind == "revocation":
                if not uow.decisions.revoke_recognition(by_case[case_id]["id"], revoked_by=new_id):
                    # Revoked by another decision since the check: nothing of this one is written.
                    raise InvalidTransition("Danh hiệu đã bị thu hồi.", "The recognition is already revoked.")
                uow.publish(
                    Event(
                        id=stable_id("event", "recognition.revoked", new_id, case_id),
                        type="recognition.revoked",
                        source="evaluation",
                        payload={
                            "case_id": case_id,
                            "subject_id": case.subject_id,
                            "subject_code": named[case_id]["subject_code"],
                            "subject_name": named[case_id]["subject_name"],
                            "title": case.title,
                            "year": case.year,
                            "decision_id": new_id,
                            "decision_number": text,
                            "revokes": decision_id,
                            "reason": reason,
                            "admin_unit_code": by_case[case_id]["admin_unit_code"],
                            "village_code": by_case[case_id]["village_code"],
                        },
                    )
                )
            uow.record(
                case_entry(
                    case,
                    action=f"decision.{kind}",
                    actor=actor.username,
                    role=actor.role,
                    reason=reason,
                    after={"decision_id": new_id, "decision": text},
                    evidence_sha256=sorted(f["sha256"] for f in documents.values()),
                )
            )
        if kind == "revocation":
            # A list awaiting signature (a supplementary one) may count the revoked recognitions.
            rejudge_dependencies(
                uow,
                rnd,
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
                trigger=f"decision.{kind}",
            )
            # Recorded recognitions are never re-judged into revocation: those whose dependency this
            # revocation leaves unmet are flagged for the chairman (docs/yearly-round.md).
            flag_unmet_dependencies(
                uow,
                rnd,
                trigger=new_id,
                trigger_number=text,
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
            )
        uow.commit()
    return {**new, "documents": documents, "number_text": decision_number(new), "created": True}
