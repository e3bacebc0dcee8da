"""Unit tests of the pure scoring engine (services/evaluation/domain/scoring.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.criteria import (
    Band,
    CriteriaSet,
    Criterion,
    Dependency,
    Indicator,
    Level,
    Rules,
    UnknownGroup,
)
from services.evaluation.domain.scoring import (
    InvalidFacts,
    InvalidScores,
    problems_as_field_errors,
    score,
    validate_scores,
)

CITIZEN = get_criteria_set("cong-dan-hoc-tap", "2023.1")
UNIT = get_criteria_set("don-vi-hoc-tap-xa", "2023.1")
FAMILY = get_criteria_set("gia-dinh-hoc-tap", "2023.1")
COMMUNE = get_criteria_set("cong-dong-hoc-tap-xa", "2023.1")
CITIZEN_CODES = [i.code for i in CITIZEN.indicators_for("resident")]


def _citizen(*values: int) -> dict[str, Any]:
    assert len(values) == len(CITIZEN_CODES)
    return dict(zip(CITIZEN_CODES, values, strict=True))


def _indicator(code: str, max_points: int | None = 10, **kwargs: object) -> Indicator:
    return Indicator(code, f"Chỉ số {code}", f"Indicator {code}", max_points, ("self",), **kwargs)


def _set(*indicators: Indicator, rules: Rules | None = None) -> CriteriaSet:
    return CriteriaSet(
        code="thu-nghiem",
        version="2024.1",
        title="learning_family",
        name_vi="Bộ thử nghiệm",
        name_en="Test set",
        issuer="Test",
        legal_basis=("Test",),
        status="illustrative",
        valid_from=2024,
        subject_kind="household",
        rules=rules or Rules(),
        criteria=(Criterion("1", "Tiêu chí 1", "Criterion 1", indicators),),
        note="test",
    )


def _unit_scores(total: int) -> dict[str, int]:
    """Spread `total` points over the unit's indicators, filling them in order."""
    scores: dict[str, int] = {}
    for indicator in UNIT.indicators_for():
        points = min(indicator.max_points or 0, total)
        scores[indicator.code] = points
        total -= points
    return scores


# --- QĐ 324/QĐ-KHVN: total >= 80 of 100, no indicator below 5 --------------------------------------


def test_citizen_with_exactly_80_points_and_all_indicators_at_8_passes() -> None:
    result = score(CITIZEN, _citizen(*[8] * 10), "resident")
    assert (result.total, result.max_total, result.passed, result.reasons) == (80, 100, True, ())


def test_citizen_with_79_points_fails_on_the_threshold_only() -> None:
    result = score(CITIZEN, _citizen(7, *[8] * 9), "resident")
    assert result.total == 79
    assert not result.passed
    assert [r.code for r in result.reasons] == ["below_threshold"]
    assert "80" in result.reasons[0].message_vi and "79" in result.reasons[0].message_en


def test_citizen_with_one_indicator_at_4_fails_even_with_a_high_total() -> None:
    result = score(CITIZEN, _citizen(4, *[10] * 9), "official")
    assert result.total == 94
    assert not result.passed
    assert [(r.code, r.indicator_code) for r in result.reasons] == [("below_minimum", "1.1")]


def test_citizen_with_one_indicator_at_exactly_5_and_total_80_passes() -> None:
    result = score(CITIZEN, _citizen(5, 9, 9, 9, 9, 8, 8, 8, 8, 7), "student")
    assert (result.total, result.passed) == (80, True)


def test_citizen_failing_several_rules_gets_every_reason() -> None:
    result = score(CITIZEN, _citizen(4, 3, *[8] * 8), "worker")
    assert [(r.code, r.indicator_code) for r in result.reasons] == [
        ("below_minimum", "1.1"),
        ("below_minimum", "1.2"),
        ("below_threshold", None),
    ]


def test_citizen_missing_a_required_indicator_is_not_recognised() -> None:
    scores = _citizen(*[10] * 10)
    del scores["2.2"]
    result = score(CITIZEN, scores, "resident")
    assert not result.passed
    assert [(r.code, r.indicator_code) for r in result.reasons] == [("missing_required", "2.2")]


def test_citizen_criteria_totals_add_up_to_the_total() -> None:
    result = score(CITIZEN, _citizen(10, 9, 8, 7, 6, 5, 10, 9, 8, 7), "resident")
    assert [(t.code, t.total, t.max_total) for t in result.criteria_totals] == [
        ("1", 19, 20),
        ("2", 26, 40),
        ("3", 34, 40),
    ]
    assert result.total == 79


