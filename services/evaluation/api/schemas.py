"""Request and response schemas of the evaluation API (entrypoint layer)."""

from __future__ import annotations

from marshmallow import fields, validate

from common.web import Schema
from services.evaluation.domain.model import TITLES


class CaseCreateSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2023, max=2030))
    title = fields.String(required=True, validate=validate.OneOf(TITLES))
    subject_id = fields.String(required=True, validate=validate.Length(min=1, max=120))
    admin_unit_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2,10}$"))


class CaseOpenedSchema(Schema):
    case_id = fields.String()
    workflow_id = fields.String()
    created = fields.Boolean()


class CaseSchema(Schema):
    id = fields.String()
    workflow_id = fields.String()
    run_id = fields.String()
    year = fields.Integer()
    title = fields.String()
    subject_id = fields.String()
    admin_unit_code = fields.String()
    status = fields.String()
    version = fields.Integer()
    opened_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


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
    download_url = fields.String()


class EvidenceVerifySchema(Schema):
    evidence_id = fields.String()
    sha256 = fields.String()
    intact = fields.Boolean()
