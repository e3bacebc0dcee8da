"""Use cases of a round's people: objections during the public posting (file, assign, resolve), the
council's minutes and the chairman's signature (service layer). Each is audited in the round's chain
(and the case's, for an objection about a case)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from common.canonical import canonical_json
from common.errors import (
    Conflict,
    DependencyUnavailable,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from common.events import Event
from common.workdays import VIETNAM_TZ
from services.evaluation.service.assignees import checked_assignee
from services.evaluation.service.audit import case_entry
from services.evaluation.service.decision_batch import stable_id
from services.evaluation.service.decision_list import rejudge_dependencies
from services.evaluation.service.round_audit import get_round_or_raise, round_entry
from services.evaluation.service.steps import _domain_error
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc


def _objection_or_raise(uow: Any, round_id: str, objection_id: str) -> dict[str, Any]:
    row = uow.rounds.objection(objection_id)
    if row is None or row["round_id"] != round_id:
        raise NotFound(f"Không tìm thấy kiến nghị {objection_id}.", f"Objection {objection_id} not found.")
    return row


def _in_posting(rnd: dict[str, Any]) -> None:
    if rnd["phase"] != rc.POSTING:
        raise InvalidTransition(
            "Chỉ nhận và xử lý kiến nghị trong thời gian niêm yết công khai.",
            "Objections are taken and handled only during the public posting.",
        )


def _window_open(rnd: dict[str, Any], now: datetime) -> None:
    """New objections only until the end of the window's last day (Vietnam time)."""
    _in_posting(rnd)
    close = rnd["objections_close"]
    if close is not None and now.astimezone(VIETNAM_TZ).date() > close:
        raise InvalidTransition(
            f"Đã hết thời hạn nhận kiến nghị (hết ngày {close:%d/%m/%Y}).",
            f"The objection window closed at the end of {close.isoformat()}.",
        )


def _signal(gateway: Any, rnd: dict[str, Any]) -> None:
    """Tell the round to re-count its open objections (it also re-counts when its window closes)."""
    gateway.signal(rnd["workflow_id"], rc.OBJECTIONS_CHANGED_SIGNAL)


def _audit(
    uow: Any,
    rnd: dict[str, Any],
    row: dict[str, Any],
    action: str,
    actor: Any,
    before: Any,
    after: Any,
    reason: str | None,
) -> None:
    fields = {
        "role": actor.role,
        "on_behalf_of": actor.on_behalf_of,
        "reason": reason,
        "before": before,
        "after": after,
    }
    uow.record(round_entry(rnd, action=action, actor=actor.username, **fields))
    if row.get("case_id"):
        case = uow.cases.get(row["case_id"])
        uow.record(case_entry(case, action=action, actor=actor.username, **fields))


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: row[k]
        for k in (
            "id",
            "round_id",
            "case_id",
            "filed_by",
            "content",
            "status",
            "assignee",
            "resolution",
            "upheld",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        )
    }