# --- groups -----------------------------------------------------------------------------------------


def test_citizen_set_has_its_own_list_per_group() -> None:
    assert CITIZEN.group_codes == ("resident", "worker", "official", "student")
    for group in CITIZEN.group_codes:
        assert CITIZEN.max_total(group) == 100


@pytest.mark.parametrize("group", [None, "farmer"])
def test_citizen_scoring_needs_a_known_group(group: str | None) -> None:
    with pytest.raises(UnknownGroup) as info:
        score(CITIZEN, _citizen(*[8] * 10), group)
    assert info.value.status == 422
    assert info.value.errors == {"group": [info.value.message_vi]}  # Vietnamese, the English apart
    assert info.value.errors_en == {"group": [info.value.message_en]}
    assert info.value.message_vi != info.value.message_en


def test_a_set_without_groups_refuses_a_group() -> None:
    with pytest.raises(UnknownGroup):
        validate_scores(FAMILY, {}, "resident")


# --- validate_scores --------------------------------------------------------------------------------


def test_validate_scores_accepts_a_complete_valid_sheet() -> None:
    assert validate_scores(CITIZEN, _citizen(*[0] * 10), "resident") == []


def test_validate_scores_lists_every_problem_with_code_and_both_languages() -> None:
    scores = _citizen(*[8] * 10)
    scores.update({"1.1": 11, "1.2": -1, "2.1": True, "2.2": "8", "2.3": 7.5, "9.9": 5})
    del scores["3.4"]
    problems = validate_scores(CITIZEN, scores, "resident")
    assert [(p.indicator_code, p.code) for p in problems] == [
        ("1.1", "out_of_range"),
        ("1.2", "out_of_range"),
        ("2.1", "wrong_type"),
        ("2.2", "wrong_type"),
        ("2.3", "wrong_type"),
        ("3.4", "missing_required"),
        ("9.9", "unknown_indicator"),
    ]
    for problem in problems:
        assert problem.indicator_code in problem.message_vi
        assert problem.indicator_code in problem.message_en
    assert "Chưa chấm" in problems[5].message_vi


def test_validate_scores_on_a_draft_allows_missing_indicators() -> None:
    assert validate_scores(CITIZEN, {"1.1": 6}, "resident", partial=True) == []
    assert len(validate_scores(CITIZEN, {"1.1": 6}, "resident")) == 9


def test_pass_fail_indicators_take_only_booleans() -> None:
    problems = validate_scores(COMMUNE, {"1.1": 1, "1.2": "yes"}, partial=True)
    assert [(p.indicator_code, p.code) for p in problems] == [("1.1", "wrong_type"), ("1.2", "wrong_type")]


def test_problems_become_field_errors_keyed_by_indicator() -> None:
    problems = validate_scores(CITIZEN, {"1.1": 12, "x": 1}, "resident", partial=True)
    errors = problems_as_field_errors(problems)
    assert set(errors) == {"scores.1.1", "scores.x"}
    assert problems_as_field_errors(problems, english=False)["scores.x"][0].startswith("Chỉ số")


def test_score_refuses_invalid_scores_with_a_422_error() -> None:
    with pytest.raises(InvalidScores) as info:
        score(CITIZEN, {**_citizen(*[8] * 10), "1.1": 11, "zz": 1}, "resident")
    assert info.value.status == 422
    assert {p.code for p in info.value.problems} == {"out_of_range", "unknown_indicator"}
    assert "scores.1.1" in info.value.errors


# --- optional and pass/fail indicators, per-indicator minimums -----------------------------------------


def test_an_optional_indicator_left_unscored_does_not_fail_the_set() -> None:
    criteria_set = _set(
        _indicator("a"), _indicator("b", required=False), rules=Rules(min_points_per_indicator=5)
    )
    result = score(criteria_set, {"a": 7})
    assert (result.passed, result.total, result.max_total) == (True, 7, 20)


def test_an_indicator_minimum_overrides_the_set_default() -> None:
    criteria_set = _set(
        _indicator("a", min_points=8), _indicator("b", min_points=0), rules=Rules(min_points_per_indicator=5)
    )
    assert score(criteria_set, {"a": 8, "b": 0}).passed
    assert [r.indicator_code for r in score(criteria_set, {"a": 7, "b": 0}).reasons] == ["a"]


