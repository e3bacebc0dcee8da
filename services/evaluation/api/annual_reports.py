"""HTTP API: annual reports — start a plan's year of reports, read them, submit one (evaluation service,
entrypoint layer)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from common.audit_history import chain_history
from common.audit_schemas import ChainHistorySchema
from common.auth import (
    ADMINISTRATOR,
    COMMUNE_ASSOCIATION_OFFICER,
    COMMUNE_CHAIRMAN,
    HISTORY_READERS,
    LEARNING_CENTRE_STAFF,
    REGISTER_READERS,
    VILLAGE_OFFICER,
)
from common.web import Blueprint, Schema
from common.web_auth import require_roles, require_scope
from services.evaluation.api.access import unit_in_scope
from services.evaluation.api.cases import etag, if_match_version
from services.evaluation.api.container import container, current_actor
from services.evaluation.service import annual_report_requests as requests
from services.evaluation.service import scopes
from services.evaluation.service.annual_reports import report_chain

blp = Blueprint("annual_reports", __name__, url_prefix="/reports/annual", description="Annual reports")

# Who starts a year's reports (the commune's association and chairman, administrators) and who submits
# one (the unit's own staff: village branch, commune association, learning centre, chairman).
REPORT_STARTERS = frozenset({ADMINISTRATOR, COMMUNE_ASSOCIATION_OFFICER, COMMUNE_CHAIRMAN})
REPORT_SUBMITTERS = frozenset(
    {VILLAGE_OFFICER, COMMUNE_ASSOCIATION_OFFICER, LEARNING_CENTRE_STAFF, COMMUNE_CHAIRMAN, ADMINISTRATOR}
)
REPORT_READERS = REGISTER_READERS
REPORT_HISTORY_READERS = HISTORY_READERS


class ReportStartSchema(Schema):
    plan = fields.String(required=True, validate=validate.Length(min=1, max=80))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    admin_unit = fields.String(required=True, validate=validate.Length(min=1, max=40))
    cascade = fields.Boolean(
        load_default=False, metadata={"description": "Also start the reports of the units reporting to it"}
    )


class ReportStartedSchema(Schema):
    report_id = fields.String()
    workflow_id = fields.String()
    unit_code = fields.String()
    created = fields.Boolean()


class ReportsStartedSchema(Schema):
    reports = fields.List(fields.Nested(ReportStartedSchema))


class ReportQueryArgsSchema(Schema):
    plan = fields.String(validate=validate.Length(min=1, max=80))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    admin_unit = fields.String(validate=validate.Length(min=1, max=40))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AnnualReportSchema(Schema):
    id = fields.String()
    workflow_id = fields.String()
    plan_code = fields.String()
    plan_version = fields.Integer()
    year = fields.Integer()
    unit_code = fields.String()
    unit_level = fields.String()
    parent_code = fields.String(allow_none=True)
    to_vi = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    status = fields.String()
    version = fields.Integer()
    overdue = fields.Boolean()
    escalation_step = fields.Integer()
    escalated_to_role = fields.String(allow_none=True)
    children_expected = fields.Integer()
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    on_time = fields.Boolean(allow_none=True)
    rolled_up = fields.Dict(allow_none=True)
    rolled_up_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submission = fields.Dict(allow_none=True)


class AnnualReportPageSchema(Schema):
    items = fields.List(fields.Nested(AnnualReportSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class ReportSubmitSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=4000))


class ReportSubmittedSchema(Schema):
    status = fields.String()
    version = fields.Integer()
    on_time = fields.Boolean()


def _report_in_scope(report_id: str, roles: frozenset[str]) -> None:
    require_roles(roles)
    path = requests.report_unit_path(container().uow(), report_id=report_id)
    from common.errors import NotFound

    require_scope(
        path, not_found=NotFound(f"Không tìm thấy báo cáo {report_id}.", f"Report {report_id} not found.")
    )


@blp.route("")
class AnnualReports(MethodView):
    @blp.arguments(ReportStartSchema())
    @blp.response(202, ReportsStartedSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Start the annual report of a unit within my scope (and of the units reporting to it)."""
        unit_in_scope(body["admin_unit"], REPORT_STARTERS, field="admin_unit")
        c = container()
        started = requests.start_reports(
            c.uow(),
            c.gateway,
            plan_code=body["plan"],
            year=body["year"],
            unit_code=body["admin_unit"],
            cascade=body["cascade"],
            started_by=current_actor().username,
        )
        return {"reports": started}

    @blp.arguments(ReportQueryArgsSchema(), location="query")
    @blp.response(200, AnnualReportPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The annual reports of the units within my scope (or within one unit of it)."""
        principal = require_roles(REPORT_READERS)
        within = principal.scope_path or None
        if args.get("admin_unit"):
            unit_in_scope(args["admin_unit"], REPORT_READERS)
            within = scopes.unit_path(container().uow(), code=args["admin_unit"])
        return requests.list_reports(
            container().uow(),
            plan_code=args.get("plan"),
            year=args.get("year"),
            within=within,
            page=args["page"],
            page_size=args["page_size"],
        )


@blp.route("/<string:report_id>")
class AnnualReportById(MethodView):
    @blp.response(200, AnnualReportSchema)
    def get(self, report_id: str) -> Any:
        """One annual report with the figures it was submitted with; its ETag is its version."""
        _report_in_scope(report_id, REPORT_READERS)
        report = requests.get_report(container().uow(), report_id=report_id)
        return report, 200, etag(report["version"])


@blp.route("/<string:report_id>/history")
class AnnualReportHistory(MethodView):
    @blp.response(200, ChainHistorySchema)
    def get(self, report_id: str) -> Any:
        """The report's audit entries in order (opened, reminded, overdue, submitted, rolled up) and whether
        its chain verifies."""
        _report_in_scope(report_id, REPORT_HISTORY_READERS)
        return chain_history(container().reader(), report_chain(report_id))


@blp.route("/<string:report_id>/submit")
class AnnualReportSubmit(MethodView):
    @blp.arguments(ReportSubmitSchema())
    @blp.response(200, ReportSubmittedSchema)
    def post(self, body: dict[str, Any], report_id: str) -> Any:
        """Submit the unit's report (If-Match: its ETag); the figures are snapshotted and audited."""
        _report_in_scope(report_id, REPORT_SUBMITTERS)
        version = if_match_version()
        c = container()
        result = requests.submit_report(
            c.uow(),
            c.gateway,
            report_id=report_id,
            actor=current_actor(),
            expected_version=version,
            note=body["note"],
        )
        return dataclasses.asdict(result), 200, etag(result.version)
