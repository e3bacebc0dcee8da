"""Schemas of the notifications API (entrypoint layer)."""

from __future__ import annotations

from marshmallow import fields, validate

from common.web import Schema


class InboxQueryArgsSchema(Schema):
    recipient = fields.String(required=True, validate=validate.Length(min=1, max=160))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class InboxItemSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    recipient = fields.String()
    event_type = fields.String()
    subject_vi = fields.String()
    subject_en = fields.String()
    case_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxSchema(Schema):
    items = fields.List(fields.Nested(InboxItemSchema))
    unread = fields.Integer()
