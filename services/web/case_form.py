"""The self-assessment / review form generated from a case's criteria set, and its checks (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.web.i18n import reason
from workflows.recognition import lifecycle as lc

REASON_REQUIRED = ("adjust_score", "request_evidence", "withdraw")
SCORING_ACTIONS = ("save_draft", "submit", "adjust_score")
# Which scores column a role fills in each state.
COLUMN_OF_STATUS = {
    lc.DRAFT: "self_score",
    lc.EVIDENCE_REQUESTED: "self_score",
    lc.VILLAGE_REVIEW: "village_score",
    lc.COMMUNE_REVIEW: "commune_score",
}


@dataclass(frozen=True)
class Field:
    """One indicator as a form field."""

    code: str
    criterion: str
    name_vi: str
    name_en: str
    max_points: int | None
    required: bool
    evidence: dict[str, Any] | None

    @property
    def pass_fail(self) -> bool:
        return self.max_points is None


def fields_of(criteria_set: dict[str, Any] | None) -> list[Field]:
    """The indicators of a criteria set (its first subject group when it is split by group)."""
    if not criteria_set:
        return []
    criteria = criteria_set.get("criteria") or []
    if not criteria and criteria_set.get("groups"):
        criteria = criteria_set["groups"][0]["criteria"]
    return [
        Field(
            code=i["code"],
            criterion=c["name_vi"],
            name_vi=i["name_vi"],
            name_en=i["name_en"],
            max_points=i.get("max_points"),
            required=bool(i.get("required", True)),
            evidence=i.get("evidence"),
        )
        for c in criteria
        for i in c["indicators"]
    ]


def allowed_actions(status: str, role: str) -> list[str]:
    """The steps this role may take on a case in this state (the lifecycle table decides)."""
    return [a for a in lc.STEPS if lc.refusal(a, status, role) is None]


def read_scores(
    fields: list[Field], form: Any, action: str
) -> tuple[dict[str, int | bool], dict[str, list[str]]]:
    """The scores typed into the form as the API expects them, and every problem per field
    (`score-<code>`). A submission needs every required indicator; a draft or an adjustment only
    the ones filled in."""
    scores: dict[str, int | bool] = {}
    errors: dict[str, list[str]] = {}
    for f in fields:
        name = f"score-{f.code}"
        raw = (form.get(name) or "").strip()
        if not raw:
            if action == "submit" and f.required:
                errors[name] = [reason("required")]
            continue
        if f.pass_fail:
            if raw not in ("true", "false"):
                errors[name] = [reason("pass_fail")]
            else:
                scores[f.code] = raw == "true"
            continue
        top = f.max_points or 0
        if not raw.lstrip("-").isdigit():
            errors[name] = [reason("whole_number", top=top)]
        elif not 0 <= int(raw) <= top:
            errors[name] = [reason("out_of_range", top=top)]
        else:
            scores[f.code] = int(raw)
    return scores, errors


def check_step(action: str, reason_text: str) -> dict[str, list[str]]:
    """The checks of a step's other fields."""
    errors: dict[str, list[str]] = {}
    if action not in lc.STEPS:
        errors["action"] = [reason("choice")]
    if action in REASON_REQUIRED and not reason_text.strip():
        errors["reason"] = [reason("reason_required")]
    if len(reason_text) > 2000:
        errors["reason"] = [reason("too_long", n=2000)]
    return errors


def api_errors_to_fields(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's `scores.<code>` errors as the form's `score-<code>` fields, its X-On-Behalf-Of header's as
    the `on_behalf_of` field's."""
    fields = {"X-On-Behalf-Of": "on_behalf_of"}
    return {
        (f"score-{k.removeprefix('scores.')}" if k.startswith("scores.") else fields.get(k, k)): v
        for k, v in errors.items()
    }
