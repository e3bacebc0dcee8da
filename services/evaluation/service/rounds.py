"""Use cases of the yearly round: open it, record what its workflow does (opening, phases, progress),
read it (service layer). Objections, council, signature and decisions are in their own modules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from common.errors import ValidationFailed
from common.events import Event
from common.workdays import END_OF_DAY, VIETNAM_TZ, WorkCalendar
from services.evaluation.domain.plan_calendar import quarter_bounds, year_calendar
from services.evaluation.domain.plans import Plan
from services.evaluation.service.admin_units import Page
from services.evaluation.service.decision_batch import stable_id
from services.evaluation.service.plans import resolve_plan
from services.evaluation.service.round_audit import get_round_or_raise, round_entry
from workflows import ids
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

# The public posting (niêm yết công khai) and objection window, when the plan states none (plan versions
# written before `calendar.public_posting` existed): five working days, the usual length in communes'
# recognition guidance.
DEFAULT_POSTING_DAYS = 5
DEFAULT_POSTING_WORKING_DAYS = True
ROUND_EVENTS = {
    rc.OPEN: "round.opened",
    rc.REVIEWING: "round.self_assessment_closed",
    rc.POSTING: "round.posted",
    rc.COUNCIL: "round.council_due",
    rc.AWAITING_SIGNATURE: "round.awaiting_signature",
    rc.RECORDING: "round.signed",
    rc.DOCUMENTS: "round.recorded",
    rc.SUPPLEMENTARY: "round.supplements_open",
    rc.SUPPLEMENT_SIGNATURE: "round.supplementary_awaiting_signature",
    rc.CLOSED: "round.closed",
}


def round_id_for(admin_unit_code: str, year: int, plan_code: str) -> tuple[str, str]:
    """The round's workflow id and its stable id."""
    workflow_id = ids.yearly_round_workflow_id(admin_unit_code, year, plan_code)
    return workflow_id, stable_id("round", workflow_id)


def open_round(
    uow: Any, gateway: Any, *, admin_unit_code: str, year: int, opened_by: str, plan_code: str | None = None
) -> dict[str, Any]:
    """Start the round's workflow for a commune and year under the plan covering it (once)."""
    plan = resolve_plan(uow, admin_unit_code=admin_unit_code, plan_code=plan_code)
    with uow:
        unit = uow.admin_units.get(admin_unit_code)
    if unit is None or unit.level != "commune":
        raise ValidationFailed(
            "Đợt xét được mở cho một xã, phường.",
            "A round is opened for a commune.",
            errors={"admin_unit_code": [f"'{admin_unit_code}' không phải mã của một xã, phường."]},
            errors_en={"admin_unit_code": [f"'{admin_unit_code}' is not the code of a commune."]},
        )
    if not plan.period.start_year <= year <= plan.period.end_year:
        start, end = plan.period.start_year, plan.period.end_year
        raise ValidationFailed(
            f"Năm {year} nằm ngoài kế hoạch {plan.code}.",
            f"{year} is outside plan {plan.code}.",
            errors={"year": [f"Năm phải từ {start} đến {end} (thời kỳ của kế hoạch {plan.code})."]},
            errors_en={"year": [f"The year must be from {start} to {end} (plan {plan.code}'s period)."]},
        )
    workflow_id, round_id = round_id_for(admin_unit_code, year, plan.code)
    arg = rc.RoundInput(
        round_id=round_id,
        admin_unit_code=admin_unit_code,
        year=year,
        plan_code=plan.code,
        opened_by=opened_by,
    )
    started = gateway.start_workflow(
        rc.WORKFLOW_NAME, arg, workflow_id=workflow_id, task_queue=ids.WORKFLOW_TASK_QUEUE
    )
    return {"id": round_id, "workflow_id": workflow_id, "created": started.created}


def _at(day: date, hour: time = END_OF_DAY) -> str:
    return datetime.combine(day, hour, VIETNAM_TZ).isoformat()


