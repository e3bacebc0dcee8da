"""Use case: a person takes a step on a case (submit, review, request evidence, ...) — validated here,
enforced by the case's workflow, refused with a clear reason (service layer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ActivityError, ApplicationError

from common.errors import Conflict, InvalidTransition, PreconditionFailed, ValidationFailed, not_one_of
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.errors import SelfAssessmentNotOpen
from services.evaluation.domain.model import Case
from services.evaluation.domain.score_checks import problems_as_field_errors, validate_scores
from services.evaluation.service.cases import get_case_or_raise
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc


@dataclass(frozen=True)
class Actor:
    """Who acts, in which role, and for whom (staff entering a household's paper form)."""

    username: str
    role: str
    on_behalf_of: str | None = None


# The workflow's validator refuses these too (it is the arbiter); checked here first so that the refusal
# names its field, in both languages.
_NEEDS_REASON = ("adjust_score", "request_evidence", "withdraw")


def _check_step_fields(
    action: str, reason: str, scores: dict[str, float], indicator_code: str | None
) -> None:
    errors: dict[str, list[str]] = {}
    errors_en: dict[str, list[str]] = {}
    if action in _NEEDS_REASON and not reason.strip():
        errors["reason"] = [f"Thao tác '{action}' cần ghi rõ lý do."]
        errors_en["reason"] = [f"The step '{action}' needs a reason."]
    if action == "adjust_score" and not indicator_code:
        errors["indicator_code"] = ["Hãy chọn chỉ số cần điều chỉnh điểm."]
        errors_en["indicator_code"] = ["Name the indicator whose score is adjusted."]
    elif action == "adjust_score" and indicator_code not in scores:
        errors["scores"] = [f"Cần điểm mới của chỉ số {indicator_code}."]
        errors_en["scores"] = [f"The new score of indicator {indicator_code} is missing."]
    if action == "submit" and not scores:
        errors["scores"] = ["Chưa có điểm tự đánh giá."]
        errors_en["scores"] = ["The self-assessment has no scores."]
    if errors:
        raise ValidationFailed(
            "Thao tác thiếu thông tin bắt buộc.",
            "The step lacks required information.",
            errors=errors,
            errors_en=errors_en,
        )


def _validate_scores_now(
    uow: Any, case_id: str, action: str, scores: dict[str, float], progress: dict[str, Any] | None
) -> None:
    """Check scores against the case's criteria set before bothering the workflow (422 per indicator);
    `progress` is the case's progress row when the caller has read it already (None: read it here)."""
    if action not in ("save_draft", "submit", "adjust_score") or not scores:
        return
    if progress is None:
        with uow:
            progress = uow.progress.get(case_id)
    key = (progress or {}).get("criteria_set_key")
    if not key:
        return
    code, _, version = key.partition("@")
    problems = validate_scores(get_criteria_set(code, version), scores, partial=action != "submit")
    if problems:
        raise ValidationFailed(
            "Điểm không hợp lệ.",
            "Invalid scores.",
            errors=problems_as_field_errors(problems, english=False),
            errors_en=problems_as_field_errors(problems),
        )


def _domain_error(err: WorkflowUpdateFailedError) -> Exception:
    cause = err.cause
    if isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    kind = cause.type if isinstance(cause, ApplicationError) else None
    message = str(cause.message if isinstance(cause, ApplicationError) else err)
    # An activity's business error carries its field errors, then their English (activities.py).
    found = list(cause.details) if isinstance(cause, ApplicationError) and cause.details else []
    details = found[0] if found else None
    details_en = found[1] if len(found) > 1 and isinstance(found[1], dict) else None
    message_en = found[2] if len(found) > 2 and isinstance(found[2], str) else None
    if kind == "VersionConflict":
        return PreconditionFailed(message, "The case changed since you read it; reload and try again.")
    if kind == "InvalidTransition":
        return InvalidTransition(message, message_en or "This step is not allowed now or not for your role.")
    if kind in ("ValidationFailed", "InvalidScores", "InvalidFacts", "UnknownGroup"):
        return ValidationFailed(
            message,
            message_en or "Invalid input.",
            errors=details if isinstance(details, dict) else None,
            errors_en=details_en if isinstance(details, dict) else None,
        )
    if kind == "SelfAssessmentNotOpen" and isinstance(details, str):
        return SelfAssessmentNotOpen(details)
    if kind == "NotReady":
        return Conflict(message, "The case is still being opened; retry in a moment.")
    return Conflict(message, message_en or "The step was refused.")


def take_step(
    uow: Any,
    gateway: Any,
    *,
    case_id: str,
    actor: Actor,
    action: str,
    expected_version: int,
    reason: str = "",
    scores: dict[str, float] | None = None,
    indicator_code: str | None = None,
    read: tuple[Case, dict[str, Any] | None] | None = None,
) -> c.StepResult:
    """Send one step to the case's workflow; refusals become 409/412/422 with the workflow's reason.

    `read`: the case and its progress row as the caller read them moments ago in this request (its
    scope check), so they are not read again; the workflow, not this read, decides the step."""
    if action not in lc.STEPS:
        raise not_one_of(
            "action",
            action,
            lc.STEPS,
            noun_vi="thao tác",
            noun_en="action",
            message_vi="Thao tác không hợp lệ.",
            message_en="Unknown action.",
        )
    progress: dict[str, Any] | None = None
    if read is None:
        with uow:
            case = get_case_or_raise(uow, case_id=case_id)
    else:
        case, progress = read
    if case.version != expected_version:  # cheap early answer; the workflow is the real arbiter
        raise PreconditionFailed(
            "Hồ sơ vừa được người khác cập nhật.", "The case was changed by someone else."
        )
    refused = lc.refusal(action, case.status, actor.role)
    if refused:  # the state before the content: scores are not judged for a step that cannot be taken
        raise InvalidTransition(refused, "This step is not allowed now or not for your role.")
    _check_step_fields(action, reason, scores or {}, indicator_code)
    _validate_scores_now(uow, case_id, action, scores or {}, progress)
    step = c.StepInput(
        action=action,
        actor=actor.username,
        role=actor.role,
        expected_version=expected_version,
        on_behalf_of=actor.on_behalf_of,
        reason=reason,
        scores=scores or {},
        indicator_code=indicator_code,
    )
    try:
        return gateway.execute_update(case.workflow_id, "act", step, result_type=c.StepResult)
    except WorkflowUpdateFailedError as err:
        raise _domain_error(err) from err