def test_commune_community_passes_at_level_1_when_every_indicator_is_met() -> None:
    all_met = {i.code: True for i in COMMUNE.indicators_for()}
    result = score(COMMUNE, all_met)
    assert (result.passed, result.level, result.total, result.max_total) == (True, 1, 0, 0)


def test_commune_community_fails_on_each_indicator_not_met() -> None:
    scores = {i.code: True for i in COMMUNE.indicators_for()} | {"2.1": False, "3.3": False}
    result = score(COMMUNE, scores)
    assert not result.passed and result.level is None
    assert [(r.code, r.indicator_code) for r in result.reasons] == [("not_met", "2.1"), ("not_met", "3.3")]


# --- levels, dependencies and bands (Đơn vị học tập) ----------------------------------------------------


@pytest.mark.parametrize(
    ("total", "share", "level"),
    [
        (70, 0.90, 1),
        (90, 0.9, 1),
        (84, 0.97, 1),
        (85, 0.95, 2),
        (100, 1.0, 2),
        (85, 19 / 20, 2),
    ],
)
def test_unit_reaches_the_level_its_points_and_learning_citizen_share_allow(
    total: int, share: float, level: int
) -> None:
    result = score(UNIT, _unit_scores(total), facts={"learning_citizen": share})
    assert (result.passed, result.level) == (True, level)


def test_unit_below_90_percent_learning_citizens_is_not_recognised() -> None:
    result = score(UNIT, _unit_scores(95), facts={"learning_citizen": 0.8999})
    assert (result.passed, result.level) == (False, None)
    reason = result.reasons[0]
    assert (reason.code, reason.title, reason.level) == ("dependency_too_low", "learning_citizen", 1)
    assert "89.99%" in reason.message_vi and "90%" in reason.message_en


def test_a_share_computed_from_counts_meets_its_threshold_despite_float_rounding() -> None:
    share = sum([0.1] * 9)  # 0.8999999999999999, i.e. 9 of 10 members
    assert score(UNIT, _unit_scores(80), facts={"learning_citizen": share}).level == 1


def test_unit_without_the_learning_citizen_figure_is_not_recognised() -> None:
    result = score(UNIT, _unit_scores(95))
    assert [r.code for r in result.reasons] == ["dependency_missing"]


@pytest.mark.parametrize(
    ("total", "band"),
    [(100, "tot"), (85, "tot"), (84, "kha"), (70, "kha"), (69, "trung-binh"), (50, "trung-binh"), (49, None)],
)
def test_unit_band_follows_the_tt22_cut_offs(total: int, band: str | None) -> None:
    assert score(UNIT, _unit_scores(total), facts={"learning_citizen": 1.0}).band == band


def test_unit_below_50_points_fails_the_threshold() -> None:
    result = score(UNIT, _unit_scores(49), facts={"learning_citizen": 1.0})
    assert [r.code for r in result.reasons] == ["below_threshold"]


def test_a_higher_level_is_not_reached_when_a_lower_level_is_missed() -> None:
    levels = (
        Level(1, "Mức độ 1", "Level 1", dependencies=(Dependency("learning_citizen", 0.9),)),
        Level(2, "Mức độ 2", "Level 2", min_total=5),
    )
    criteria_set = _set(_indicator("a"), rules=Rules(levels=levels))
    result = score(criteria_set, {"a": 10}, facts={"learning_citizen": 0.5})
    assert (result.passed, result.level) == (False, None)
    assert [r.code for r in result.reasons] == ["dependency_too_low"]


def test_level_total_condition_is_reported_when_level_1_needs_points() -> None:
    criteria_set = _set(_indicator("a"), rules=Rules(levels=(Level(1, "Mức độ 1", "Level 1", min_total=6),)))
    result = score(criteria_set, {"a": 5})
    assert [(r.code, r.level) for r in result.reasons] == [("level_below_total", 1)]
    assert score(criteria_set, {"a": 6}).level == 1


@pytest.mark.parametrize(("share", "passed"), [(0.5, True), (0.49, False), (1 / 2, True), (0.0, False)])
def test_family_needs_half_its_adults_to_be_learning_citizens(share: float, passed: bool) -> None:
    scores = {i.code: 9 for i in FAMILY.indicators_for()}
    assert score(FAMILY, scores, facts={"learning_citizen": share}).passed is passed