def round_schedule(uow: Any, *, admin_unit_code: str, year: int, plan_code: str) -> rc.RoundSchedule:
    """The round's dates from its plan."""
    plan = resolve_plan(uow, admin_unit_code=admin_unit_code, plan_code=plan_code)
    cal = year_calendar(plan, year)
    posting = plan.calendar.public_posting
    return rc.RoundSchedule(
        self_assessment_opens=_at(cal.self_assessment_opens, time(0, 0)),
        self_assessment_remind=_at(cal.self_assessment_remind_on, time(8, 0)),
        self_assessment_closes=_at(cal.self_assessment_closes),
        decision_from=_at(quarter_bounds(year, plan.calendar.decision.quarter)[0], time(8, 0)),
        posting_days=posting.days if posting else DEFAULT_POSTING_DAYS,
        posting_working_days=posting.working_days if posting else DEFAULT_POSTING_WORKING_DAYS,
        days_off=[d.isoformat() for d in plan.calendar.days_off],
        supplements_until=supplements_until(plan, year),
    )


def supplements_until(plan: Plan, year: int) -> str:
    """The end of the round's supplementary decisions: the plan's `calendar.supplementary_until` at
    23:59:59 Vietnam time, or 31/12 when the plan states none."""
    until = plan.calendar.supplementary_until
    return _at(until.day.in_year(year)) if until else rc.supplements_until(year)


def record_round_opened(uow: Any, *, inp: rc.RoundOpenedInput) -> rc.RoundSchedule:
    """Write the round, its audit entry and its `round.opened` event once; return its dates."""
    schedule = round_schedule(
        uow, admin_unit_code=inp.admin_unit_code, year=inp.year, plan_code=inp.plan_code
    )
    now = datetime.now(UTC)
    row = {
        "id": inp.round_id,
        "workflow_id": inp.workflow_id,
        "admin_unit_code": inp.admin_unit_code,
        "year": inp.year,
        "plan_code": inp.plan_code,
        "phase": rc.OPEN,
        "version": 1,
        "self_assessment_closes": datetime.fromisoformat(schedule.self_assessment_closes).date(),
        "posting_starts": None,
        "objections_close": None,
        "council": None,
        "opened_by": inp.opened_by,
        "created_at": now,
        "updated_at": now,
    }
    with uow:
        if uow.rounds.add(**row):
            uow.record(
                round_entry(
                    row,
                    action="round.opened",
                    actor=inp.opened_by,
                    after={
                        "phase": rc.OPEN,
                        "year": inp.year,
                        "plan_code": inp.plan_code,
                        "self_assessment_closes": schedule.self_assessment_closes,
                    },
                    at=now,
                )
            )
            uow.publish(
                _round_event(
                    row,
                    "round.opened",
                    schedule=schedule.__dict__,
                    due_at=schedule.self_assessment_closes,
                    actor=inp.opened_by,
                    village_codes=village_codes(uow, inp.admin_unit_code),
                )
            )
            uow.commit()
    return schedule


def _round_event(rnd: dict[str, Any], event_type: str, **payload: Any) -> Event:
    return Event(
        id=stable_id("event", event_type, rnd["id"], payload.get("version", "")),
        type=event_type,
        source="evaluation",
        payload={
            "round_id": rnd["id"],
            "admin_unit_code": rnd["admin_unit_code"],
            "year": rnd["year"],
            "plan_code": rnd["plan_code"],
            **payload,
        },
    )


def case_counts(uow: Any, rnd: dict[str, Any]) -> dict[str, int]:
    """How many of the round's cases are in each status (its commune and year, under its plan)."""
    return uow.rounds.case_counts(rnd["admin_unit_code"], rnd["year"], rnd["plan_code"])


