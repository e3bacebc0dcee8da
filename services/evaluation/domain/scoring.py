"""Pure scoring engine: scores and shares -> pass, level, band and reasons (evaluation, domain layer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.errors import ValidationFailed
from services.evaluation.domain.criteria import (
    TITLE_NAMES_EN,
    TITLE_NAMES_VI,
    TITLES,
    CriteriaSet,
    Dependency,
    Indicator,
    Level,
)
from services.evaluation.domain.score_checks import (
    InvalidScores,
    ScoreProblem,
    missing_problem,
    problems_as_field_errors,
    validate_scores,
)

__all__ = [
    "CriterionTotal",
    "InvalidFacts",
    "InvalidScores",
    "Reason",
    "Score",
    "ScoreProblem",
    "ScoreResult",
    "problems_as_field_errors",
    "score",
    "validate_scores",
]

# A point score is an int, a pass/fail score a bool (bool is checked first: it is also an int).
Score = int | bool

# Shares are usually computed as counts divided by counts (9 of 10 members); a tiny tolerance keeps
# 0.9 computed as 0.8999999999 from failing a 90% condition that the counts actually meet.
SHARE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Reason:
    """One reason a subject is not recognised."""

    code: str  # missing_required | not_met | below_minimum | below_threshold | dependency_* | level_*
    message_vi: str
    message_en: str
    indicator_code: str | None = None
    title: str | None = None
    level: int | None = None


@dataclass(frozen=True)
class CriterionTotal:
    """Points reached on one criterion, for the summary table of a self-assessment."""

    code: str
    total: int
    max_total: int


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one subject against one criteria set version."""

    criteria_key: str
    group: str | None
    total: int
    max_total: int
    passed: bool
    level: int | None
    band: str | None
    reasons: tuple[Reason, ...]
    criteria_totals: tuple[CriterionTotal, ...]