def file_objection(
    uow: Any,
    gateway: Any,
    *,
    round_id: str,
    actor: Any,
    filed_by: str,
    content: str,
    case_id: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record an objection (by a resident, about a case of the posted list or the list as a whole) while
    the window is open; the round's row is locked so the move to council cannot pass it unseen."""
    now = now or datetime.now(UTC)
    with uow:
        rnd = get_round_or_raise(uow, round_id, lock=True)
        _window_open(rnd, now)
        if case_id is not None:
            case = uow.cases.get(case_id)
            if case is None or case.admin_unit_code != rnd["admin_unit_code"] or case.year != rnd["year"]:
                raise ValidationFailed(
                    "Hồ sơ không thuộc đợt xét này.",
                    "The case is not in this round.",
                    errors={
                        "case_id": [f"Hồ sơ '{case_id}' không thuộc đợt xét này (khác đơn vị hoặc năm)."]
                    },
                    errors_en={"case_id": [f"Case '{case_id}' is not in this round (another unit or year)."]},
                )
        row = {
            "id": str(uuid.uuid4()),
            "round_id": round_id,
            "case_id": case_id,
            "filed_by": filed_by,
            "content": content,
            "status": "open",
            "assignee": None,
            "resolution": None,
            "upheld": None,
            "version": 1,
            "created_by": actor.username,
            "created_at": now,
            "updated_at": now,
        }
        uow.rounds.add_objection(**row)
        uow.publish(
            Event(
                id=stable_id("event", "objection.filed", row["id"]),
                type="objection.filed",
                source="evaluation",
                payload={
                    "round_id": round_id,
                    "objection_id": row["id"],
                    "admin_unit_code": rnd["admin_unit_code"],
                    "year": rnd["year"],
                    "case_id": case_id,
                    "filed_by": filed_by,
                    "content": content,
                    "actor": actor.username,
                    "objections_close": rnd["objections_close"].isoformat()
                    if rnd["objections_close"]
                    else None,
                },
            )
        )
        _audit(
            uow,
            rnd,
            row,
            "objection.filed",
            actor,
            None,
            {"objection_id": row["id"], "filed_by": filed_by, "content": content, "case_id": case_id},
            None,
        )
        uow.commit()
    _signal(gateway, rnd)
    return _view(row)


def assign_objection(
    uow: Any,
    gateway: Any,
    *,
    round_id: str,
    objection_id: str,
    actor: Any,
    assignee: str,
    expected_version: int,
) -> dict[str, Any]:
    """Hand an objection to an officer to verify: an active staff account whose scope holds the round's
    commune (else 422 naming `assignee`)."""
    with uow:  # the round and its objection first (404), then who it goes to (422)
        unit = uow.admin_units.get(get_round_or_raise(uow, round_id)["admin_unit_code"])
        _objection_or_raise(uow, round_id, objection_id)
        path = None if unit is None else str(unit.path)
        assignee = checked_assignee(uow, username=assignee, unit_path=path, field="assignee").username
    return _change(
        uow,
        gateway,
        round_id,
        objection_id,
        actor,
        expected_version,
        "objection.assigned",
        {"status": "assigned", "assignee": assignee},
        None,
    )


def resolve_objection(
    uow: Any,
    gateway: Any,
    *,
    round_id: str,
    objection_id: str,
    actor: Any,
    resolution: str,
    upheld: bool,
    expected_version: int,
) -> dict[str, Any]:
    """Close an objection; an upheld one takes its case off the recognised list, with the reason."""
    return _change(
        uow,
        gateway,
        round_id,
        objection_id,
        actor,
        expected_version,
        "objection.resolved",
        {"status": "resolved", "resolution": resolution, "upheld": upheld},
        resolution,
    )


def _change(
    uow: Any,
    gateway: Any,
    round_id: str,
    objection_id: str,
    actor: Any,
    expected_version: int,
    action: str,
    values: dict[str, Any],
    reason: str | None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    with uow:
        rnd = get_round_or_raise(uow, round_id)
        row = _objection_or_raise(uow, round_id, objection_id)
        _in_posting(rnd)
        if row["status"] == "resolved":
            raise Conflict("Kiến nghị đã được giải quyết.", "The objection is already resolved.")
        if not uow.rounds.update_objection(objection_id, expected_version, updated_at=now, **values):
            raise PreconditionFailed(
                "Kiến nghị vừa được người khác cập nhật.", "The objection changed; reload."
            )
        if values.get("upheld") and row["case_id"]:
            for decision in uow.decisions.of_round(round_id):
                if decision["status"] == "draft":
                    uow.decisions.set_item(
                        decision["id"],
                        row["case_id"],
                        outcome=lc.NOT_RECOGNISED,
                        reason=f"Kiến nghị được chấp nhận: {reason}",
                    )
        before = {"status": row["status"], "version": row["version"]}
        _audit(uow, rnd, row, action, actor, before, {**values, "version": expected_version + 1}, reason)
        if values.get("upheld") and row["case_id"]:
            # The case's going off the list may take a village, clan or unit under its share.
            rejudge_dependencies(
                uow,
                rnd,
                actor=actor.username,
                role=actor.role,
                on_behalf_of=actor.on_behalf_of,
                trigger=action,
            )
        uow.commit()
        updated = {**row, **values, "version": expected_version + 1, "updated_at": now}
    _signal(gateway, rnd)
    return _view(updated)


def open_objections(uow: Any, *, round_id: str) -> int:
    """How many objections of the round are not resolved."""
    with uow:
        return int(uow.rounds.open_objections(round_id))


# --- council and signature: Updates of the round's workflow, recorded by its activities ---------------


_UPDATE_PHASES = {
    "council": rc.COUNCIL,
    "sign": rc.AWAITING_SIGNATURE,
    "supplement": rc.SUPPLEMENTARY,
    "sign_supplement": rc.SUPPLEMENT_SIGNATURE,
    "close": rc.SUPPLEMENTARY,
}
_PHASE_NAMES = {
    rc.OPEN: ("tự đánh giá", "self-assessment"),
    rc.REVIEWING: ("thẩm định", "review"),
    rc.POSTING: ("niêm yết công khai", "public posting"),
    rc.COUNCIL: ("họp hội đồng", "council"),
    rc.AWAITING_SIGNATURE: ("chờ ký quyết định", "awaiting signature"),
    rc.RECORDING: ("ghi nhận quyết định", "recording"),
    rc.DOCUMENTS: ("lập văn bản", "documents"),
    rc.SUPPLEMENTARY: ("nhận quyết định bổ sung", "supplementary decisions"),
    rc.SUPPLEMENT_SIGNATURE: ("chờ ký quyết định bổ sung", "awaiting the supplementary signature"),
    rc.CLOSED: ("đã kết thúc", "closed"),
}


def _wrong_phase(phase: str, wanted: str) -> InvalidTransition:
    now_vi, now_en = _PHASE_NAMES.get(phase, (phase, phase))
    want_vi, want_en = _PHASE_NAMES[wanted]
    after_main = (rc.RECORDING, rc.DOCUMENTS, rc.SUPPLEMENTARY, rc.SUPPLEMENT_SIGNATURE)
    if phase == rc.CLOSED or (wanted in (rc.COUNCIL, rc.AWAITING_SIGNATURE) and phase in after_main):
        return InvalidTransition(
            f"Đợt xét đã qua bước này (đang ở giai đoạn “{now_vi}”).",
            f"The round is past this step (it is in the {now_en} phase).",
        )
    return InvalidTransition(
        f"Đợt xét đang ở giai đoạn “{now_vi}”, chưa đến bước “{want_vi}”.",
        f"The round is in the {now_en} phase, not {want_en}.",
    )


def _update(gateway: Any, uow: Any, round_id: str, name: str, arg: Any) -> rc.RoundStep:
    """Send an Update to the round, after checking its stored phase: an Update to a round in another
    phase, or whose workflow has ended, is a 409 with the reason, never a call that fails."""
    with uow:
        rnd = get_round_or_raise(uow, round_id)
    if rnd["phase"] != _UPDATE_PHASES[name]:
        raise _wrong_phase(rnd["phase"], _UPDATE_PHASES[name])
    try:
        return gateway.execute_update(rnd["workflow_id"], name, arg, result_type=rc.RoundStep)  # type: ignore[no-any-return]
    except WorkflowUpdateFailedError as err:
        raise _domain_error(err) from err
    except DependencyUnavailable as err:
        # The gateway reports every RPC error as unavailable; a workflow that has ended (or was never
        # started) answers NOT_FOUND, which is a refusal of the step, not an outage.
        cause = err.__cause__
        if isinstance(cause, RPCError) and cause.status == RPCStatusCode.NOT_FOUND:
            raise InvalidTransition(
                "Quy trình của đợt xét đã kết thúc, không nhận thêm bước này.",
                "The round's workflow has ended; this step is no longer taken.",
            ) from err
        raise


def submit_council(uow: Any, gateway: Any, *, round_id: str, inp: rc.CouncilInput) -> rc.RoundStep:
    """Send the council's minutes to the round (the workflow checks phase, role and version)."""
    return _update(gateway, uow, round_id, "council", inp)


def submit_signature(uow: Any, gateway: Any, *, round_id: str, inp: rc.SignInput) -> rc.RoundStep:
    """Send the chairman's signature to the round."""
    return _update(gateway, uow, round_id, "sign", inp)


def submit_supplement(uow: Any, gateway: Any, *, round_id: str, inp: rc.SupplementInput) -> rc.RoundStep:
    """Ask the round for a supplementary list; refused (409, nothing sent) when no case awaits a decision
    outside the round's decisions (the workflow's activity checks again when it builds)."""
    from services.evaluation.service.decision_list import supplementary_candidates

    with uow:
        rnd = get_round_or_raise(uow, round_id)
        if rnd["phase"] == rc.SUPPLEMENTARY and not supplementary_candidates(uow, rnd):
            raise InvalidTransition(
                "Không có hồ sơ nào chờ quyết định ngoài các quyết định đã ban hành: không lập danh sách bổ sung.",
                "No case awaits a decision outside the round's decisions: there is no supplementary list to build.",
            )
    return _update(gateway, uow, round_id, "supplement", inp)


def submit_supplement_signature(uow: Any, gateway: Any, *, round_id: str, inp: rc.SignInput) -> rc.RoundStep:
    """Send the chairman's signature of the supplementary decisions to the round."""
    return _update(gateway, uow, round_id, "sign_supplement", inp)


def close_round(uow: Any, gateway: Any, *, round_id: str, inp: rc.CloseInput) -> rc.RoundStep:
    """The association closes the round before the end of its year (no more supplementary decisions)."""
    return _update(gateway, uow, round_id, "close", inp)


def record_council(uow: Any, *, inp: rc.CouncilRecordInput) -> bool:
    """Check the minutes against the list (quorum, votes within attendance, subjects on the list) and record
    them; a subject the council votes down is taken off the recognised list."""
    m = inp.council.minutes
    with uow:
        rnd = get_round_or_raise(uow, inp.round_id)
        if rnd["version"] >= inp.version:
            return False
        present = len(m.attendance)
        if present == 0 or present * 2 <= present + len(m.absent):
            raise ValidationFailed(
                "Hội đồng họp không đủ số thành viên.",
                "The council had no quorum.",
                errors={
                    "attendance": [
                        f"Cần quá nửa số thành viên có mặt: {present} có mặt, {len(m.absent)} vắng mặt."
                    ]
                },
                errors_en={
                    "attendance": [
                        f"More than half the members must attend: {present} present, {len(m.absent)} absent."
                    ]
                },
            )
        on_list = {}
        for decision in uow.decisions.of_round(inp.round_id):
            if decision["status"] == "draft":
                for item in uow.decisions.items(decision["id"]):
                    on_list[item["case_id"]] = decision["id"]
        for vote in m.votes:
            if vote.case_id not in on_list:
                raise ValidationFailed(
                    "Hồ sơ không có trong danh sách.",
                    "The case is not on the list.",
                    errors={"votes": [f"Hồ sơ '{vote.case_id}' không có trong danh sách đề nghị của đợt."]},
                    errors_en={"votes": [f"Case '{vote.case_id}' is not on the round's list."]},
                )
            if min(vote.in_favour, vote.against, vote.abstain) < 0 or (
                vote.in_favour + vote.against + vote.abstain > present
            ):
                raise ValidationFailed(
                    "Số phiếu không hợp lệ.",
                    "More votes than members present.",
                    errors={
                        "votes": [
                            f"Hồ sơ '{vote.case_id}': số phiếu không được âm và tổng không vượt quá {present} thành viên có mặt."
                        ]
                    },
                    errors_en={
                        "votes": [
                            f"Case '{vote.case_id}': votes cannot be negative nor total more than the {present} members present."
                        ]
                    },
                )
            if vote.against >= vote.in_favour:
                uow.decisions.set_item(
                    on_list[vote.case_id],
                    vote.case_id,
                    outcome=lc.NOT_RECOGNISED,
                    reason=f"Hội đồng không thông qua ({vote.in_favour}/{present} phiếu tán thành).",
                )
        minutes = {
            "met_on": m.met_on,
            "chair": m.chair,
            "secretary": m.secretary,
            "attendance": m.attendance,
            "absent": m.absent,
            "notes": m.notes,
            "votes": [vars(v) for v in m.votes],
            "recorded_by": inp.council.actor,
        }
        import hashlib

        digest = hashlib.sha256(canonical_json(minutes).encode()).hexdigest()
        minutes["sha256"] = digest
        uow.rounds.update(inp.round_id, council=minutes, version=inp.version, updated_at=datetime.now(UTC))
        uow.record(
            round_entry(
                rnd,
                action="round.council_recorded",
                actor=inp.council.actor,
                role=inp.council.role,
                on_behalf_of=inp.council.on_behalf_of,
                after={"met_on": m.met_on, "present": present, "votes": len(m.votes), "version": inp.version},
                evidence_sha256=[digest],
            )
        )
        # The subjects voted down may take a village, clan or unit under its share (or back over it).
        rejudge_dependencies(
            uow,
            rnd,
            actor=inp.council.actor,
            role=inp.council.role,
            on_behalf_of=inp.council.on_behalf_of,
            trigger="round.council_recorded",
        )
        uow.commit()
        return True


def record_signature(uow: Any, *, inp: rc.SignRecordInput) -> bool:
    """Number and sign the round's draft decisions (once)."""
    s = inp.sign
    signed_on = date.fromisoformat(s.signed_on)
    now = datetime.now(UTC)
    with uow:
        rnd = get_round_or_raise(uow, inp.round_id)
        if rnd["version"] >= inp.version:
            return False
        if signed_on.year != rnd["year"] and signed_on.year != rnd["year"] + 1:
            raise ValidationFailed(
                "Ngày ký không hợp lệ.",
                "The signing date is outside the round.",
                errors={
                    "signed_on": [
                        f"Ngày ký {s.signed_on} phải trong năm {rnd['year']} hoặc {rnd['year'] + 1}."
                    ]
                },
                errors_en={
                    "signed_on": [
                        f"The signing date {s.signed_on} must fall in {rnd['year']} or {rnd['year'] + 1}."
                    ]
                },
            )
        decisions = uow.decisions.of_round(inp.round_id)
        earlier = [d["signed_on"] for d in decisions if d["signed_on"] and d["kind"] == "recognition"]
        supplementary = any(d["status"] == "draft" and d["kind"] == "supplementary" for d in decisions)
        if supplementary and earlier and signed_on < max(earlier):
            raise ValidationFailed(
                "Quyết định bổ sung không thể ký trước quyết định công nhận của đợt.",
                "A supplementary decision cannot be signed before the round's decision.",
                errors={
                    "signed_on": [
                        f"Ngày ký {s.signed_on} trước ngày ký quyết định công nhận của đợt ({max(earlier)})."
                    ]
                },
                errors_en={
                    "signed_on": [
                        f"The signing date {s.signed_on} is before the round's decision ({max(earlier)})."
                    ]
                },
            )
        # Last guard before numbers are given: the dependencies judged once more on the lists as signed
        # (a change since the council or the supplementary list's building, e.g. a revocation).
        if rejudge_dependencies(uow, rnd, actor="system", trigger="round.signed"):
            decisions = uow.decisions.of_round(inp.round_id)
        numbers = []
        for decision in decisions:
            if decision["status"] != "draft":
                continue
            number = uow.decisions.next_number(rnd["admin_unit_code"], rnd["year"])
            if not uow.decisions.claim_number(rnd["admin_unit_code"], rnd["year"], number, decision["id"]):
                raise Conflict(  # another decision of the commune took the number first: sign again
                    "Số quyết định vừa được cấp cho quyết định khác; vui lòng ký lại.",
                    "The decision number was just given to another decision; sign again.",
                )
            uow.decisions.update(
                decision["id"],
                number=number,
                status="signed",
                signed_by=s.actor,
                signer_name=s.signer_name,
                signed_on=signed_on,
                updated_at=now,
            )
            numbers.append(f"{number:02d}/{decision['symbol']}")
        uow.rounds.update(inp.round_id, version=inp.version, updated_at=now)
        uow.record(
            round_entry(
                rnd,
                action="round.signed",
                actor=s.actor,
                role=s.role,
                on_behalf_of=s.on_behalf_of,
                after={
                    "decisions": numbers,
                    **({"supplementary": True} if supplementary else {}),
                    "signed_on": s.signed_on,
                    "signer_name": s.signer_name,
                    "version": inp.version,
                },
            )
        )
        uow.commit()
        return True
