"""HTTP API: award rounds (awards service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.web import Schema
from services.awards.domain.model import LEVELS, ROUND_KINDS
from services.awards.service import rounds

blp = Blueprint("rounds", __name__, url_prefix="/rounds", description="Award rounds (đợt khen thưởng)")


class RoundCreateSchema(Schema):
    plan_code = fields.String(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf(ROUND_KINDS))
    year = fields.Integer(required=True, validate=validate.Range(min=2023, max=2030))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    admin_unit_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2,10}$"))


class RoundQueryArgsSchema(Schema):
    year = fields.Integer(validate=validate.Range(min=2023, max=2030))


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


def _uow() -> Any:
    return current_app.extensions["awards"].uow()


@blp.route("")
class Rounds(MethodView):
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Open an award round (once per plan, kind, year and admin unit)."""
        return rounds.create_round(
            _uow(), created_by=(request.headers.get("X-Actor") or "anonymous")[:120], **body
        )

    @blp.arguments(RoundQueryArgsSchema, location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List award rounds."""
        return rounds.list_rounds(_uow(), **args)


@blp.route("/<round_id>")
class RoundById(MethodView):
    @blp.response(200, RoundSchema)
    def get(self, round_id: str) -> Any:
        """One award round."""
        return rounds.get_round_or_raise(_uow(), round_id=round_id)
