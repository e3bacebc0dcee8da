"""Rounds from the plan: pick the plan's award round for a kind, level and year, date it, set its quotas
(pure Python; the plan arrives as the data `GET /plans/{code}` of the evaluation service answers)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from common.errors import ValidationFailed
from services.awards.domain.model import AwardForm


@dataclass(frozen=True)
class Schedule:
    """How far before the ceremony nominations and the council close (the plans do not say: assumed)."""

    nomination_days_before: int = 45
    council_days_before: int = 15


@dataclass(frozen=True)
class RoundSpec:
    """What a round takes from its plan."""

    forms: tuple[AwardForm, ...]
    recipients: tuple[str, ...]
    ceremony_on: date
    nomination_deadline: date
    council_deadline: date
    event_vi: str | None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def ceremony_date(entry: Mapping[str, Any], year: int) -> date:
    """The month's or quarter's last day (by that date at the latest); the year's end when undated."""
    if entry.get("month"):
        return _last_day(year, int(entry["month"]))
    if entry.get("quarter"):
        return _last_day(year, int(entry["quarter"]) * 3)
    return date(year, 12, 31)


def find_plan_round(plan: Mapping[str, Any], *, kind: str, level: str, year: int) -> Mapping[str, Any]:
    """The plan's award round of this kind and level for `year`; ValidationFailed naming what exists."""
    rounds = list(plan.get("award_rounds") or [])
    same = [r for r in rounds if r["kind"] == kind and r["level"] == level]
    if not same:
        offered = sorted({f"{r['kind']}@{r['level']}" for r in rounds})
        raise ValidationFailed(
            "Kế hoạch không có đợt khen thưởng này.",
            "The plan has no award round of this kind at this level.",
            errors={"kind": [f"Kế hoạch có: {', '.join(offered) or 'không có đợt nào'}."]},
            errors_en={"kind": [f"The plan offers: {', '.join(offered) or 'none'}."]},
        )
    for entry in same:
        if entry.get("year") in (None, year):
            return entry
    years = sorted(r["year"] for r in same if r.get("year"))
    raise ValidationFailed(
        "Kế hoạch tổ chức đợt này vào năm khác.",
        "The plan holds this round in another year.",
        errors={"year": [f"Kế hoạch tổ chức đợt này vào năm {', '.join(map(str, years))}."]},
        errors_en={"year": [f"The plan holds it in {', '.join(map(str, years))}."]},
    )


def round_spec(
    entry: Mapping[str, Any],
    *,
    year: int,
    default_quotas: Mapping[str, int],
    quotas: Mapping[str, int] | None = None,
    schedule: Schedule = Schedule(),
    nomination_deadline: date | None = None,
    council_deadline: date | None = None,
) -> RoundSpec:
    """Forms with quotas (given > the plan's > the catalogue's default per authority) and deadlines."""
    forms = tuple(
        AwardForm(
            form=f["form"],
            authority=f["authority"],
            name_vi=f["name_vi"],
            quota=int(f.get("quota") or default_quotas.get(f["authority"], 1)),
        )
        for f in entry["forms"]
    )
    given = dict(quotas or {})
    unknown = sorted(set(given) - {f.key for f in forms})
    if unknown:
        raise ValidationFailed(
            "Hạn mức cho hình thức khen thưởng không có trong đợt.",
            "Quota for a form the round does not confer.",
            errors={
                "quotas": [
                    f"Không có hình thức {k}; các hình thức của đợt: {', '.join(f.key for f in forms)}."
                    for k in unknown
                ]
            },
            errors_en={
                "quotas": [
                    f"Unknown form {k}; the round's forms: {', '.join(f.key for f in forms)}."
                    for k in unknown
                ]
            },
        )
    forms = tuple(AwardForm(f.form, f.authority, f.name_vi, given.get(f.key, f.quota)) for f in forms)
    ceremony = ceremony_date(entry, year)
    nominate = nomination_deadline or ceremony - timedelta(days=schedule.nomination_days_before)
    council = council_deadline or max(nominate, ceremony - timedelta(days=schedule.council_days_before))
    if council < nominate:
        raise ValidationFailed(
            "Hạn họp hội đồng phải sau hạn nhận hồ sơ.",
            "The council deadline must come after the nomination deadline.",
            errors={
                "council_deadline": [
                    f"Hạn {council.isoformat()} trước hạn nhận hồ sơ {nominate.isoformat()}."
                ]
            },
            errors_en={
                "council_deadline": [
                    f"{council.isoformat()} is before the nomination deadline {nominate.isoformat()}."
                ]
            },
        )
    return RoundSpec(
        forms=forms,
        recipients=tuple(entry.get("recipients") or ()),
        ceremony_on=ceremony,
        nomination_deadline=nominate,
        council_deadline=council,
        event_vi=entry.get("event_vi"),
    )