@pytest.mark.parametrize(
    "facts",
    [{"learning_citizen": 1.2}, {"learning_citizen": -0.1}, {"learning_citizen": True}, {"nope": 0.5}],
)
def test_facts_outside_0_to_1_or_for_unknown_titles_are_refused(facts: dict[str, float]) -> None:
    with pytest.raises(InvalidFacts) as info:
        score(FAMILY, {i.code: 9 for i in FAMILY.indicators_for()}, facts=facts)
    assert info.value.status == 422


def test_scoring_is_deterministic() -> None:
    scores, facts = _unit_scores(77), {"learning_citizen": 0.93}
    assert score(UNIT, scores, facts=facts) == score(UNIT, dict(reversed(scores.items())), facts=facts)


# --- properties ---------------------------------------------------------------------------------------

CITIZEN_SHEETS = st.lists(st.integers(0, 10), min_size=10, max_size=10).map(lambda v: _citizen(*v))
GROUPS = st.sampled_from(CITIZEN.group_codes)


@given(CITIZEN_SHEETS, GROUPS)
def test_citizen_passes_exactly_when_total_at_least_80_and_no_indicator_below_5(
    scores: dict[str, int], group: str
) -> None:
    result = score(CITIZEN, scores, group)
    expected = sum(scores.values()) >= 80 and min(scores.values()) >= 5
    assert result.passed is expected
    assert result.passed is (not result.reasons)
    assert 0 <= result.total <= result.max_total == 100


@st.composite
def sets_and_sheets(draw: st.DrawFn) -> tuple[CriteriaSet, dict[str, int], str]:
    """A random points set with a random sheet and one indicator to raise."""
    maxima = draw(st.lists(st.integers(1, 20), min_size=1, max_size=8))
    indicators = tuple(_indicator(f"i{n}", m, required=draw(st.booleans())) for n, m in enumerate(maxima))
    pass_total = draw(st.none() | st.integers(0, sum(maxima)))
    criteria_set = _set(*indicators, rules=Rules(pass_total=pass_total))
    scores: dict[str, int] = {
        i.code: draw(st.integers(0, i.max_points or 0))
        for i in indicators
        if draw(st.booleans()) or i.required
    }
    return criteria_set, scores, draw(st.sampled_from([i.code for i in indicators]))


@given(sets_and_sheets())
def test_total_never_exceeds_the_maximum(case: tuple[CriteriaSet, dict[str, int], str]) -> None:
    criteria_set, scores, _ = case
    result = score(criteria_set, scores)
    assert 0 <= result.total <= result.max_total == criteria_set.max_total()
    assert sum(t.total for t in result.criteria_totals) == result.total


@given(sets_and_sheets(), st.integers(1, 20))
def test_raising_a_score_never_turns_a_pass_into_a_fail(
    case: tuple[CriteriaSet, dict[str, int], str], step: int
) -> None:
    criteria_set, scores, code = case
    before = score(criteria_set, scores)
    top = next(i.max_points for i in criteria_set.indicators_for() if i.code == code) or 0
    raised = {**scores, code: min(top, scores.get(code, 0) + step)}
    after = score(criteria_set, raised)
    assert after.total >= before.total
    if before.passed:
        assert after.passed


@given(CITIZEN_SHEETS, st.integers(0, 9), st.integers(1, 10))
def test_raising_a_citizen_score_keeps_a_pass_when_no_minimum_is_violated(
    scores: dict[str, int], index: int, step: int
) -> None:
    before = score(CITIZEN, scores, "resident")
    code = CITIZEN_CODES[index]
    after = score(CITIZEN, {**scores, code: min(10, scores[code] + step)}, "resident")
    if before.passed:
        assert after.passed


@given(st.integers(0, 100), st.floats(0, 1))
def test_unit_level_2_implies_level_1_conditions(total: int, share: float) -> None:
    result = score(UNIT, _unit_scores(total), facts={"learning_citizen": share})
    if result.level == 2:
        assert total >= 85 and share >= 0.95 - 1e-9
    if result.level is not None:
        assert share >= 0.9 - 1e-9 and total >= 50
    band_floor = {"tot": 85, "kha": 70, "trung-binh": 50, None: 0}[result.band]
    assert total >= band_floor


def test_bands_pick_the_highest_band_reached_whatever_their_order() -> None:
    bands = (Band("b", "B", "B", 5), Band("a", "A", "A", 8), Band("c", "C", "C", 2))
    criteria_set = _set(_indicator("x"), rules=Rules(bands=bands))
    assert [score(criteria_set, {"x": v}).band for v in (1, 2, 5, 7, 8, 10)] == [
        None,
        "c",
        "b",
        "b",
        "a",
        "a",
    ]
