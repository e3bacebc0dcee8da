"""HTTP API: the recognition history (evaluation service, entrypoint layer).

Read by in-scope staff, auditors and other services (their service token is a national administrator).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema

from common.auth import REGISTER_READERS
from common.web import Blueprint, Schema
from common.web_auth import require_roles
from services.evaluation.api.access import unit_in_scope
from services.evaluation.api.container import container
from services.evaluation.domain.model import TITLES
from services.evaluation.service import recognitions

blp = Blueprint("recognitions", __name__, url_prefix="/recognitions", description="Recognition history")

READERS = REGISTER_READERS  # staff and auditors; households read their own case instead


class RecognitionArgsSchema(Schema):
    subject_id = fields.String(validate=validate.Length(min=1, max=120))
    title = fields.String(validate=validate.OneOf(TITLES))
    year_from = fields.Integer(validate=validate.Range(min=2000, max=2100))
    year_to = fields.Integer(validate=validate.Range(min=2000, max=2100))
    admin_unit = fields.String(validate=validate.Length(min=1, max=40))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _years(self, data: dict[str, Any], **_: Any) -> None:
        if "year_from" in data and "year_to" in data and data["year_from"] > data["year_to"]:
            raise ValidationError("year_from is after year_to.", field_name="year_from")


class RecognitionSchema(Schema):
    case_id = fields.String()  # the case the decision recognised (an amending decision names it)
    subject_id = fields.String()
    subject_kind = fields.String()
    title = fields.String()
    year = fields.Integer()
    decision_id = fields.String()
    decision_number = fields.String()
    decided_on = fields.Date()
    admin_unit_code = fields.String()
    village_code = fields.String(allow_none=True)
    revoked = fields.Boolean()


class RecognitionPageSchema(Schema):
    items = fields.List(fields.Nested(RecognitionSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


@blp.route("")
class Recognitions(MethodView):
    @blp.arguments(RecognitionArgsSchema(), location="query")
    @blp.response(200, RecognitionPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Recognised subjects by title and year within my scope (or within `admin_unit`), paged."""
        who = require_roles(READERS)
        unit = args.pop("admin_unit", None)
        if unit is not None:
            unit_in_scope(unit, READERS)
        return recognitions.list_recognitions(container().uow(), unit_code=unit or who.scope_code, **args)
