"""HTTP API: progress against the plan's targets as JSON, an official Excel table and charts (evaluation
service, entrypoint layer)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import fields, validate

from common.auth import REGISTER_READERS
from common.web import Blueprint, Schema
from common.web_auth import require_roles
from common.workdays import VIETNAM_TZ
from services.evaluation.api.access import unit_in_scope
from services.evaluation.api.container import container
from services.evaluation.service import progress

blp = Blueprint("reports", __name__, url_prefix="/reports", description="Progress reports")

# Who reads progress figures: staff and auditors, within their scope (aggregates, no personal data).
REPORT_READERS = REGISTER_READERS


class ProgressQueryArgsSchema(Schema):
    plan = fields.String(validate=validate.Length(min=1, max=80), metadata={"description": "Plan code"})
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(validate=validate.Length(min=1, max=60))
    admin_unit = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Root unit (default: the caller's scope unit, else the plan's locality)"},
    )
    level = fields.String(validate=validate.OneOf(progress.REPORT_LEVELS))


class ChartQueryArgsSchema(ProgressQueryArgsSchema):
    format = fields.String(load_default="png", validate=validate.OneOf(("png", "svg")))


class FiguresSchema(Schema):
    recognised = fields.Integer()
    population = fields.Integer(allow_none=True)
    share = fields.Float(allow_none=True)
    target_share = fields.Float(allow_none=True)
    target_count = fields.Integer(allow_none=True)
    needed = fields.Integer(allow_none=True)
    met = fields.Boolean(allow_none=True)


class ProgressRowSchema(FiguresSchema):
    unit_code = fields.String()
    unit_name = fields.String()
    title = fields.String()


class ProgressTotalSchema(FiguresSchema):
    title = fields.String()


class ProgressHistorySchema(FiguresSchema):
    year = fields.Integer()
    title = fields.String()


class ProgressReportSchema(Schema):
    plan = fields.Dict()
    year = fields.Integer()
    level = fields.String()
    admin_unit = fields.Dict(allow_none=True)
    titles = fields.List(fields.Dict())
    rows = fields.List(fields.Nested(ProgressRowSchema))
    totals = fields.List(fields.Nested(ProgressTotalSchema))
    history = fields.List(fields.Nested(ProgressHistorySchema))


def _report(args: dict[str, Any]) -> progress.ProgressReport:
    """Check role and scope, then build the report (the root defaults to the caller's scope unit)."""
    principal = require_roles(REPORT_READERS)
    if args.get("admin_unit"):
        unit_in_scope(args["admin_unit"], REPORT_READERS, field="admin_unit")
    return progress.progress_report(
        container().uow(),
        year=args["year"],
        plan_code=args.get("plan"),
        title=args.get("title"),
        admin_unit=args.get("admin_unit"),
        level=args.get("level"),
        scope_code=principal.scope_code,
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _stem(report: progress.ProgressReport) -> str:
    unit = report.admin_unit["code"] if report.admin_unit else "toan-quoc"
    return f"tien-do-{report.plan['code']}-{report.year}-{unit}"


@blp.route("/progress")
class Progress(MethodView):
    @blp.arguments(ProgressQueryArgsSchema(), location="query")
    @blp.response(200, ProgressReportSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Progress against the plan's targets per title and unit, this year and across the plan's years."""
        return dataclasses.asdict(_report(args))


@blp.route("/progress/export")
class ProgressExport(MethodView):
    @blp.arguments(ProgressQueryArgsSchema(), location="query")
    def get(self, args: dict[str, Any]) -> Any:
        """The progress report as an official Excel table (.xlsx)."""
        from services.evaluation.reports.xlsx import render_xlsx

        report = _report(args)
        body = render_xlsx(report, made_on=datetime.now(VIETNAM_TZ).date())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return _download(body, mimetype, f"{_stem(report)}.xlsx")


@blp.route("/progress/chart")
class ProgressChart(MethodView):
    @blp.arguments(ChartQueryArgsSchema(), location="query")
    def get(self, args: dict[str, Any]) -> Any:
        """A chart of progress against target (PNG or SVG)."""
        from services.evaluation.reports.charts import FORMATS, render_chart

        fmt = args.pop("format")
        report = _report(args)
        return _download(render_chart(report, fmt), FORMATS[fmt], f"{_stem(report)}.{fmt}")
