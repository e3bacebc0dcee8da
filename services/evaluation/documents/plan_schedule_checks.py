"""Cross-field checks of a plan's calendar, escalation chain, award rounds (evaluation, documents layer)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from services.evaluation.documents.plan_checks import (
    Context,
    Problem,
    a_date,
    entries,
    get,
    integer,
    month_day,
    rank,
    text,
)
from services.evaluation.domain import plan_terms as t

_QUARTER_START = {1: t.MonthDay(1, 1), 2: t.MonthDay(4, 1), 3: t.MonthDay(7, 1), 4: t.MonthDay(10, 1)}
_QUARTER_END = {1: t.MonthDay(3, 31), 2: t.MonthDay(6, 30), 3: t.MonthDay(9, 30), 4: t.MonthDay(12, 31)}


def check_schedule(raw: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Problems in the calendar, the escalation chain, the award rounds and the milestones."""
    return [
        *_windows(raw, ctx),
        *_review_limits(raw, ctx),
        *_reports(raw, ctx),
        *_days_off(raw, ctx),
        *_escalation(raw, ctx),
        *_rounds(raw, ctx),
        *_phase_rounds(raw),
        *(
            Problem(f"{path}.year", "The year is outside the plan period.")
            for path, item in entries(raw, "milestones")
            if not ctx.in_period(integer(item.get("year")))
        ),
    ]