def record_round_phase(uow: Any, *, inp: rc.RoundPhaseInput) -> rc.PhaseResult:
    """Move the round to a phase once (or record a reminder), with its audit entry and event."""
    now = datetime.now(UTC)
    with uow:
        rnd = get_round_or_raise(uow, inp.round_id, lock=True)
        counts = case_counts(uow, rnd)
        if inp.phase == "reminder":
            event = _round_event(
                rnd,
                "round.reminder_due",
                version=f"reminder-{inp.version}",
                counts=counts,
                waiting=counts.get(lc.DRAFT, 0),
                due_at=inp.detail.get("due_at"),
                # The village officers chase their villages' households still in self-assessment.
                village_codes=village_codes(uow, rnd["admin_unit_code"]),
            )
            if not uow.has_event(event.id):
                uow.record(
                    round_entry(rnd, action="round.reminder_due", actor=inp.actor, after={"counts": counts})
                )
                uow.publish(event)
                uow.commit()
            return rc.PhaseResult(counts=counts)
        if rnd["version"] >= inp.version:  # a retried activity
            return rc.PhaseResult(objections_close=_close(rnd), counts=counts)
        if inp.phase == rc.COUNCIL and uow.rounds.open_objections(rnd["id"]):
            # Filed after the workflow's last count: the council waits (the row is locked, so no objection
            # can be filed between this count and the move).
            return rc.PhaseResult(objections_close=_close(rnd), counts=counts, moved=False)
        changes: dict[str, Any] = {"phase": inp.phase, "version": inp.version, "updated_at": now}
        if inp.phase == rc.POSTING:
            start = datetime.fromisoformat(str(inp.detail["at"]))
            days = int(inp.detail["posting_days"])
            working = bool(inp.detail["posting_working_days"])
            cal = WorkCalendar(
                extra_days_off=frozenset(date.fromisoformat(d) for d in inp.detail.get("days_off", [])),  # type: ignore[union-attr]
                working_days_only=working,
            )
            posted_on = start.astimezone(VIETNAM_TZ).date()
            if days == 0:  # no objection period: the window's last day is the day before the posting
                closes_on = posted_on - timedelta(days=1)
            else:
                closes_on = cal.deadline(start, days, working).astimezone(VIETNAM_TZ).date()
            changes.update(posting_starts=posted_on, objections_close=closes_on)
        uow.rounds.update(rnd["id"], **changes)
        after = {
            "phase": inp.phase,
            "version": inp.version,
            "counts": counts,
            **{
                k: v
                for k, v in inp.detail.items()
                if k in ("decisions", "recognised", "not_recognised", "recorded", "reason")
            },
        }
        if inp.phase == rc.POSTING:
            after["objections_close"] = changes["objections_close"].isoformat()
        if inp.phase == rc.SUPPLEMENTARY:
            # The workflow's own end (from the round's schedule); 31/12 when an activity scheduled before
            # the field existed carries none (such a round ran with 31/12).
            after["supplements_until"] = str(
                inp.detail.get("supplements_until") or rc.supplements_until(rnd["year"])
            )
        uow.record(
            round_entry(
                rnd,
                action=ROUND_EVENTS[inp.phase],
                actor=inp.actor,
                before={"phase": rnd["phase"], "version": rnd["version"]},
                after=after,
                at=now,
            )
        )
        extra: dict[str, Any] = {}
        if inp.phase == rc.POSTING:  # the village officers post the list in each village (notifications)
            extra["village_codes"] = village_codes(uow, rnd["admin_unit_code"])
        uow.publish(
            _round_event(
                rnd,
                ROUND_EVENTS[inp.phase],
                version=inp.version,
                phase=inp.phase,
                counts=counts,
                objections_close=after.get("objections_close"),
                actor=inp.actor,
                **{k: after[k] for k in ("decisions", "reason", "supplements_until") if k in after},
                **extra,
            )
        )
        uow.commit()
        rnd.update(changes)
    return rc.PhaseResult(objections_close=_close(rnd), counts=counts)


def village_codes(uow: Any, commune_code: str) -> list[str]:
    """The codes of the commune's villages (thôn, tổ dân phố)."""
    units, _ = uow.admin_units.list(
        level="village", parent_code=commune_code, name_contains=None, within=None, limit=10_000, offset=0
    )
    return [u.code for u in units]


