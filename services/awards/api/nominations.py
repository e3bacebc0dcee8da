"""HTTP API: nominations, their evidence, council scores and dossiers (awards service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from common.errors import NotFound, ValidationFailed
from common.storage import ObjectTooLarge
from common.web import Blueprint
from services.awards.api.access import (
    READERS,
    SCORERS,
    container,
    nomination_for,
    round_for,
    round_for_nominator,
)
from services.awards.api.rounds import stream
from services.awards.api.schemas import (
    EvidenceItemSchema,
    NominationCreateSchema,
    NominationSchema,
    ScoreCreateSchema,
    ScoreSchema,
)
from services.awards.service import council, nominations
from services.awards.service.nominations import MAX_EVIDENCE_BYTES

blp = Blueprint("nominations", __name__, description="Nominations (hồ sơ đề nghị khen thưởng)")


def nomination_view(n: Any) -> dict[str, Any]:
    """A nomination for its schema."""
    return vars(n)


@blp.route("/rounds/<round_id>/nominations")
class RoundNominations(MethodView):
    @blp.arguments(NominationCreateSchema())
    @blp.response(201, NominationSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Nominate a collective, household or individual from the level below; 422 lists every unmet
        eligibility rule (checked against the recognition history of the evaluation service)."""
        _, who = round_for_nominator(round_id)
        cont = container()
        return nomination_view(
            nominations.submit_nomination(
                cont.uow(), cont.evaluation, cont.catalog, round_id=round_id, actor=who, body=body
            )
        )

    @blp.response(200, NominationSchema(many=True))
    def get(self, round_id: str) -> Any:
        """A round's nominations."""
        round_for(round_id, READERS)
        return [
            nomination_view(n) for n in nominations.list_nominations(container().uow(), round_id=round_id)
        ]


@blp.route("/nominations/<nomination_id>")
class NominationById(MethodView):
    @blp.response(200, NominationSchema)
    def get(self, nomination_id: str) -> Any:
        """One nomination."""
        return nomination_view(nomination_for(nomination_id, READERS)[0])


@blp.route("/nominations/<nomination_id>/evidence")
class Evidence(MethodView):
    @blp.response(201, EvidenceItemSchema)
    def post(self, nomination_id: str) -> Any:
        """Attach an evidence file (multipart field `file`, at most 20 MB) while nominations are open."""
        _, _, who = nomination_for(nomination_id, READERS - {"auditor"})
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(
                "Thiếu tệp minh chứng.",
                "No evidence file.",
                errors={"file": ["Bắt buộc: gửi tệp minh chứng trong trường 'file' (multipart)."]},
                errors_en={"file": ["Required: send the evidence file in the multipart field 'file'."]},
            )
        try:
            return nominations.add_evidence(
                container().uow(),
                container().storage,
                nomination_id=nomination_id,
                actor=who,
                filename=upload.filename[:200],
                content_type=upload.mimetype or "application/octet-stream",
                stream=upload.stream,
            )
        except ObjectTooLarge as exc:
            raise ValidationFailed(
                "Tệp quá lớn.",
                "File too large.",
                errors={"file": [f"Tệp tối đa {MAX_EVIDENCE_BYTES} byte."]},
                errors_en={"file": [f"At most {MAX_EVIDENCE_BYTES} bytes."]},
            ) from exc


@blp.route("/nominations/<nomination_id>/scores")
class Scores(MethodView):
    @blp.arguments(ScoreCreateSchema())
    @blp.response(201, ScoreSchema)
    def post(self, body: dict[str, Any], nomination_id: str) -> Any:
        """A council member scores (0-100) and votes; 409 on a conflict of interest."""
        _, _, who = nomination_for(nomination_id, SCORERS)
        return vars(
            council.score_nomination(container().uow(), nomination_id=nomination_id, actor=who, **body)
        )


def _dossier(nomination_id: str) -> dict[str, Any]:
    nomination_for(nomination_id, READERS)
    with container().uow() as uow:
        found = uow.decisions.dossier(nomination_id)
    if found is None:
        raise NotFound("Hồ sơ chưa được lập.", "The dossier has not been produced.")
    return found


@blp.route("/nominations/<nomination_id>/dossier.pdf")
class DossierPdf(MethodView):
    @blp.response(200, content_type="application/pdf")
    def get(self, nomination_id: str) -> Any:
        """The nominee's dossier as one PDF."""
        return stream(_dossier(nomination_id)["pdf_key"], "application/pdf")


@blp.route("/nominations/<nomination_id>/dossier.zip")
class DossierZip(MethodView):
    @blp.response(200, content_type="application/zip")
    def get(self, nomination_id: str) -> Any:
        """The nominee's dossier with its evidence files and a manifest of digests, zipped."""
        return stream(_dossier(nomination_id)["zip_key"], "application/zip")
