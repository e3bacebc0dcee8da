"""HTTP API: bulk imports of villages, households, clans and units (evaluation service, entrypoint layer)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from common.errors import ValidationFailed
from common.web import Blueprint, Schema
from services.evaluation.api.access import import_commune, import_run_visible
from services.evaluation.api.container import container
from services.evaluation.imports import ImportOptions, format_for_name
from services.evaluation.imports.records import IMPORT_KINDS
from services.evaluation.service import imports

blp = Blueprint("imports", __name__, url_prefix="/imports", description="Bulk imports (CSV, Excel)")


class ImportFormSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(IMPORT_KINDS))
    commune_code = fields.String(validate=validate.Regexp(r"^\d{5}$"))


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ReportEntrySchema(Schema):
    row = fields.Integer(allow_none=True)
    field = fields.String(allow_none=True)
    code = fields.String()
    message_vi = fields.String()
    message_en = fields.String()


class ImportRunSchema(Schema):
    id = fields.String()
    kind = fields.String()
    file_name = fields.String()
    status = fields.String()
    rows = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    written = fields.Dict(keys=fields.String(), values=fields.Integer())
    entries = fields.List(fields.Nested(ReportEntrySchema))
    entry_count = fields.Integer()
    ignored_columns = fields.List(fields.String())
    created_by = fields.String()
    created_at = fields.DateTime()


class ImportRejectedError(ValidationFailed):
    """The file has errors: nothing was written; the report lists each row, field and reason."""

    code = "import_rejected"

    def __init__(self, run: imports.ImportRun) -> None:
        super().__init__(
            f"Tệp có {run.entry_count} lỗi, chưa nhập dữ liệu nào.",
            f"The file has {run.entry_count} problem(s); nothing was imported.",
            errors={"import_id": run.id, "entry_count": run.entry_count, "entries": run.entries},
        )


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ImportFormSchema(), location="form")
    @blp.arguments(ImportFileSchema(), location="files")
    @blp.response(201, ImportRunSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any]) -> Any:
        """Import a CSV or .xlsx file for a commune within my scope: all of it, or nothing with a report
        per row (422)."""
        importer = import_commune(form.get("commune_code"))
        upload = files["file"]
        try:
            file_format = format_for_name(upload.filename or "")
        except ValueError as exc:
            name = upload.filename or ""
            raise ValidationFailed(
                "Chỉ nhận tệp .csv hoặc .xlsx.",
                str(exc),
                errors={"file": [f"Tệp '{name}' không được nhận: chỉ nhận tệp .csv hoặc .xlsx."]},
                errors_en={"file": [f"File '{name}' is not accepted: send a .csv or .xlsx file."]},
            ) from exc
        run = imports.import_subjects(
            container().uow(),
            kind=form["kind"],
            file_name=upload.filename,
            source=upload.stream,
            file_format=file_format,
            options=ImportOptions(commune_code=form.get("commune_code")),
            created_by=importer.username,
        )
        if run.status != "imported":
            raise ImportRejectedError(run)
        return asdict(run)


@blp.route("/<run_id>")
class ImportRunById(MethodView):
    @blp.response(200, ImportRunSchema)
    def get(self, run_id: str) -> Any:
        """One import run and its report."""
        return asdict(import_run_visible(run_id))
