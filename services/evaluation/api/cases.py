"""HTTP API: recognition cases and their steps (evaluation service, entrypoint layer)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from common.auth import CASE_WRITERS, HOUSEHOLD_REPRESENTATIVE, STAFF_ROLES, SUPERVISORS
from common.errors import PreconditionRequired, ValidationFailed
from common.web import Blueprint
from services.evaluation.api.access import (
    acting_for_case,
    case_in_scope,
    case_opening,
    checked_case,
    signed_in,
)
from services.evaluation.api.container import container, current_actor
from services.evaluation.api.schemas import (
    AssignSchema,
    CaseCreateSchema,
    CaseOpenedSchema,
    CaseQueryArgsSchema,
    CaseSchema,
    ScoreSchema,
    StepCreateSchema,
    StepResultSchema,
    TaskPageSchema,
)
from services.evaluation.service import cases, steps, tasks

blp = Blueprint("cases", __name__, url_prefix="/cases", description="Recognition cases")


def etag(version: int) -> dict[str, str]:
    """The case's version as its ETag: reviewers send it back in If-Match."""
    return {"ETag": f'"{version}"'}


def if_match_version() -> int:
    """The version the client read, from If-Match; required for every change (428 when missing)."""
    raw = request.headers.get("If-Match")
    if not raw:
        raise PreconditionRequired(
            "Thiếu tiêu đề If-Match: hãy gửi lại ETag của phiên bản đã đọc.",
            "If-Match is required: send the ETag you read.",
            errors={"If-Match": ['Bắt buộc: gửi ETag của phiên bản đã đọc, ví dụ "3".']},
            errors_en={"If-Match": ['Required: send the ETag of the version you read, e.g. "3".']},
        )
    try:
        return int(raw.strip().removeprefix("W/").strip('"'))
    except ValueError as exc:
        raise ValidationFailed(
            "If-Match không hợp lệ.",
            "Malformed If-Match.",
            errors={"If-Match": [f'If-Match phải là ETag đã đọc, ví dụ "3"; nhận được {raw!r}.']},
            errors_en={"If-Match": [f'If-Match must be the ETag you read, e.g. "3"; got {raw!r}.']},
        ) from exc


OPEN_RETRY_AFTER = 1  # seconds a client waits before reading (or opening again) a case not ready yet


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseQueryArgsSchema(), location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Every case within my scope, whatever it waits on, newest year first, paged; filtered by year,
        title, status, village and subject. A household representative gets its own household's cases
        only (none without a linked household): what it submitted stays in sight after its own steps."""
        who = signed_in()
        if who.role == HOUSEHOLD_REPRESENTATIVE:  # its own household, or nothing ("" matches no case)
            own = who.subject_id or ""
            args["subject_id"] = own if args.get("subject_id") in (None, own) else ""
        return tasks.list_cases(container().reader(), scope_code=who.scope_code, **args)

    @blp.arguments(CaseCreateSchema())
    @blp.response(202, CaseOpenedSchema)
    @blp.alt_response(200, schema=CaseOpenedSchema, description="The case already exists; nothing new opened")
    def post(self, body: dict[str, Any]) -> Any:
        """Open a recognition case (idempotent per year, title and subject) in a unit within my scope.

        For a household, clan, unit or citizen title `subject_id` names a subject of the register lying
        in that unit: its id, or its register code in the commune (a citizen's key); anything else is
        422 naming `subject_id`, and nothing is opened. A village or commune community is named by its
        unit's code.

        Answers once the case is open (readable at `GET /cases/{id}`, version 1, and accepting its first
        step): `ready` true. When its workflow takes longer than a few seconds to open it (Temporal or
        the evaluation worker slow or down), answers all the same with `ready` false, a `Location` and a
        `Retry-After` header: read the case, or send the same request again, after that many seconds.
        202 when this request opened the case, 200 when it existed already (`created` false)."""
        c = container()
        # Role and scope, then the subject in the unit's register (a code typed by staff, "H001", names
        # its subject's id; 422 when none), then the household check; nothing is written before.
        body["admin_unit_code"], body["subject_id"] = case_opening(
            body["admin_unit_code"], body["title"], body["subject_id"], CASE_WRITERS
        )
        opened = cases.open_case(c.reader(), c.gateway, opened_by=current_actor().username, **body)
        headers = {}
        if not opened.ready:
            headers = {"Retry-After": str(OPEN_RETRY_AFTER), "Location": f"/cases/{opened.case_id}"}
        return opened, (202 if opened.created else 200), headers


@blp.route("/<case_id>")
class CaseById(MethodView):
    @blp.response(200, CaseSchema)
    def get(self, case_id: str) -> Any:
        """Get one case; its ETag is its version."""
        case_in_scope(case_id)
        case = cases.case_with_recognition(container().reader(), case_id=case_id)
        return case, 200, etag(case["version"])


@blp.route("/<case_id>/steps")
class CaseSteps(MethodView):
    @blp.arguments(StepCreateSchema())
    @blp.response(200, StepResultSchema)
    @blp.alt_response(412, description="The case changed since it was read (stale If-Match)")
    @blp.alt_response(428, description="If-Match is missing")
    def post(self, body: dict[str, Any], case_id: str) -> Any:
        """Take a step: save_draft, submit, adjust_score, request_evidence, provide_evidence, pass_review,
        withdraw. Send the ETag you read in If-Match."""
        principal, placed = checked_case(case_id, CASE_WRITERS)
        acting_for_case(principal, placed.case)
        c = container()
        result = steps.take_step(
            c.reader(),
            c.gateway,
            case_id=case_id,
            actor=current_actor(),
            expected_version=if_match_version(),
            read=(placed.case, placed.progress),
            **body,
        )
        return result, 200, etag(result.version)


@blp.route("/<case_id>/scores")
class CaseScores(MethodView):
    @blp.response(200, ScoreSchema(many=True))
    def get(self, case_id: str) -> Any:
        """Self-assessment and review scores per indicator."""
        case_in_scope(case_id)
        return cases.get_scores(container().reader(), case_id=case_id)


@blp.route("/<case_id>/claim")
class CaseClaim(MethodView):
    @blp.response(200)
    def post(self, case_id: str) -> Any:
        """Take the case into my hands (409 when someone else holds it); recorded in its history."""
        case_in_scope(case_id, STAFF_ROLES)
        actor = current_actor()
        return tasks.claim_task(container().uow(), case_id=case_id, username=actor.username, actor=actor)


@blp.route("/<case_id>/assign")
class CaseAssign(MethodView):
    @blp.arguments(AssignSchema())
    @blp.response(200)
    def post(self, body: dict[str, Any], case_id: str) -> Any:
        """Reassign the case to someone else (supervisors): an active staff account whose scope holds the
        case's unit (else 422 naming `username`). Recorded in the case's history with the reason given;
        the new holder is told."""
        case_in_scope(case_id, SUPERVISORS)
        return tasks.claim_task(
            container().uow(),
            case_id=case_id,
            username=body["username"],
            actor=current_actor(),
            force=True,
            reason=body.get("reason"),
        )
