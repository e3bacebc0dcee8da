"""HTTP API: the yearly round — open it, read it, objections during the posting, the council's minutes,
the decision list, the chairman's signature and the documents; after the decision, supplementary
decisions and the round's closing (evaluation service, entrypoint layer)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from flask.views import MethodView

from common.audit_history import chain_history
from common.audit_schemas import ChainHistorySchema
from common.auth import (
    ADMINISTRATOR,
    AUDITOR,
    COMMUNE_ASSOCIATION_OFFICER,
    COMMUNE_CHAIRMAN,
    LEARNING_CENTRE_STAFF,
    STAFF_ROLES,
    SUPERVISORS,
    VILLAGE_OFFICER,
)
from common.web import Blueprint
from common.web_auth import require_roles, require_scope
from services.evaluation.api.access import unit_in_scope
from services.evaluation.api.cases import etag, if_match_version
from services.evaluation.api.container import container, current_actor
from services.evaluation.api.round_schemas import (
    AmendmentSchema,
    CouncilSchema,
    DecisionSchema,
    DocumentsArgsSchema,
    DocumentsSchema,
    ListArgsSchema,
    ListPageSchema,
    ObjectionAssignSchema,
    ObjectionCreateSchema,
    ObjectionResolveSchema,
    ObjectionSchema,
    RoundCreateSchema,
    RoundOpenedSchema,
    RoundPageSchema,
    RoundQueryArgsSchema,
    RoundSchema,
    RoundStepSchema,
    SignSchema,
)
from services.evaluation.service import amendments, decision_list, round_steps, rounds, scopes
from services.evaluation.service.round_audit import round_chain, round_not_found
from workflows.yearly_round import contracts as rc

blp = Blueprint("rounds", __name__, url_prefix="/rounds", description="Yearly rounds")

ROUND_MANAGERS = frozenset({COMMUNE_ASSOCIATION_OFFICER, COMMUNE_CHAIRMAN, ADMINISTRATOR})
ROUND_READERS = STAFF_ROLES | {AUDITOR}
OBJECTION_TAKERS = frozenset(
    {VILLAGE_OFFICER, COMMUNE_ASSOCIATION_OFFICER, LEARNING_CENTRE_STAFF, COMMUNE_CHAIRMAN, ADMINISTRATOR}
)
COUNCIL_SECRETARIES = frozenset(
    {COMMUNE_ASSOCIATION_OFFICER, LEARNING_CENTRE_STAFF, COMMUNE_CHAIRMAN, ADMINISTRATOR}
)
SIGNERS = frozenset({COMMUNE_CHAIRMAN})
LINK_TTL = timedelta(minutes=10)
T = TypeVar("T")


def round_in_scope(round_id: str, roles: Any) -> dict[str, Any]:
    """The round, to a caller of one of `roles` whose scope holds its commune (404 otherwise)."""
    require_roles(roles)
    uow = container().uow()
    with uow:
        rnd = uow.rounds.get(round_id)
    if rnd is None:
        raise round_not_found(round_id)
    require_scope(
        scopes.unit_path(container().uow(), code=rnd["admin_unit_code"]), not_found=round_not_found(round_id)
    )
    return rnd


@blp.route("")
class Rounds(MethodView):
    @blp.arguments(RoundQueryArgsSchema(), location="query")
    @blp.response(200, RoundPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The rounds of the communes within my scope (or of one commune of it), newest year first, paged."""
        who = require_roles(ROUND_READERS)
        if "admin_unit_code" in args:  # outside my scope: 404, as the other listings answer
            unit_in_scope(args["admin_unit_code"], ROUND_READERS)
        return rounds.list_rounds(container().reader(), within=who.scope_path or None, **args)

    @blp.arguments(RoundCreateSchema())
    @blp.response(202, RoundOpenedSchema)
    @blp.alt_response(200, schema=RoundOpenedSchema, description="The round already exists")
    def post(self, body: dict[str, Any]) -> Any:
        """Open the yearly round of a commune (idempotent per commune, year and plan)."""
        unit_in_scope(body["admin_unit_code"], ROUND_MANAGERS, field="admin_unit_code")
        c = container()
        opened = rounds.open_round(c.uow(), c.gateway, opened_by=current_actor().username, **body)
        return opened, (202 if opened["created"] else 200)


