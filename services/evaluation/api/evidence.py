"""HTTP API: evidence files of a case (evaluation service, entrypoint layer)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView

from common.auth import CASE_WRITERS, EVIDENCE_REVIEWERS
from common.errors import ValidationFailed
from common.web import Blueprint
from services.evaluation.api.access import acting_for_case, case_in_scope, checked_case, evidence_in_scope
from services.evaluation.api.container import container
from services.evaluation.api.schemas import (
    EvidenceFileSchema,
    EvidenceSchema,
    EvidenceUploadSchema,
    EvidenceVerdictSchema,
    EvidenceVerifySchema,
)
from services.evaluation.service import evidence

blp = Blueprint("evidence", __name__, description="Evidence files (minh chứng)")


def _with_url(item: Any) -> dict[str, Any]:
    c = container()
    url = evidence.download_url(c.storage, item, ttl_seconds=c.settings.presign_expiry_seconds)
    return {**asdict(item), "download_url": url}


@blp.route("/cases/<case_id>/evidence")
class CaseEvidence(MethodView):
    @blp.arguments(EvidenceUploadSchema(), location="form")
    @blp.arguments(EvidenceFileSchema(), location="files")
    @blp.response(201, EvidenceSchema)
    @blp.alt_response(
        200,
        schema=EvidenceSchema,
        description="The same file is already evidence of the case under that indicator: that item, nothing new written",
    )
    def post(self, form: dict[str, Any], files: dict[str, Any], case_id: str) -> Any:
        """Upload one evidence file (multipart field `file`), streamed to object storage. Sending the same
        bytes again under the same indicator answers the item already there (200) and writes nothing."""
        uploader, placed = checked_case(case_id, CASE_WRITERS)
        acting_for_case(uploader, placed.case)
        upload = files["file"]
        if not hasattr(upload, "stream"):
            raise ValidationFailed(
                "Thiếu tệp.",
                "A file is required.",
                errors={"file": ["Bắt buộc: gửi tệp minh chứng trong trường 'file' (multipart)."]},
                errors_en={"file": ["Required: send the evidence file in the multipart field 'file'."]},
            )
        c = container()
        item, created = evidence.upload_evidence(
            c.uow(),
            c.storage,
            request=evidence.UploadRequest(
                case_id=case_id,
                indicator_code=form.get("indicator_code"),
                file_name=upload.filename or "",
                stream=upload.stream,
                uploaded_by=uploader.username,
                role=uploader.role,
                on_behalf_of=uploader.on_behalf_of,
            ),
            max_bytes=c.settings.max_upload_bytes,
            read=(placed.case, placed.progress),
        )
        return _with_url(item), (201 if created else 200)

    @blp.response(200, EvidenceSchema(many=True))
    def get(self, case_id: str) -> Any:
        """List the evidence of a case."""
        case_in_scope(case_id)
        return [_with_url(i) for i in evidence.list_evidence(container().reader(), case_id=case_id)]


@blp.route("/evidence/<evidence_id>")
class EvidenceById(MethodView):
    @blp.response(200, EvidenceSchema)
    def get(self, evidence_id: str) -> Any:
        """One evidence file's metadata with a short-lived download URL."""
        evidence_in_scope(evidence_id)
        return _with_url(evidence.get_evidence_or_raise(container().reader(), evidence_id=evidence_id))


@blp.route("/evidence/<evidence_id>/verify")
class EvidenceVerify(MethodView):
    @blp.response(200, EvidenceVerifySchema)
    def get(self, evidence_id: str) -> Any:
        """Re-read the stored file and check it against its recorded sha256."""
        evidence_in_scope(evidence_id)
        c = container()
        item = evidence.get_evidence_or_raise(c.reader(), evidence_id=evidence_id)
        return {
            "evidence_id": item.id,
            "sha256": item.sha256,
            "intact": evidence.verify_evidence(c.storage, item),
        }


@blp.route("/evidence/<evidence_id>/verdict")
class EvidenceVerdict(MethodView):
    @blp.arguments(EvidenceVerdictSchema())
    @blp.response(200, EvidenceSchema)
    def post(self, body: dict[str, Any], evidence_id: str) -> Any:
        """A reviewer's verdict on one file: accepted, rejected or more_info_needed (with a reason)."""
        reviewer = evidence_in_scope(evidence_id, EVIDENCE_REVIEWERS)
        item = evidence.judge_evidence(
            container().uow(), evidence_id=evidence_id, actor=reviewer.username, role=reviewer.role, **body
        )
        return _with_url(item)
