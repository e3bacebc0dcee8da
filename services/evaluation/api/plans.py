"""HTTP API: plans (Kế hoạch) and criteria sets (bộ tiêu chí) as versioned data (entrypoint layer)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from common.web import Blueprint, Schema
from services.evaluation.api.access import plan_document_in_scope, plan_version_in_scope, signed_in
from services.evaluation.api.container import container
from services.evaluation.documents.criteria import get_criteria_set, shipped_catalog
from services.evaluation.service import plans

blp = Blueprint("plans", __name__, description="Plans and criteria sets")


class PlanUploadSchema(Schema):
    document = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1_000_000),
        metadata={"description": "The plan as YAML (see docs/plan-format.md)"},
    )


class PlanVersionSchema(Schema):
    code = fields.String()
    version = fields.Integer()
    name_vi = fields.String()
    sha256 = fields.String()
    status = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)


class PlanSchema(PlanVersionSchema):
    plan = fields.Dict()


class CriteriaSetSummarySchema(Schema):
    code = fields.String()
    version = fields.String()
    key = fields.String()
    title = fields.String()
    name_vi = fields.String()
    status = fields.String()


def _plan_body(stored: Any, parsed: Any) -> dict[str, Any]:
    return {**stored.__dict__, "plan": plans.plan_as_dict(parsed)}


@blp.route("/plans")
class Plans(MethodView):
    @blp.arguments(PlanUploadSchema())
    @blp.response(201, PlanVersionSchema)
    @blp.alt_response(200, schema=PlanVersionSchema, description="The same version was uploaded before")
    def post(self, body: dict[str, Any]) -> Any:
        """Upload a plan version for a locality within my scope (administrators): validated with every
        problem listed, stored, not yet active."""
        admin = plan_document_in_scope(body["document"])
        stored, created = plans.upload_plan(
            container().uow(), document=body["document"], uploaded_by=admin.username
        )
        return stored, (201 if created else 200)

    @blp.response(200, PlanVersionSchema(many=True))
    def get(self) -> Any:
        """List every plan version."""
        signed_in()
        return plans.list_plans(container().reader())


@blp.route("/plans/<code>")
class ActivePlan(MethodView):
    @blp.response(200, PlanSchema)
    def get(self, code: str) -> Any:
        """The active version of a plan."""
        signed_in()
        return _plan_body(*plans.get_plan_version(container().reader(), code=code))


@blp.route("/plans/<code>/versions/<int:version>")
class PlanVersion(MethodView):
    @blp.response(200, PlanSchema)
    def get(self, code: str, version: int) -> Any:
        """One version of a plan."""
        signed_in()
        return _plan_body(*plans.get_plan_version(container().reader(), code=code, version=version))


@blp.route("/plans/<code>/versions/<int:version>/activate")
class PlanActivation(MethodView):
    @blp.response(200, PlanVersionSchema)
    def post(self, code: str, version: int) -> Any:
        """Make this version the active one (administrators, for a locality within their scope)."""
        plan_version_in_scope(code, version)
        return plans.activate_plan(container().uow(), code=code, version=version)


@blp.route("/criteria-sets")
class CriteriaSets(MethodView):
    @blp.response(200, CriteriaSetSummarySchema(many=True))
    def get(self) -> Any:
        """Every criteria set and version."""
        signed_in()
        return [
            {
                "code": s.code,
                "version": s.version,
                "key": s.key,
                "title": s.title,
                "name_vi": s.name_vi,
                "status": s.status,
            }
            for s in shipped_catalog()
        ]


@blp.route("/criteria-sets/<code>/<version>")
class CriteriaSetVersion(MethodView):
    @blp.response(200)
    def get(self, code: str, version: str) -> Any:
        """One criteria set version in full."""
        signed_in()
        return dataclasses.asdict(get_criteria_set(code, version))
