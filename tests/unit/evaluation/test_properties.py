"""Property-based tests (hypothesis) of the criteria loader, the scoring engine and the bulk importers,
where the example-based tests leave gaps: whatever the input, a clear 4xx-type error or a result,
never a crash; scoring is monotonic and adds up."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import DomainError
from services.evaluation.documents.criteria import (
    SHIPPED_DIR,
    CriteriaDocumentError,
    get_criteria_set,
    load_criteria_set,
)
from services.evaluation.domain.criteria import CriteriaSet, Indicator
from services.evaluation.domain.scoring import score, validate_scores
from services.evaluation.imports import ImportOptions, validate_import

SHIPPED = sorted(p.name for p in Path(SHIPPED_DIR).glob("*.yaml"))
SETS = [get_criteria_set(*name.removesuffix(".yaml").split("@")) for name in SHIPPED]
OPTIONS = ImportOptions(commune_code="15664", reference_year=2025)
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _raw(name: str) -> Any:
    return yaml.safe_load((Path(SHIPPED_DIR) / name).read_text(encoding="utf-8"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a YAML document (mapping keys and list indexes)."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


# --- criteria loader ----------------------------------------------------------------------------------


@SLOW
@given(st.sampled_from(SHIPPED), st.data(), _JUNK)
def test_any_corrupted_criteria_value_gives_a_document_error_never_a_crash(
    name: str, data: Any, junk: Any
) -> None:
    raw = copy.deepcopy(_raw(name))
    path = data.draw(st.sampled_from(_paths(raw)[1:]))
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    try:
        loaded = load_criteria_set(raw, origin=name)
    except CriteriaDocumentError as exc:
        assert exc.problems and all(p.message for p in exc.problems) and exc.status == 422
    else:
        assert isinstance(loaded, CriteriaSet)


@SLOW
@given(st.sampled_from(SHIPPED), st.data())
def test_a_criteria_document_missing_any_key_is_refused_or_still_valid(name: str, data: Any) -> None:
    raw = copy.deepcopy(_raw(name))
    path = data.draw(st.sampled_from([p for p in _paths(raw)[1:] if isinstance(p[-1], str)]))
    node = raw
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    try:
        load_criteria_set(raw, origin=name)
    except CriteriaDocumentError as exc:
        assert exc.problems


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_criteria_document_is_refused_cleanly(text: str) -> None:
    try:
        load_criteria_set(text, origin="fuzz")
    except CriteriaDocumentError as exc:
        assert exc.problems


# --- scoring engine -----------------------------------------------------------------------------------


def _groups(cs: CriteriaSet) -> list[str | None]:
    return list(cs.group_codes) or [None]


def _value(indicator: Indicator) -> st.SearchStrategy[Any]:
    return st.booleans() if indicator.is_pass_fail else st.integers(0, indicator.max_points or 0)


@st.composite
def _sheets(draw: Any) -> tuple[CriteriaSet, str | None, dict[str, Any]]:
    cs = draw(st.sampled_from(SETS))
    group = draw(st.sampled_from(_groups(cs)))
    indicators = cs.indicators_for(group)
    scores = {i.code: draw(_value(i)) for i in indicators}
    return cs, group, scores


def _facts(cs: CriteriaSet) -> st.SearchStrategy[dict[str, float]]:
    titles = sorted({d.title for d in cs.rules.dependencies})
    return st.fixed_dictionaries({t: st.floats(0, 1) for t in titles})


@SLOW
@given(_sheets(), st.data())
def test_any_valid_sheet_scores_and_the_totals_add_up(sheet: Any, data: Any) -> None:
    cs, group, scores = sheet
    facts = data.draw(_facts(cs))
    assert validate_scores(cs, scores, group) == [] or any(i.is_pass_fail for i in cs.indicators_for(group))
    result = score(cs, scores, group, facts)
    assert result.total == sum(t.total for t in result.criteria_totals)
    assert 0 <= result.total <= result.max_total == cs.max_total(group)
    assert result.passed == (not result.reasons)
    assert (result.level is None) or result.passed


@SLOW
@given(_sheets(), st.data())
def test_raising_one_indicator_never_turns_a_pass_into_a_fail(sheet: Any, data: Any) -> None:
    cs, group, scores = sheet
    facts = data.draw(_facts(cs))
    before = score(cs, scores, group, facts)
    points = [
        i for i in cs.indicators_for(group) if not i.is_pass_fail and scores[i.code] < (i.max_points or 0)
    ]
    if not points:
        return
    indicator = data.draw(st.sampled_from(points))
    higher = {
        **scores,
        indicator.code: data.draw(st.integers(scores[indicator.code] + 1, indicator.max_points or 0)),
    }
    after = score(cs, higher, group, facts)
    assert after.total > before.total
    assert after.passed or not before.passed
    if before.level is not None:
        assert after.level is not None and after.level >= before.level


@SLOW
@given(st.sampled_from(SETS), st.data())
def test_out_of_range_or_unknown_scores_are_refused_with_the_indicator_named(
    cs: CriteriaSet, data: Any
) -> None:
    group = data.draw(st.sampled_from(_groups(cs)))
    indicators = [i for i in cs.indicators_for(group) if not i.is_pass_fail]
    if not indicators:
        return
    indicator = data.draw(st.sampled_from(indicators))
    bad = data.draw(
        st.integers(max_value=-1)
        | st.integers(min_value=(indicator.max_points or 0) + 1)
        | st.text(max_size=3)
    )
    problems = validate_scores(cs, {indicator.code: bad}, group, partial=True)
    assert problems and any(indicator.code in str(p) for p in problems)
    with pytest.raises(DomainError):
        score(cs, {indicator.code: bad}, group)


# --- importers ----------------------------------------------------------------------------------------

HOUSEHOLD_HEADER = [
    "Mã xã", "Mã thôn", "Mã hộ", "Chủ hộ", "Địa chỉ", "Số định danh", "Họ và tên", "Năm sinh", "Giới tính",
    "Đối tượng", "Quan hệ với chủ hộ",
]  # fmt: skip
_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=14) | st.sampled_from(
    ["15664", "TH01", "HH001", "Nguyễn Văn An", "Chủ hộ", "Vợ", "Nam", "Nữ", "1980", "038080000001", ""]
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["households", "villages", "clans", "units"]))
def test_any_bytes_as_a_csv_import_give_a_report_or_a_clear_refusal(data: bytes, kind: str) -> None:
    try:
        report = validate_import(kind, io.BytesIO(data), "csv", OPTIONS)
    except DomainError as exc:
        assert 400 <= exc.status < 500
    else:
        assert all(e.message_vi and e.message_en for e in report.entries)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CELL, min_size=11, max_size=11), min_size=1, max_size=12))
def test_any_household_rows_give_a_report_whose_entries_point_at_real_rows(rows: list[list[str]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HOUSEHOLD_HEADER)
    writer.writerows(rows)
    try:
        report = validate_import("households", io.BytesIO(text.getvalue().encode()), "csv", OPTIONS)
    except DomainError as exc:
        assert 400 <= exc.status < 500
        return
    for entry in report.entries:
        assert entry.row is None or 1 <= entry.row <= len(rows) + 1