class InvalidFacts(ValidationFailed):
    """Dependency facts that name an unknown title or a share outside 0..1."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Số liệu tỷ lệ danh hiệu không hợp lệ.", "Invalid dependency shares.", errors=errors)


def score(
    criteria_set: CriteriaSet,
    scores: Mapping[str, object],
    group: str | None = None,
    facts: Mapping[str, float] | None = None,
) -> ScoreResult:
    """Score one subject; raises InvalidScores / InvalidFacts / UnknownGroup on bad input."""
    problems = validate_scores(criteria_set, scores, group, partial=True)
    if problems:
        raise InvalidScores(problems)
    facts = dict(facts or {})
    _check_facts(facts)
    criteria = criteria_set.criteria_for(group)
    totals = tuple(
        CriterionTotal(c.code, sum(_points(i, scores) for i in c.indicators), c.max_points) for c in criteria
    )
    total = sum(t.total for t in totals)
    rules = criteria_set.rules
    reasons = [
        r for i in criteria_set.indicators_for(group) if (r := _indicator_reason(criteria_set, i, scores))
    ]
    if rules.pass_total is not None and total < rules.pass_total:
        reasons.append(
            Reason(
                "below_threshold",
                f"Tổng điểm {total} thấp hơn mức đạt {rules.pass_total}.",
                f"Total {total} is below the pass mark {rules.pass_total}.",
            )
        )
    reasons.extend(_dependency_reasons(rules.dependencies, facts, level=None))
    levels = sorted(rules.levels, key=lambda lv: lv.level)
    if levels:
        # When a set recognises by level, recognition means reaching level 1 at least.
        reasons.extend(_level_reasons(levels[0], total, facts))
    passed = not reasons
    return ScoreResult(
        criteria_key=criteria_set.key,
        group=group,
        total=total,
        max_total=sum(t.max_total for t in totals),
        passed=passed,
        level=_level_reached(levels, total, facts) if passed else None,
        band=_band(criteria_set, total),
        reasons=tuple(reasons),
        criteria_totals=totals,
    )


def _points(indicator: Indicator, scores: Mapping[str, object]) -> int:
    value = scores.get(indicator.code)
    if indicator.is_pass_fail or isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value


def _indicator_reason(
    criteria_set: CriteriaSet, indicator: Indicator, scores: Mapping[str, object]
) -> Reason | None:
    code = indicator.code
    if code not in scores:
        if not indicator.required:
            return None  # an optional indicator left unscored is "not applicable", not a failure
        missing = missing_problem(indicator)
        return Reason("missing_required", missing.message_vi, missing.message_en, indicator_code=code)
    value = scores[code]
    if indicator.is_pass_fail:
        if value is True:
            return None
        return Reason(
            "not_met", f"Chỉ số {code} không đạt.", f"Indicator {code} is not met.", indicator_code=code
        )
    minimum = criteria_set.min_points_of(indicator)
    if minimum is not None and _points(indicator, scores) < minimum:
        return Reason(
            "below_minimum",
            f"Chỉ số {code} đạt {value} điểm, thấp hơn mức tối thiểu {minimum}.",
            f"Indicator {code} scored {value}, below the minimum {minimum}.",
            indicator_code=code,
        )
    return None


def _check_facts(facts: Mapping[str, float]) -> None:
    errors: dict[str, list[str]] = {}
    for title, share in facts.items():
        if title not in TITLES:
            errors[f"facts.{title}"] = [f"Unknown title '{title}'."]
        elif isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            errors[f"facts.{title}"] = [f"Share must be a number from 0 to 1 (got {share!r})."]
    if errors:
        raise InvalidFacts(errors)


def _dependency_reasons(
    deps: tuple[Dependency, ...], facts: Mapping[str, float], level: int | None
) -> list[Reason]:
    reasons = []
    prefix_vi, prefix_en = (f"Mức độ {level}: ", f"Level {level}: ") if level else ("", "")
    for dep in deps:
        name_vi, name_en = TITLE_NAMES_VI[dep.title], TITLE_NAMES_EN[dep.title]
        share = facts.get(dep.title)
        if share is None:
            reasons.append(
                Reason(
                    "dependency_missing",
                    f"{prefix_vi}Chưa có số liệu tỷ lệ đạt danh hiệu '{name_vi}'.",
                    f"{prefix_en}No figure for the share holding '{name_en}'.",
                    title=dep.title,
                    level=level,
                )
            )
        elif share + SHARE_TOLERANCE < dep.min_share:
            reasons.append(
                Reason(
                    "dependency_too_low",
                    f"{prefix_vi}Tỷ lệ đạt danh hiệu '{name_vi}' là {_pct(share)}, "
                    f"thấp hơn mức yêu cầu {_pct(dep.min_share)}.",
                    f"{prefix_en}Share holding '{name_en}' is {_pct(share)}, below the required "
                    f"{_pct(dep.min_share)}.",
                    title=dep.title,
                    level=level,
                )
            )
    return reasons


def _level_reasons(level: Level, total: int, facts: Mapping[str, float]) -> list[Reason]:
    reasons = []
    if level.min_total is not None and total < level.min_total:
        reasons.append(
            Reason(
                "level_below_total",
                f"Mức độ {level.level}: tổng điểm {total} thấp hơn {level.min_total}.",
                f"Level {level.level}: total {total} is below {level.min_total}.",
                level=level.level,
            )
        )
    reasons.extend(_dependency_reasons(level.dependencies, facts, level=level.level))
    return reasons


def _level_reached(levels: list[Level], total: int, facts: Mapping[str, float]) -> int | None:
    # Levels build on each other: a subject that misses level 1 does not reach level 2 even if its
    # own conditions happen to hold, so stop at the first level not met.
    reached = None
    for level in levels:
        if _level_reasons(level, total, facts):
            break
        reached = level.level
    return reached


def _band(criteria_set: CriteriaSet, total: int) -> str | None:
    eligible = [b for b in criteria_set.rules.bands if total >= b.min_total]
    return max(eligible, key=lambda b: b.min_total).code if eligible else None


def _pct(share: float) -> str:
    return f"{share * 100:.4g}%"
