"""Schemas of the notifications API (entrypoint layer)."""

from __future__ import annotations

from marshmallow import fields, validate

from common.web import MAX_OFFSET, Schema
from services.notifications.domain.model import CHANNELS, DELIVERY_STATUSES
from services.notifications.domain.routing import CATEGORIES
from services.notifications.domain.templates import LANGUAGES
from services.notifications.domain.webhooks import SCOPES

_NAME = validate.Length(min=1, max=160)


class PageArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class InboxQueryArgsSchema(PageArgsSchema):
    recipient = fields.String(validate=_NAME)  # default: the caller
    unread_only = fields.Boolean(load_default=False)


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


class ReadAllSchema(Schema):
    recipient = fields.String(validate=_NAME)  # default: the caller


class ReadAllResultSchema(Schema):
    marked = fields.Integer()


_SWITCHES = fields.Dict(keys=fields.String(validate=validate.OneOf(CHANNELS)), values=fields.Boolean())


class PreferencesSchema(Schema):
    username = fields.String(dump_only=True)
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    digest = fields.Boolean(metadata={"description": "Deadline notices by e-mail once a day"})
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CATEGORIES)),
        values=_SWITCHES,
        metadata={"description": "category -> channel -> on; what is not named stays on"},
    )
    updated_at = fields.DateTime(dump_only=True, allow_none=True)


class PreferencesUpdateSchema(Schema):
    language = fields.String(load_default="vi", validate=validate.OneOf(LANGUAGES))
    digest = fields.Boolean(load_default=False)
    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CATEGORIES)), values=_SWITCHES, load_default=dict
    )


class DeadLetterQueryArgsSchema(PageArgsSchema):
    replayed = fields.Boolean(load_default=None, allow_none=True)


class DeadLetterSchema(Schema):
    id = fields.Integer()
    message_id = fields.String(allow_none=True)
    routing_key = fields.String(allow_none=True)
    body = fields.String()
    error = fields.String()
    attempts = fields.Integer()
    created_at = fields.DateTime()
    replayed_at = fields.DateTime(allow_none=True)


class WebhookQueryArgsSchema(PageArgsSchema):
    scope = fields.String(validate=validate.OneOf(SCOPES))


class WebhookUpdateSchema(Schema):
    url = fields.URL(
        required=True, schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=500)
    )


class WebhookSchema(Schema):
    id = fields.String()
    scope = fields.String()
    owner = fields.String()
    url = fields.String()
    created_at = fields.DateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(
        metadata={"description": "HMAC-SHA256 key of X-Learning-Signature-256; shown once"}
    )


class DeliveryQueryArgsSchema(PageArgsSchema):
    event_id = fields.String(validate=validate.Length(max=64))
    recipient = fields.String(validate=_NAME)
    channel = fields.String(validate=validate.OneOf(("email", "webhook")))
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))


class DeliverySchema(Schema):
    id = fields.String()
    event_id = fields.String()
    recipient = fields.String()
    channel = fields.String()
    target = fields.String()
    subject = fields.String()
    language = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
