"""HTTP API: award rounds from the plan, their phases, council and decision (awards service, entrypoint layer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response
from flask.views import MethodView
from temporalio.client import WorkflowUpdateFailedError

from common.audit_history import chain_history
from common.audit_schemas import ChainHistorySchema
from common.auth import in_scope
from common.errors import InvalidTransition, NotFound
from common.web import Blueprint
from common.web_auth import require_roles
from services.awards.api import access
from services.awards.api.access import READERS, ROUND_MANAGERS, SIGNERS, container, round_for
from services.awards.api.schemas import (
    CouncilMemberSchema,
    CouncilSchema,
    DecisionCreateSchema,
    DecisionSchema,
    RoundCreateSchema,
    RoundQueryArgsSchema,
    RoundSchema,
    StepSchema,
)
from services.awards.domain.errors import RoundExists, WrongPhase
from services.awards.service import council, rounds
from workflows import ids
from workflows.nomination_round import contracts as c

blp = Blueprint("rounds", __name__, url_prefix="/rounds", description="Award rounds (đợt khen thưởng)")

VIETNAM = timedelta(hours=7)


def round_view(item: Any) -> dict[str, Any]:
    """A round for its schema (dates stay dates)."""
    return {
        **vars(item),
        "forms": [{**vars(f), "key": f.key} for f in item.forms],
        "recipients": list(item.recipients),
    }


def start_round_workflow(item: Any, unit_name: str) -> None:
    """Start the round's NominationRound (its id is the round's: a repeat starts nothing)."""
    cont = container()
    cont.gateway.start_workflow(
        c.WORKFLOW,
        c.NominationRoundInput(
            round_id=item.id,
            nomination_deadline=item.nomination_deadline.isoformat(),
            council_deadline=item.council_deadline.isoformat(),
            unit_name=unit_name,
            activity_task_queue=cont.settings.activity_task_queue,
        ),
        workflow_id=item.workflow_id,
        task_queue=cont.settings.workflow_task_queue,
    )


def update_round(item: Any, update: str, arg: Any, *, phase: str) -> Any:
    """Send an Update to the round's workflow; a round in another phase, or a refusal, is 409."""
    if item.status != phase or not item.workflow_id:
        raise WrongPhase(item.status, phase)
    try:
        return container().gateway.execute_update(item.workflow_id, update, arg)
    except WorkflowUpdateFailedError as exc:
        cause = getattr(exc, "cause", None)
        refusal = str(getattr(cause, "message", cause) or exc)  # the workflow's reason (English)
        raise InvalidTransition(
            "Đợt khen thưởng không ở bước cho phép thao tác này.",
            "The round is not in a phase that allows this.",
            errors={"phase": [f"Quy trình của đợt từ chối thao tác ở bước hiện tại: {refusal}"]},
            errors_en={"phase": [refusal]},
        ) from exc