@blp.route("/<round_id>")
class RoundById(MethodView):
    @blp.response(200, RoundSchema)
    def get(self, round_id: str) -> Any:
        """The round: phase, dates, case counts, objections, decisions; its ETag is its version."""
        round_in_scope(round_id, ROUND_READERS)
        rnd = rounds.get_round(container().uow(), round_id=round_id)
        return rnd, 200, etag(rnd["version"])


@blp.route("/<round_id>/history")
class RoundHistory(MethodView):
    @blp.response(200, ChainHistorySchema)
    def get(self, round_id: str) -> Any:
        """The round's audit entries in order (opening, posting, objections, council, signature, decisions,
        amendments, dependency flags), and whether its chain verifies."""
        round_in_scope(round_id, ROUND_READERS)
        return chain_history(container().reader(), round_chain(round_id))


@blp.route("/<round_id>/objections")
class Objections(MethodView):
    @blp.arguments(ObjectionCreateSchema())
    @blp.response(201, ObjectionSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Record an objection received during the public posting (about a case or the whole list)."""
        round_in_scope(round_id, OBJECTION_TAKERS)
        c = container()
        row = round_steps.file_objection(
            c.uow(),
            c.gateway,
            round_id=round_id,
            actor=current_actor(),
            filed_by=body["filed_by"],
            content=body["content"],
            case_id=body.get("case_id"),
        )
        return row, 201, etag(row["version"])


@blp.route("/<round_id>/objections/<objection_id>/assign")
class ObjectionAssign(MethodView):
    @blp.arguments(ObjectionAssignSchema())
    @blp.response(200, ObjectionSchema)
    def post(self, body: dict[str, Any], round_id: str, objection_id: str) -> Any:
        """Hand an objection to an officer to verify (If-Match: the objection's version)."""
        round_in_scope(round_id, SUPERVISORS)
        c = container()
        row = round_steps.assign_objection(
            c.uow(),
            c.gateway,
            round_id=round_id,
            objection_id=objection_id,
            actor=current_actor(),
            assignee=body["assignee"],
            expected_version=if_match_version(),
        )
        return row, 200, etag(row["version"])


@blp.route("/<round_id>/objections/<objection_id>/resolve")
class ObjectionResolve(MethodView):
    @blp.arguments(ObjectionResolveSchema())
    @blp.response(200, ObjectionSchema)
    def post(self, body: dict[str, Any], round_id: str, objection_id: str) -> Any:
        """Resolve an objection; upheld, its case leaves the recognised list (If-Match)."""
        round_in_scope(round_id, OBJECTION_TAKERS)
        c = container()
        row = round_steps.resolve_objection(
            c.uow(),
            c.gateway,
            round_id=round_id,
            objection_id=objection_id,
            actor=current_actor(),
            resolution=body["resolution"],
            upheld=body["upheld"],
            expected_version=if_match_version(),
        )
        return row, 200, etag(row["version"])


@blp.route("/<round_id>/council")
class Council(MethodView):
    @blp.arguments(CouncilSchema())
    @blp.response(200, RoundStepSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Record the council's minutes: attendance and votes per subject (If-Match: the round's version)."""
        round_in_scope(round_id, COUNCIL_SECRETARIES)
        minutes = rc.CouncilMinutes(
            met_on=body["met_on"].isoformat(),
            chair=body["chair"],
            secretary=body["secretary"],
            attendance=body["attendance"],
            absent=body["absent"],
            notes=body["notes"],
            votes=[rc.Vote(**v) for v in body["votes"]],
        )
        c = container()
        inp = _round_step(rc.CouncilInput, minutes=minutes)
        step = round_steps.submit_council(c.uow(), c.gateway, round_id=round_id, inp=inp)
        return step, 200, etag(step.version)


@blp.route("/<round_id>/decision-list")
class DecisionList(MethodView):
    @blp.arguments(ListArgsSchema(), location="query")
    @blp.response(200, ListPageSchema)
    def get(self, args: dict[str, Any], round_id: str) -> Any:
        """The decision list (posted publicly, voted by the council, signed by the chairman), paged; with
        `kind=supplementary`, the lists of the supplementary decisions."""
        round_in_scope(round_id, ROUND_READERS)
        return decision_list.decision_list(
            container().uow(),
            round_id=round_id,
            title=args.get("title"),
            outcome=args.get("outcome"),
            village=args.get("village"),
            offset=args["offset"],
            limit=args["limit"],
            kind=args["kind"],
        )


def _round_step(kind: type[T], **fields: Any) -> T:
    """A step of the round's workflow by the caller, against the round version in If-Match."""
    actor = current_actor()
    return kind(
        actor=actor.username,
        role=actor.role,
        expected_version=if_match_version(),
        on_behalf_of=actor.on_behalf_of,
        **fields,
    )


def _signature(body: dict[str, Any]) -> rc.SignInput:
    """The chairman's signature from a sign request (If-Match: the round's version)."""
    return _round_step(rc.SignInput, signer_name=body["signer_name"], signed_on=body["signed_on"].isoformat())


@blp.route("/<round_id>/sign")
class Sign(MethodView):
    @blp.arguments(SignSchema())
    @blp.response(200, RoundStepSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The commune chairman signs the round's decisions (If-Match: the round's version)."""
        round_in_scope(round_id, SIGNERS)
        c = container()
        step = round_steps.submit_signature(c.uow(), c.gateway, round_id=round_id, inp=_signature(body))
        return step, 200, etag(step.version)


@blp.route("/<round_id>/supplementary")
class Supplementary(MethodView):
    @blp.response(200, RoundStepSchema)
    def post(self, round_id: str) -> Any:
        """After the round's decision: build a supplementary list of the cases now awaiting decision that are
        in no decision of the round (If-Match: the round's version); 409 when there is none."""
        round_in_scope(round_id, ROUND_MANAGERS)
        c = container()
        inp = _round_step(rc.SupplementInput)
        step = round_steps.submit_supplement(c.uow(), c.gateway, round_id=round_id, inp=inp)
        return step, 200, etag(step.version)


@blp.route("/<round_id>/supplementary/sign")
class SupplementarySign(MethodView):
    @blp.arguments(SignSchema())
    @blp.response(200, RoundStepSchema)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The commune chairman signs the supplementary decisions (If-Match: the round's version)."""
        round_in_scope(round_id, SIGNERS)
        c = container()
        step = round_steps.submit_supplement_signature(
            c.uow(), c.gateway, round_id=round_id, inp=_signature(body)
        )
        return step, 200, etag(step.version)


@blp.route("/<round_id>/close")
class Close(MethodView):
    @blp.response(200, RoundStepSchema)
    def post(self, round_id: str) -> Any:
        """Close the round before the end of its year: no more supplementary decisions (If-Match)."""
        round_in_scope(round_id, ROUND_MANAGERS)
        c = container()
        step = round_steps.close_round(c.uow(), c.gateway, round_id=round_id, inp=_round_step(rc.CloseInput))
        return step, 200, etag(step.version)


@blp.route("/<round_id>/documents")
class Documents(MethodView):
    @blp.arguments(DocumentsArgsSchema(), location="query")
    @blp.response(200, DocumentsSchema)
    def get(self, args: dict[str, Any], round_id: str) -> Any:
        """Short-lived links to the round's decisions and minutes, or to one case's certificate."""
        round_in_scope(round_id, ROUND_READERS)
        c = container()
        links = rounds.document_links(c.uow(), round_id=round_id, case_id=args.get("case_id"))
        for link in links:
            link["url"] = c.storage.presigned_get(
                link.pop("key"), expires=LINK_TTL, filename=link["key_name"]
            )
            link.pop("key_name")
        return {"items": links}


@blp.route("/<round_id>/amendments")
class Amendments(MethodView):
    @blp.arguments(AmendmentSchema())
    @blp.response(201, DecisionSchema)
    @blp.alt_response(
        200, schema=DecisionSchema, description="The same request again: the decision it issued"
    )
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The chairman corrects or revokes a recorded decision by a new, amending decision (idempotent:
        the same request again answers 200 with the decision already issued)."""
        round_in_scope(round_id, SIGNERS)
        c = container()
        issued = amendments.amend_decision(
            c.uow(), c.storage, round_id=round_id, actor=current_actor(), **body
        )
        return issued, (201 if issued.pop("created") else 200)