def _windows(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    start = month_day(get(raw, "calendar", "self_assessment", "start"))
    end = month_day(get(raw, "calendar", "self_assessment", "end"))
    evidence = month_day(get(raw, "calendar", "evidence_deadline", "day"))
    quarter = integer(get(raw, "calendar", "decision", "quarter"))
    if start and end and not start < end:
        yield Problem("calendar.self_assessment.end", "Self-assessment must close after it opens.")
    if end and evidence and evidence < end:
        yield Problem(
            "calendar.evidence_deadline.day",
            "The evidence deadline must not fall before self-assessment closes.",
        )
    last = _QUARTER_END.get(quarter or 0)
    if last and evidence and evidence > last:
        yield Problem(
            "calendar.evidence_deadline.day",
            f"The evidence deadline falls after quarter {quarter}, when the decision is taken.",
        )
    supplements = month_day(get(raw, "calendar", "supplementary_until", "day"))
    first = _QUARTER_START.get(quarter or 0)
    if first and supplements and supplements < first:
        yield Problem(
            "calendar.supplementary_until.day",
            f"Supplementary decisions end before quarter {quarter} ({first}), when the decision is taken.",
        )
    level = text(get(raw, "calendar", "decision", "level"))
    if not ctx.level_known(level):
        yield Problem("calendar.decision.level", f"Level '{level}' is not among the plan's levels.")


def _review_limits(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    previous: int | None = None
    seen: set[str] = set()
    for path, entry in entries(raw, "calendar", "review_limits"):
        level = text(entry.get("level"))
        if not ctx.level_known(level):
            yield Problem(f"{path}.level", f"Level '{level}' is not among the plan's levels.")
        if level in seen:
            yield Problem(f"{path}.level", f"Level '{level}' has two review limits.")
        seen.add(level or "")
        current = rank(level)
        if current is not None and previous is not None and current >= previous:
            yield Problem(f"{path}.level", "Review limits run bottom up, in the order a case climbs.")
        previous = current if current is not None else previous


def _reports(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    for path, entry in entries(raw, "calendar", "report_deadlines"):
        source, target = text(entry.get("from_level")), text(entry.get("to_level"))
        for key, level in (("from_level", source), ("to_level", target)):
            if not ctx.level_known(level, agency_ok=True):
                yield Problem(f"{path}.{key}", f"Level '{level}' is not among the plan's levels.")
        source_rank, target_rank = rank(source), rank(target)
        if source_rank is not None and target_rank is not None and target_rank > source_rank:
            yield Problem(f"{path}.to_level", "A report goes up or across, never down a level.")
        if not ctx.in_period(integer(entry.get("year"))):
            yield Problem(f"{path}.year", "The year is outside the plan period.")


def _days_off(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    values = get(raw, "calendar", "days_off")
    seen: set[object] = set()
    for index, value in enumerate(values if isinstance(values, list) else []):
        day = a_date(value)
        if day is None:
            continue
        if day in seen:
            yield Problem(f"calendar.days_off[{index}]", f"{day.isoformat()} is listed twice.")
        elif not ctx.in_period(day.year):
            yield Problem(f"calendar.days_off[{index}]", "The day is outside the plan period.")
        seen.add(day)


def _escalation(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    last_days: int | None = None
    last_rank: int | None = None
    for path, step in entries(raw, "escalation"):
        level, days = text(step.get("level")), integer(step.get("after_days"))
        if not ctx.level_known(level):
            yield Problem(f"{path}.level", f"Level '{level}' is not among the plan's levels.")
        if days is not None and last_days is not None and days <= last_days:
            yield Problem(f"{path}.after_days", "Steps must come strictly later than the step before.")
        current = rank(level)
        if current is not None and last_rank is not None and current > last_rank:
            yield Problem(f"{path}.level", "Escalation goes up the levels, never back down.")
        last_days = days if days is not None else last_days
        last_rank = current if current is not None else last_rank


def _rounds(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    seen: set[tuple[Any, ...]] = set()
    for path, entry in entries(raw, "award_rounds"):
        kind, level, year = text(entry.get("kind")), text(entry.get("level")), integer(entry.get("year"))
        key = (kind, level, year)
        if key in seen:
            yield Problem(f"{path}.kind", f"A second {kind} round at level '{level}'.")
        seen.add(key)
        if not ctx.level_known(level, agency_ok=True):
            yield Problem(f"{path}.level", f"Level '{level}' is not among the plan's levels.")
        if kind == "annual" and entry.get("year") is not None:
            yield Problem(f"{path}.year", "An annual round recurs every year: give no year.")
        if kind in t.PHASE_REVIEWS and entry.get("year") is None:
            yield Problem(f"{path}.year", f"A {kind} round needs its year.")
        if kind in t.PHASE_REVIEWS and year is not None and ctx.period:
            start, end = ctx.period
            # A review may be held just after the phase it closes (Vạn Hòa: sơ kết in quarter II/2026).
            if not (start <= year <= end + 1) or (kind == "tong_ket" and year < end):
                yield Problem(f"{path}.year", f"The {kind} year does not fit the period {start}-{end}.")
        yield from _round_timing(path, entry)
        yield from _forms(path, entry)


def _round_timing(path: str, entry: Mapping[str, Any]) -> Iterator[Problem]:
    quarter, month = integer(entry.get("quarter")), integer(entry.get("month"))
    if quarter in _QUARTER_END and month is not None and 1 <= month <= 12 and (month - 1) // 3 + 1 != quarter:
        yield Problem(f"{path}.month", f"Month {month} is not in quarter {quarter}.")


def _forms(path: str, entry: Mapping[str, Any]) -> Iterator[Problem]:
    seen: set[tuple[Any, ...]] = set()
    for form_path, form in entries(entry, "forms"):
        kind, authority = text(form.get("form")), text(form.get("authority"))
        allowed = t.AWARD_AUTHORITIES.get(kind or "", ())
        if allowed and authority and authority not in allowed:
            yield Problem(
                f"{path}.{form_path}.authority", f"A {kind} is conferred by one of: {', '.join(allowed)}."
            )
        if (kind, authority) in seen:
            yield Problem(f"{path}.{form_path}", f"The form {kind} of {authority} is listed twice.")
        seen.add((kind, authority))
    recipients = entry.get("recipients")
    if isinstance(recipients, list) and len(set(map(str, recipients))) != len(recipients):
        yield Problem(f"{path}.recipients", "A recipient kind is listed twice.")


def _phase_rounds(raw: Mapping[str, Any]) -> Iterator[Problem]:
    kinds = {text(entry.get("kind")) for _, entry in entries(raw, "award_rounds")}
    if not isinstance(raw.get("award_rounds"), list):
        return
    for path, phase in entries(raw, "period", "phases"):
        review = text(phase.get("closing_review"))
        if review in t.PHASE_REVIEWS and review not in kinds:
            yield Problem("award_rounds", f"No {review} award round for the phase at {path}.")
