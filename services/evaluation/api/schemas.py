"""Request and response schemas of the evaluation API (entrypoint layer)."""

from __future__ import annotations

from marshmallow import fields, validate

from common.web import MAX_OFFSET, Schema, TypedText
from services.evaluation.domain.model import TITLES, VERDICTS
from workflows.recognition import lifecycle as lc


class CaseCreateSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2023, max=2030))
    title = fields.String(required=True, validate=validate.OneOf(TITLES))
    subject_id = TypedText(required=True, validate=validate.Length(min=1, max=120))
    # a commune, or a village of it ("26506.KP01"): the case's unit is the commune either way
    admin_unit_code = TypedText(
        required=True, validate=validate.Regexp(r"^\d{2,10}(\.[A-Za-z0-9_-]{1,20})?$")
    )
    plan_code = fields.String(validate=validate.Length(min=1, max=80))


class CaseOpenedSchema(Schema):
    case_id = fields.String()
    workflow_id = fields.String()
    created = fields.Boolean()
    ready = fields.Boolean(metadata={"description": "The case accepts its first step now"})


class CaseRecognitionSchema(Schema):
    decision_number = fields.String()
    decided_on = fields.Date()
    revoked = fields.Boolean()
    revoked_by_number = fields.String(allow_none=True)


class SelfAssessmentWindowSchema(Schema):
    opens = fields.Date(metadata={"description": "First day a submit is taken (Vietnam time)"})
    closes = fields.Date(metadata={"description": "Last day before the case is late"})


class CaseSchema(Schema):
    id = fields.String()
    workflow_id = fields.String()
    run_id = fields.String()
    year = fields.Integer()
    title = fields.String()
    subject_id = fields.String()
    subject_code = fields.String(allow_none=True, metadata={"description": "The subject's register code"})
    subject_name = fields.String(
        allow_none=True, metadata={"description": "The subject's name in the register"}
    )
    admin_unit_code = fields.String()
    village_code = fields.String(
        allow_none=True,
        metadata={"description": "The village the subject lives in (none for a clan or unit)"},
    )
    village_name = fields.String(allow_none=True)
    status = fields.String()
    version = fields.Integer()
    opened_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    assignee = fields.String(
        allow_none=True, metadata={"description": "The staff account that claimed it, or was handed it"}
    )
    waiting_on_role = fields.String(allow_none=True, metadata={"description": "The role whose step is next"})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "When the current step is due"})
    overdue = fields.Boolean(metadata={"description": "The current step's deadline has passed"})
    escalated_to_role = fields.String(
        allow_none=True, metadata={"description": "The role the overdue step was escalated to, if any"}
    )
    # Once recorded as recognised by a decision (None before, or for another outcome).
    recognition = fields.Nested(CaseRecognitionSchema, allow_none=True)
    self_assessment = fields.Nested(
        SelfAssessmentWindowSchema,
        allow_none=True,
        metadata={
            "description": "The plan's self-assessment window of the case's year (null until recorded)"
        },
    )


class EvidenceUploadSchema(Schema):
    indicator_code = fields.String(validate=validate.Length(min=1, max=60))


class EvidenceFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class EvidenceSchema(Schema):
    id = fields.String()
    case_id = fields.String()
    indicator_code = fields.String(allow_none=True)
    file_name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    created_at = fields.DateTime()
    verdict = fields.String(allow_none=True)
    verdict_reason = fields.String(allow_none=True)
    verdict_by = fields.String(allow_none=True)
    verdict_at = fields.DateTime(allow_none=True)
    download_url = fields.String()


class EvidenceVerdictSchema(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class EvidenceVerifySchema(Schema):
    evidence_id = fields.String()
    sha256 = fields.String()
    intact = fields.Boolean()


class StepCreateSchema(Schema):
    action = fields.String(required=True, validate=validate.Length(min=1, max=40))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=60)), values=fields.Raw(), load_default=dict
    )
    indicator_code = fields.String(validate=validate.Length(min=1, max=60))


class StepResultSchema(Schema):
    status = fields.String()
    version = fields.Integer()
    due_at = fields.String(allow_none=True)


class ScoreSchema(Schema):
    indicator_code = fields.String()
    self_score = fields.Float(allow_none=True)
    village_score = fields.Float(allow_none=True)
    commune_score = fields.Float(allow_none=True)
    updated_by = fields.String()
    updated_at = fields.DateTime()


class TaskQueryArgsSchema(Schema):
    title = fields.String(validate=validate.OneOf(TITLES))
    status = fields.String(validate=validate.OneOf(lc.STATUSES))
    village = TypedText(validate=validate.Length(min=1, max=40))
    mine = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class CaseQueryArgsSchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2023, max=2030))
    title = fields.String(validate=validate.OneOf(TITLES))
    status = fields.String(validate=validate.OneOf(lc.STATUSES))
    village = TypedText(validate=validate.Length(min=1, max=40))
    subject_id = TypedText(
        validate=validate.Length(min=1, max=120),
        metadata={"description": "One subject's cases (its id); a household representative's are its own"},
    )
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class TaskSchema(Schema):
    id = fields.String()
    workflow_id = fields.String()
    year = fields.Integer()
    title = fields.String()
    subject_id = fields.String()
    subject_code = fields.String(allow_none=True, metadata={"description": "The subject's register code"})
    subject_name = fields.String(
        allow_none=True, metadata={"description": "The subject's name in the register"}
    )
    admin_unit_code = fields.String()
    village_code = fields.String(allow_none=True)
    village_name = fields.String(allow_none=True, metadata={"description": "The village's name"})
    status = fields.String()
    version = fields.Integer()
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    escalated = fields.Function(lambda t: t["escalation_step"] is not None and t["escalation_step"] >= 0)
    escalation_step = fields.Integer()
    escalated_to_role = fields.String(allow_none=True)
    waiting_on_role = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    plan_code = fields.String(allow_none=True)


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer()


class AssignSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=120))
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "Why the case changes hands (recorded in its history)"},
    )