@blp.route("")
class Rounds(MethodView):
    @blp.arguments(RoundCreateSchema())
    @blp.response(201, RoundSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Open an award round as the plan sets it (forms, recipients, quotas, deadlines) and start its
        NominationRound workflow; a repeat answers 409 naming the round (and makes sure its workflow runs)."""
        who = require_roles(ROUND_MANAGERS)
        cont = container()
        unit = rounds.known_unit(cont.evaluation, body["admin_unit_code"], field="admin_unit_code")
        if not in_scope(who, unit["path"]):
            raise NotFound("Không tìm thấy đơn vị hành chính.", "Admin unit not found.")
        try:
            item = rounds.open_round(
                cont.uow(),
                cont.evaluation,
                cont.catalog,
                actor=who,
                today=(datetime.now(UTC) + VIETNAM).date(),
                workflow_id_for=ids.nomination_round_workflow_id,
                unit=unit,  # read above for the scope check: not asked for twice
                **body,
            )
        except RoundExists as exc:
            existing = (
                rounds.get_round_or_raise(cont.uow(), round_id=exc.errors["existing_id"])
                if exc.errors.get("existing_id")
                else None
            )
            if existing is not None and existing.workflow_id and existing.nomination_deadline:
                start_round_workflow(existing, unit["name"])
            raise
        start_round_workflow(item, unit["name"])
        return round_view(item)

    @blp.arguments(RoundQueryArgsSchema(), location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List award rounds within my scope."""
        who = require_roles(READERS)
        return [
            round_view(r) for r in rounds.list_rounds(container().uow(), unit_path=who.scope_path, **args)
        ]


@blp.route("/<round_id>")
class RoundById(MethodView):
    @blp.response(200, RoundSchema)
    def get(self, round_id: str) -> Any:
        """One award round."""
        return round_view(round_for(round_id, READERS)[0])


@blp.route("/<round_id>/history")
class RoundHistory(MethodView):
    @blp.response(200, ChainHistorySchema)
    def get(self, round_id: str) -> Any:
        """The round's audit entries in order — its opening, nominations and refusals, council scores,
        votes and conflicts of interest, decision and dossiers with their digests — and whether its chain
        verifies."""
        round_for(round_id, READERS)
        return chain_history(container().uow(), rounds.chain(round_id))


@blp.route("/<round_id>/council")
class Council(MethodView):
    @blp.arguments(CouncilSchema())
    @blp.response(200, CouncilMemberSchema(many=True))
    def put(self, body: dict[str, Any], round_id: str) -> Any:
        """Name the round's council (Hội đồng Thi đua - Khen thưởng), before any score."""
        _, who = round_for(round_id, ROUND_MANAGERS)
        return [
            vars(m)
            for m in council.set_council(
                container().uow(), round_id=round_id, actor=who, members=body["members"]
            )
        ]

    @blp.response(200, CouncilMemberSchema(many=True))
    def get(self, round_id: str) -> Any:
        """The round's council."""
        round_for(round_id, READERS)
        return [vars(m) for m in council.list_council(container().uow(), round_id=round_id)]


@blp.route("/<round_id>/close-nominations")
class CloseNominations(MethodView):
    @blp.arguments(StepSchema())
    @blp.response(200, RoundSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Close nominations before the deadline: the council may score."""
        item, who = round_for(round_id, ROUND_MANAGERS)
        update_round(
            item,
            c.UPDATE_CLOSE_NOMINATIONS,
            c.StepInput(who.username, who.role, body["reason"]),
            phase="nominating",
        )
        return round_view(rounds.get_round_or_raise(container().uow(), round_id=round_id))


@blp.route("/<round_id>/close-scoring")
class CloseScoring(MethodView):
    @blp.arguments(StepSchema())
    @blp.response(200, RoundSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Close the council's scoring: the shortlist is drawn within quotas, higher forms forwarded."""
        item, who = round_for(round_id, ROUND_MANAGERS)
        update_round(
            item, c.UPDATE_CLOSE_SCORING, c.StepInput(who.username, who.role, body["reason"]), phase="scoring"
        )
        return round_view(rounds.get_round_or_raise(container().uow(), round_id=round_id))


@blp.route("/<round_id>/decision")
class Decision(MethodView):
    @blp.arguments(DecisionCreateSchema())
    @blp.response(201, DecisionSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Sign the award decision (Quyết định khen thưởng) of the shortlist."""
        item, who = round_for(round_id, SIGNERS)
        update_round(
            item,
            c.UPDATE_SIGN_DECISION,
            c.SignInput(
                who.username,
                who.role,
                body["signer_name"],
                body["number"],
                body["decided_on"].isoformat(),
                body["reason"],
            ),
            phase="shortlisted",
        )
        return _decision(round_id)

    @blp.response(200, DecisionSchema)
    def get(self, round_id: str) -> Any:
        """The round's decision and its dossiers (with digests)."""
        round_for(round_id, READERS)
        return _decision(round_id)


def _decision(round_id: str) -> dict[str, Any]:
    with container().uow() as uow:
        decision = uow.decisions.of_round(round_id)
        dossiers = uow.decisions.dossiers(round_id)
    if decision is None:
        raise NotFound("Đợt khen thưởng chưa có quyết định.", "The round has no decision yet.")
    return {
        **decision,
        "dossiers": [{k: d[k] for k in ("nomination_id", "pdf_sha256", "zip_sha256")} for d in dossiers],
    }


@blp.route("/<round_id>/decision.pdf")
class DecisionDocument(MethodView):
    @blp.response(200, content_type="application/pdf")
    def get(self, round_id: str) -> Any:
        """The signed decision as PDF."""
        round_for(round_id, READERS)
        decision = _decision(round_id)
        if not decision["pdf_key"]:
            raise NotFound("Quyết định đang được tạo.", "The decision document is being produced.")
        return stream(decision["pdf_key"], "application/pdf")


def stream(key: str, content_type: str) -> Response:
    """Stream an object of the awards bucket."""
    return Response(access.container().storage.iter_object(key), mimetype=content_type)
