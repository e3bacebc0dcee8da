"""Score validation: unknown indicators, wrong types, out-of-range and missing scores (domain layer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.errors import ValidationFailed
from services.evaluation.domain.criteria import CriteriaSet, Indicator


@dataclass(frozen=True)
class ScoreProblem:
    """A score that cannot be accepted; the API turns each into a 422 field error."""

    indicator_code: str
    code: str  # unknown_indicator | wrong_type | out_of_range | missing_required
    message_vi: str
    message_en: str


class InvalidScores(ValidationFailed):
    """Scores that name unknown indicators, have the wrong type or fall out of range."""

    def __init__(self, problems: list[ScoreProblem]) -> None:
        super().__init__(
            f"Điểm chấm không hợp lệ ({len(problems)} lỗi).",
            f"Invalid scores ({len(problems)} problems).",
            errors=problems_as_field_errors(problems, english=False),
            errors_en=problems_as_field_errors(problems),
        )
        self.problems = tuple(problems)


def problems_as_field_errors(problems: list[ScoreProblem], *, english: bool = True) -> dict[str, list[str]]:
    """Group problems as `{"scores.<indicator>": [message, ...]}` for the 422 error envelope."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        message = problem.message_en if english else problem.message_vi
        errors.setdefault(f"scores.{problem.indicator_code}", []).append(message)
    return errors


def validate_scores(
    criteria_set: CriteriaSet,
    scores: Mapping[str, object],
    group: str | None = None,
    *,
    partial: bool = False,
) -> list[ScoreProblem]:
    """Every problem with `scores` for `group`; `partial=True` (a draft) allows missing indicators."""
    indicators = criteria_set.indicators_for(group)
    problems: list[ScoreProblem] = []
    for indicator in indicators:
        if indicator.code in scores:
            problem = _check_value(indicator, scores[indicator.code])
            if problem is not None:
                problems.append(problem)
        elif indicator.required and not partial:
            problems.append(missing_problem(indicator))
    known = {i.code for i in indicators}
    for code in sorted((str(c) for c in scores if c not in known), key=str):
        problems.append(
            ScoreProblem(
                code,
                "unknown_indicator",
                f"Chỉ số '{code}' không có trong bộ tiêu chí {criteria_set.key}.",
                f"Indicator '{code}' is not in criteria set {criteria_set.key}.",
            )
        )
    return problems


def _check_value(indicator: Indicator, value: object) -> ScoreProblem | None:
    code = indicator.code
    if indicator.is_pass_fail:
        if isinstance(value, bool):
            return None
        return ScoreProblem(
            code,
            "wrong_type",
            f"Chỉ số {code} chỉ nhận đạt/không đạt (true/false).",
            f"Indicator {code} takes met/not met (true/false).",
        )
    top = indicator.max_points or 0
    if isinstance(value, bool) or not isinstance(value, int):
        return ScoreProblem(
            code,
            "wrong_type",
            f"Chỉ số {code} phải chấm bằng số nguyên từ 0 đến {top}.",
            f"Indicator {code} takes a whole number of points from 0 to {top}.",
        )
    if not 0 <= value <= top:
        return ScoreProblem(
            code,
            "out_of_range",
            f"Điểm của chỉ số {code} phải từ 0 đến {top} (nhận được {value}).",
            f"Indicator {code} must score from 0 to {top} (got {value}).",
        )
    return None


def missing_problem(indicator: Indicator) -> ScoreProblem:
    """The problem of a required indicator left without a score."""
    return ScoreProblem(
        indicator.code,
        "missing_required",
        f"Chưa chấm chỉ số bắt buộc {indicator.code}.",
        f"Required indicator {indicator.code} has no score.",
    )