def _close(rnd: dict[str, Any]) -> str | None:
    day = rnd.get("objections_close")
    return _at(day) if day else None


def round_progress(uow: Any, *, round_id: str) -> dict[str, int]:
    """Cases of the round per status."""
    with uow:
        return case_counts(uow, get_round_or_raise(uow, round_id))


def get_round(uow: Any, *, round_id: str) -> dict[str, Any]:
    """The round with its case counts, objections, decisions and dependency warnings."""
    from services.evaluation.service.decision_list import DEPENDENCY_UNMET, still_short
    from services.evaluation.service.round_audit import decision_number, round_chain

    with uow:
        rnd = get_round_or_raise(uow, round_id)
        unit = uow.admin_units.get(rnd["admin_unit_code"])
        rnd["admin_unit_name"] = unit.name if unit is not None else None  # the commune as people name it
        rnd["counts"] = case_counts(uow, rnd)
        rnd["objections"] = uow.rounds.objections(round_id)
        decisions = uow.decisions.of_round(round_id)
        for d in decisions:
            d["number_text"] = decision_number(d)
            d["recognised"] = uow.decisions.count_items(d["id"], outcome=lc.RECOGNISED)
            d["not_recognised"] = uow.decisions.count_items(d["id"], outcome=lc.NOT_RECOGNISED)
        rnd["decisions"] = decisions
        # Recognitions a revocation left short of their dependency, still standing (docs/yearly-round.md).
        # Judged again on reading: a later decision may have restored the share.
        rnd["dependency_warnings"] = still_short(
            uow, rnd, uow.rounds.dependency_warnings(round_id, round_chain(round_id), DEPENDENCY_UNMET)
        )
    return rnd


def list_rounds(
    uow: Any,
    *,
    within: str | None,
    admin_unit_code: str | None = None,
    year: int | None = None,
    phase: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """A page of rounds whose commune lies within the subtree at path `within` (None: everywhere),
    filtered by commune, year and phase, newest year first."""
    with uow:
        items, total = uow.rounds.page(
            within=within,
            admin_unit_code=admin_unit_code,
            year=year,
            phase=phase,
            limit=limit,
            offset=offset,
        )
    return Page(items=items, total=total)


def document_links(uow: Any, *, round_id: str, case_id: str | None) -> list[dict[str, Any]]:
    """The stored documents of a round (decisions, minutes), or of one case (its certificate), with keys."""
    from common.errors import NotFound

    out: list[dict[str, Any]] = []
    with uow:
        get_round_or_raise(uow, round_id)
        decisions = uow.decisions.of_round(round_id)
        if case_id is None:
            for d in decisions:
                for kind, f in (d["documents"] or {}).items():
                    out.append(
                        {
                            "decision_id": d["id"],
                            "case_id": None,
                            "kind": kind,
                            "sha256": f["sha256"],
                            "media_type": f["media_type"],
                            "key": f["key"],
                            "key_name": f["key"].rsplit("/", 1)[-1],
                        }
                    )
            return out
        import json

        ids = {d["id"] for d in decisions}
        import sqlalchemy as sa

        from services.evaluation.adapters import tables as t

        row = (
            uow.connection.execute(sa.select(t.recognitions).where(t.recognitions.c.case_id == case_id))
            .mappings()
            .first()
        )
        if row is None or row["decision_id"] not in ids:
            raise NotFound(
                "Hồ sơ chưa có giấy chứng nhận trong đợt xét này.",
                "No certificate for this case in this round.",
            )
        for kind, f in (json.loads(row["certificate"]) if row["certificate"] else {}).items():
            out.append(
                {
                    "decision_id": row["decision_id"],
                    "case_id": case_id,
                    "kind": f"certificate_{kind}",
                    "sha256": f["sha256"],
                    "media_type": f["media_type"],
                    "key": f["key"],
                    "key_name": f["key"].rsplit("/", 1)[-1],
                }
            )
    return out
