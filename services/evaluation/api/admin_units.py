"""HTTP API: the administrative tree (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from common.auth import REGISTER_KEEPERS
from common.web import MAX_OFFSET, Blueprint, Schema
from services.evaluation.api.access import signed_in, unit_in_scope
from services.evaluation.api.container import container
from services.evaluation.domain.admin_units import LEVELS, VILLAGE_KINDS
from services.evaluation.service import admin_units

blp = Blueprint("admin_units", __name__, url_prefix="/admin-units", description="Administrative units")


class AdminUnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    kind = fields.String()
    parent_code = fields.String(allow_none=True)
    path = fields.String()


class AdminUnitPageSchema(Schema):
    items = fields.List(fields.Nested(AdminUnitSchema))
    total = fields.Integer()


class AdminUnitQueryArgsSchema(Schema):
    level = fields.String(validate=validate.OneOf(LEVELS))
    parent_code = fields.String(validate=validate.Length(max=40))
    within = fields.String(validate=validate.Length(max=40))
    q = fields.String(validate=validate.Length(min=1, max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


class VillageCreateSchema(Schema):
    local_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,20}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(list(VILLAGE_KINDS)))


@blp.route("")
class AdminUnits(MethodView):
    @blp.arguments(AdminUnitQueryArgsSchema(), location="query")
    @blp.response(200, AdminUnitPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Browse administrative units (by level, parent, name, or within a unit)."""
        signed_in()
        return admin_units.list_units(container().reader(), **args)


@blp.route("/<code>")
class AdminUnitByCode(MethodView):
    @blp.response(200, AdminUnitSchema)
    def get(self, code: str) -> Any:
        """One administrative unit."""
        signed_in()
        return admin_units.get_unit_or_raise(container().reader(), code=code)


@blp.route("/<commune_code>/villages")
class Villages(MethodView):
    @blp.arguments(VillageCreateSchema())
    @blp.response(201, AdminUnitSchema)
    def post(self, body: dict[str, Any], commune_code: str) -> Any:
        """Create a village / residential group in a commune (administrators, commune association officers)."""
        unit_in_scope(commune_code, REGISTER_KEEPERS)
        return admin_units.create_village(container().uow(), commune_code=commune_code, **body)
