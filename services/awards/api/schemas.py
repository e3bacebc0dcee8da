"""Awards API schemas (entrypoint layer)."""

from __future__ import annotations

from marshmallow import fields, validate

from common.web import Schema
from services.awards.domain.eligibility import PENDING_FLAGS
from services.awards.domain.model import LEVELS, NOMINEE_KINDS, ROUND_KINDS

CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,40}$")
REASON = validate.Length(min=1, max=1000)


class RoundCreateSchema(Schema):
    plan_code = fields.String(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf(ROUND_KINDS))
    year = fields.Integer(required=True, validate=validate.Range(min=2021, max=2030))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    admin_unit_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2,10}$"))
    quotas = fields.Dict(
        keys=fields.String(validate=validate.Length(max=80)),
        values=fields.Integer(validate=validate.Range(min=0, max=10_000)),
    )
    nomination_deadline = fields.Date()
    council_deadline = fields.Date()
    reason = fields.String(validate=REASON)


class RoundQueryArgsSchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2021, max=2030))


class FormSchema(Schema):
    key = fields.String()
    form = fields.String()
    authority = fields.String()
    name_vi = fields.String()
    quota = fields.Integer()


class RoundSchema(Schema):
    id = fields.String()
    plan_code = fields.String()
    kind = fields.String()
    year = fields.Integer()
    level = fields.String()
    admin_unit_code = fields.String()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    forms = fields.List(fields.Nested(FormSchema))
    recipients = fields.List(fields.String())
    nomination_deadline = fields.Date(allow_none=True)
    council_deadline = fields.Date(allow_none=True)
    ceremony_on = fields.Date(allow_none=True)
    event_vi = fields.String(allow_none=True)
    workflow_id = fields.String(allow_none=True)
    version = fields.Integer()


class PriorAwardSchema(Schema):
    form = fields.String(required=True, validate=validate.OneOf(["giay_khen", "bang_khen"]))
    authority = fields.String(required=True, validate=validate.Length(min=1, max=40))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2030))
    decision_number = fields.String(required=True, validate=validate.Length(min=1, max=60))


class NominationCreateSchema(Schema):
    nominee_kind = fields.String(required=True, validate=validate.OneOf(NOMINEE_KINDS))
    subject_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    unit_code = fields.String(required=True, validate=CODE)
    household_id = fields.String(validate=validate.Length(min=1, max=120))
    form_key = fields.String(required=True, validate=validate.Length(min=3, max=80))
    achievements = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    initiatives = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)), validate=validate.Length(max=50)
    )
    declarations = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PENDING_FLAGS)), values=fields.Boolean(), required=True
    )
    prior_awards = fields.List(fields.Nested(PriorAwardSchema), validate=validate.Length(max=50))
    priority_flags = fields.List(
        fields.String(validate=validate.OneOf(["direct_worker", "ethnic_minority", "disadvantaged_area"]))
    )


class EvidenceItemSchema(Schema):
    key = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    filename = fields.String()
    content_type = fields.String()


class NominationSchema(Schema):
    id = fields.String()
    round_id = fields.String()
    nominee_kind = fields.String()
    subject_id = fields.String()
    name = fields.String()
    unit_code = fields.String()
    household_id = fields.String(allow_none=True)
    form_key = fields.String()
    achievements = fields.String()
    initiatives = fields.List(fields.String())
    declarations = fields.Dict()
    prior_awards = fields.List(fields.Dict())
    priority_flags = fields.List(fields.String())
    evidence = fields.List(fields.Nested(EvidenceItemSchema))
    status = fields.String()
    nominated_by = fields.String()
    nominated_at = fields.DateTime()
    eligibility = fields.Dict()
    priority = fields.Integer()
    forwarded_to = fields.String(allow_none=True)


class CouncilMemberSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=120))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    position_vi = fields.String(required=True, validate=validate.Length(min=1, max=200))
    household_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120))
    unit_code = fields.String(load_default=None, allow_none=True, validate=CODE)


class CouncilSchema(Schema):
    members = fields.List(
        fields.Nested(CouncilMemberSchema), required=True, validate=validate.Length(min=3, max=50)
    )


class ScoreCreateSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    approve = fields.Boolean(required=True)
    reason = fields.String(validate=REASON)


class ScoreSchema(Schema):
    nomination_id = fields.String()
    username = fields.String()
    score = fields.Integer()
    approve = fields.Boolean()


class StepSchema(Schema):
    reason = fields.String(required=True, validate=REASON)


class DecisionCreateSchema(Schema):
    number = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-zĐđ/.-]{1,60}$"))
    decided_on = fields.Date(required=True)
    signer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reason = fields.String(required=True, validate=REASON)


class DecisionSchema(Schema):
    id = fields.String()
    round_id = fields.String()
    number = fields.String()
    decided_on = fields.Date()
    signer = fields.String()
    signer_name = fields.String()
    pdf_sha256 = fields.String(allow_none=True)
    dossiers = fields.List(fields.Dict())
