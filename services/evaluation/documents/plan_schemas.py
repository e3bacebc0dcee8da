"""Marshmallow schemas of the plan document format: field shapes only (evaluation, documents layer).

Cross-field rules (ordering, uniqueness, references between sections) live in ``plan_checks``;
these schemas check each field on its own and build the frozen domain records on load.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from services.evaluation.domain import plan_terms as t
from services.evaluation.domain import plans as m

_MONTH_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_CRITERIA_VERSION = r"^\d{4}\.\d+$"
_ADMIN_CODE = r"^\d{1,6}$"


def parse_month_day(value: object) -> t.MonthDay | None:
    """A "dd/mm" text as a MonthDay valid in every year, or None (29/02 is refused: not every year)."""
    match = _MONTH_DAY.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    try:
        date(2023, month, day)  # a non-leap year: the date must exist every year
    except ValueError:
        return None
    return t.MonthDay(month=month, day=day)


class Text(fields.String):
    """A trimmed, NFC-normalised string: Vietnamese typed in decomposed form compares equal."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return unicodedata.normalize("NFC", text).strip()


class MonthDayField(fields.Field):
    """A yearly day written "dd/mm", as Vietnamese documents write it (05/12 is 5 December)."""

    default_error_messages = {"invalid": "Not a valid day of the year, expected dd/mm (e.g. 05/12)."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> t.MonthDay:
        parsed = parse_month_day(value)
        if parsed is None:
            raise self.make_error("invalid")
        return parsed


class IsoDate(fields.Field):
    """A calendar date: a YAML date or an ISO "YYYY-MM-DD" string."""

    default_error_messages = {"invalid": "Not a valid date, expected YYYY-MM-DD."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        # A datetime is a date too, but a time of day in a plan date is a mistake worth reporting.
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.make_error("invalid")


def _text(required: bool = True) -> Text:
    if required:
        return Text(required=True, validate=validate.Length(min=1))
    return Text(allow_none=True, validate=validate.Length(min=1))


def _int(minimum: int | None = None, maximum: int | None = None, required: bool = True) -> fields.Integer:
    return fields.Integer(
        strict=True,
        required=required,
        allow_none=not required,
        validate=validate.Range(min=minimum, max=maximum),
    )


def _one_of(choices: tuple[str, ...] | frozenset[str], required: bool = True) -> Text:
    return Text(required=required, validate=validate.OneOf(sorted(choices)))


def _year(required: bool = True) -> fields.Integer:
    return _int(2000, 2100, required)


def _many(schema: type[ma.Schema], minimum: int = 0) -> fields.List:
    """A list of nested items; with no minimum it may be left out (an empty list), else it is required."""
    if minimum > 0:
        return fields.List(fields.Nested(schema), required=True, validate=validate.Length(min=minimum))
    return fields.List(fields.Nested(schema), load_default=list)


class StrictBool(fields.Boolean):
    """Only true or false: a 1 or "on" in a plan is more likely a typo than intent."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _strict_bool(required: bool = False) -> StrictBool:
    return StrictBool(required=required)


class _Schema(ma.Schema):
    """Base: unknown keys are errors, lists become tuples, and a load builds ``model``."""

    model: type | None = None

    class Meta:
        unknown = ma.RAISE

    @ma.post_load
    def _build(self, data: dict[str, Any], **_: Any) -> Any:
        values = {key: tuple(v) if isinstance(v, list) else v for key, v in data.items()}
        return self.model(**values) if self.model else values


class _SourcedSchema(_Schema):
    assumed = _strict_bool()
    source = _text(required=False)
    note = _text(required=False)


class LegalRefSchema(_Schema):
    model = m.LegalRef
    number = _text()
    issuer_vi = _text()
    issued_on = IsoDate(allow_none=True)
    title_vi = _text(required=False)


class DocumentInfoSchema(_Schema):
    model = m.DocumentInfo
    issued_year = _year()
    programme_vi = _text()
    number = _text(required=False)
    issued_on = IsoDate(allow_none=True)
    signer_vi = _text(required=False)
    legal_basis = _many(LegalRefSchema)


class IssuerSchema(_Schema):
    model = m.Issuer
    name_vi = _text()
    level = _one_of(t.ISSUER_LEVELS)


class AdminUnitSchema(_Schema):
    model = m.AdminUnit
    name_vi = _text()
    level = _one_of(t.ADMIN_LEVELS)
    code = Text(allow_none=True, validate=validate.Regexp(_ADMIN_CODE))


class LocalitySchema(AdminUnitSchema):
    model = m.Locality
    parents = _many(AdminUnitSchema)


class LevelUseSchema(_Schema):
    model = m.LevelUse
    level = _one_of(t.ADMIN_LEVELS)
    unit_kinds_vi = fields.List(_text())
    count = _int(1, required=False)


class PhaseSchema(_Schema):
    model = m.Phase
    number = _int(1)
    start_year = _year()
    end_year = _year()
    closing_review = _one_of(t.PHASE_REVIEWS)


class PeriodSchema(_Schema):
    model = m.Period
    start_year = _year()
    end_year = _year()
    phases = _many(PhaseSchema, minimum=1)


class CriteriaRefSchema(_Schema):
    model = m.CriteriaRef
    code = _one_of(t.KNOWN_CRITERIA_CODES)
    version = Text(required=True, validate=validate.Regexp(_CRITERIA_VERSION))


class TitleScopeSchema(_SourcedSchema):
    model = m.TitleScope
    title = _one_of(tuple(t.TITLE_CRITERIA_CODES))
    name_vi = _text()
    criteria = fields.Nested(CriteriaRefSchema, required=True)
    decided_by_level = _one_of(t.ADMIN_LEVELS)


_SHARE = validate.Range(min=0, max=1, error="Must be a share between 0 and 1 (e.g. 0.85 for 85%).")
_POPULATIONS = tuple(sorted({p for pops in t.TITLE_POPULATIONS.values() for p in pops}))


class TargetSchema(_SourcedSchema):
    model = m.Target
    title = _one_of(tuple(t.TITLE_CRITERIA_CODES))
    year = _year()
    share = fields.Float(required=True, allow_nan=False, validate=_SHARE)
    population = _one_of(_POPULATIONS)


class OtherTargetSchema(_SourcedSchema):
    model = m.OtherTarget
    code = Text(required=True, validate=validate.Regexp(r"^[a-z0-9_]+$"))
    year = _year()
    share = fields.Float(required=True, allow_nan=False, validate=_SHARE)
    description_vi = _text()


class WindowSchema(_SourcedSchema):
    model = m.Window
    start = MonthDayField(required=True)
    end = MonthDayField(required=True)


class YearlyDateSchema(_SourcedSchema):
    model = m.YearlyDate
    day = MonthDayField(required=True)


class DurationSchema(_SourcedSchema):
    model = m.Duration
    days = _int(0, 366)
    working_days = _strict_bool(required=True)


class PostingSchema(DurationSchema):
    days = _int(0, 90)  # 0: no objection period (the list goes to the council as soon as it is posted)


class ReviewLimitSchema(DurationSchema):
    model = m.ReviewLimit
    level = _one_of(t.ADMIN_LEVELS)
    days = _int(1, 366)


class DecisionSchema(_SourcedSchema):
    model = m.Decision
    quarter = _int(1, 4)
    level = _one_of(t.ADMIN_LEVELS)


class ReportDeadlineSchema(_SourcedSchema):
    model = m.ReportDeadline
    from_vi = _text()
    from_level = _one_of(t.PARTY_LEVELS)
    to_vi = _text()
    to_level = _one_of(t.PARTY_LEVELS)
    due = MonthDayField(required=True)
    before = _strict_bool()
    year = _year(required=False)


class CalendarSchema(_Schema):
    model = m.Calendar
    self_assessment = fields.Nested(WindowSchema, required=True)
    evidence_deadline = fields.Nested(YearlyDateSchema, required=True)
    review_limits = _many(ReviewLimitSchema, minimum=1)
    decision = fields.Nested(DecisionSchema, required=True)
    report_deadlines = _many(ReportDeadlineSchema)
    reminder_lead = fields.Nested(DurationSchema, required=True)
    days_off = fields.List(IsoDate())
    public_posting = fields.Nested(PostingSchema, required=False, allow_none=True)
    supplementary_until = fields.Nested(YearlyDateSchema, required=False, allow_none=True)

    @ma.post_dump
    def _omit_absent_optional_entries(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # A plan without these fields dumps as before, so its canonical form (and sha256) is unchanged.
        for name in ("public_posting", "supplementary_until"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class EscalationStepSchema(_SourcedSchema):
    model = m.EscalationStep
    role = _one_of(t.ROLES)
    level = _one_of(t.ADMIN_LEVELS)
    after_days = _int(0, 366)
    working_days = _strict_bool(required=True)
    action = _one_of(t.ESCALATION_ACTIONS)


class AwardFormSchema(_Schema):
    model = m.AwardForm
    form = _one_of(t.AWARD_FORMS)
    authority = _one_of(tuple(a for group in t.AWARD_AUTHORITIES.values() for a in group))
    name_vi = _text()
    quota = _int(1, required=False)


class AwardRoundSchema(_SourcedSchema):
    model = m.AwardRound
    kind = _one_of(t.ROUND_KINDS)
    level = _one_of(t.PARTY_LEVELS)
    forms = _many(AwardFormSchema, minimum=1)
    recipients = fields.List(_one_of(t.RECIPIENTS), validate=validate.Length(min=1))
    year = _year(required=False)
    quarter = _int(1, 4, required=False)
    month = _int(1, 12, required=False)
    by_latest = _strict_bool()
    event_vi = _text(required=False)


class MilestoneSchema(_SourcedSchema):
    model = m.Milestone
    description_vi = _text()
    year = _year()
    quarter = _int(1, 4, required=False)


class PlanSchema(_Schema):
    """The whole plan document."""

    model = m.Plan
    code = Text(required=True, validate=validate.Regexp(_SLUG, error="Must be a lower-case slug."))
    version = _int(1)
    name_vi = _text()
    document = fields.Nested(DocumentInfoSchema, required=True)
    issuer = fields.Nested(IssuerSchema, required=True)
    locality = fields.Nested(LocalitySchema, required=True)
    levels = _many(LevelUseSchema, minimum=1)
    period = fields.Nested(PeriodSchema, required=True)
    titles = _many(TitleScopeSchema, minimum=1)
    calendar = fields.Nested(CalendarSchema, required=True)
    escalation = _many(EscalationStepSchema, minimum=1)
    award_rounds = _many(AwardRoundSchema, minimum=1)
    targets = _many(TargetSchema)
    other_targets = _many(OtherTargetSchema)
    milestones = _many(MilestoneSchema)
    notes = fields.List(_text())
