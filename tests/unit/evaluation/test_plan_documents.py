"""Plan documents: the shipped seed plans, validation with full problem lists, yearly dates (unit)."""

from __future__ import annotations

import copy
import dataclasses
import functools
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.evaluation.documents.plans import (
    PLANS_DIR,
    PlanInvalid,
    dump_plan,
    load_plan,
    load_plan_directory,
    load_plan_file,
    load_shipped_plans,
    plan_file_name,
    plan_to_yaml,
)
from services.evaluation.domain.plan_calendar import is_working_day, shift_days, year_calendar
from services.evaluation.domain.plan_terms import TITLE_CRITERIA_CODES, MonthDay, Sourced
from services.evaluation.domain.plans import Plan, Target

SEED_FILES = ("trieu-son-2023.yaml", "van-hoa-2023.yaml", "ho-chi-minh-city-2023.yaml")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {plan.code: plan for plan in load_shipped_plans()}


def raw_seed(name: str = "van-hoa-2023.yaml") -> dict[str, Any]:
    return yaml.safe_load((PLANS_DIR / name).read_text(encoding="utf-8"))


def problems_of(document: Any) -> dict[str, list[str]]:
    with pytest.raises(PlanInvalid) as caught:
        load_plan(document)
    return caught.value.errors


def shares(plan: Plan, year: int) -> dict[tuple[str, str], float]:
    return {(t.title, t.population): t.share for t in plan.targets_for(year)}


# --- the shipped seed plans -----------------------------------------------------------------------


def test_the_three_seed_plans_ship_and_load(plans: dict[str, Plan]) -> None:
    assert set(plans) == {"trieu-son-2023", "van-hoa-2023", "ho-chi-minh-city-2023"}
    for plan in plans.values():
        assert plan.version == 1
        assert plan.has_districts  # all three predate the July 2025 reform
        assert {scope.title for scope in plan.titles} == set(TITLE_CRITERIA_CODES)
        assert all(scope.criteria.version == "2023.1" for scope in plan.titles)


@pytest.mark.parametrize("name", SEED_FILES)
def test_seed_files_are_utf8_nfc_with_proper_diacritics(name: str) -> None:
    text = (PLANS_DIR / name).read_bytes().decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert "ƣ" not in text  # the PDF copy of seed 000 renders "ư" as "ƣ"


def test_van_hoa_targets_for_2025_and_2030_are_the_plans_own(plans: dict[str, Plan]) -> None:
    plan = plans["van-hoa-2023"]
    workers, staff = "workers_in_learning_families_clans_communities", "civil_servants_in_learning_units"
    assert shares(plan, 2025) == {
        ("learning_family", "households"): 0.85,
        ("learning_clan", "clans"): 0.85,
        ("learning_community_village", "villages"): 0.90,
        ("learning_unit", "units"): 1.0,
        ("learning_citizen", workers): 0.60,
        ("learning_citizen", staff): 0.70,
    }
    assert shares(plan, 2030) == {
        ("learning_family", "households"): 0.95,
        ("learning_clan", "clans"): 0.90,
        ("learning_community_village", "villages"): 1.0,
        ("learning_unit", "units"): 1.0,
        ("learning_citizen", workers): 0.80,
        ("learning_citizen", staff): 0.90,
    }
    assert not any(target.assumed for target in plan.targets)


def test_van_hoa_calendar_and_rounds(plans: dict[str, Plan]) -> None:
    plan = plans["van-hoa-2023"]
    (report,) = plan.calendar.report_deadlines
    assert (report.due, report.before, report.to_level) == (MonthDay(12, 5), True, "district")
    assert (plan.calendar.decision.quarter, plan.calendar.decision.assumed) == (4, False)
    assert (plan.period.start_year, plan.period.end_year) == (2021, 2030)
    rounds = {r.kind: r for r in plan.award_rounds}
    assert (rounds["so_ket"].year, rounds["so_ket"].quarter) == (2026, 2)
    assert (rounds["tong_ket"].year, rounds["tong_ket"].quarter) == (2030, 4)
    assert plan.levels[-1].count == 8  # 8 thôn


def test_seed_plans_state_no_posting_so_the_default_applies(plans: dict[str, Plan]) -> None:
    # The seed texts set no posting period; the seed files stay byte-identical to their stored version 1
    # (a changed text under the same version would be refused by sync-plans on existing databases).
    for plan in plans.values():
        assert plan.calendar.public_posting is None, plan.code
        assert "public_posting" not in dump_plan(plan)["calendar"]  # canonical form (and sha256) unchanged
        assert "public_posting" not in plan_to_yaml(plan)


@pytest.mark.parametrize(
    ("posting", "path"),
    [
        ({"days": -1, "working_days": True}, "calendar.public_posting.days"),
        ({"days": 91, "working_days": True}, "calendar.public_posting.days"),
        ({"days": 5, "working_days": "yes"}, "calendar.public_posting.working_days"),
        ({"days": 5}, "calendar.public_posting.working_days"),
        ({"days": 5, "working_days": True, "weeks": 1}, "calendar.public_posting.weeks"),
    ],
)
def test_a_bad_public_posting_is_refused_with_its_path(posting: dict[str, Any], path: str) -> None:
    raw = raw_seed()
    raw["calendar"]["public_posting"] = posting
    assert path in problems_of(raw)


def test_a_posting_of_0_days_is_a_plan_without_objection_period() -> None:
    raw = raw_seed()
    raw["calendar"]["public_posting"] = {"days": 0, "working_days": False, "note": "no posting period"}
    plan = load_plan(raw)
    assert (plan.calendar.public_posting.days, plan.calendar.public_posting.working_days) == (0, False)
    assert load_plan(dump_plan(plan)) == plan


def test_a_stated_public_posting_survives_dump_and_load() -> None:
    raw = raw_seed()
    raw["calendar"]["public_posting"] = {"days": 10, "working_days": False, "source": "V.7.d"}
    plan = load_plan(raw)
    assert load_plan(dump_plan(plan)) == plan
    assert (plan.calendar.public_posting.days, plan.calendar.public_posting.working_days) == (10, False)


def test_seed_plans_state_no_end_of_supplements_so_31_12_applies(plans: dict[str, Plan]) -> None:
    for plan in plans.values():
        assert plan.calendar.supplementary_until is None, plan.code
        assert "supplementary_until" not in dump_plan(plan)["calendar"]  # canonical form unchanged


def test_a_stated_end_of_supplements_loads_and_survives_dump_and_load() -> None:
    raw = raw_seed()
    raw["calendar"]["supplementary_until"] = {"day": "15/12", "assumed": True, "note": "xã chốt sớm"}
    plan = load_plan(raw)
    until = plan.calendar.supplementary_until
    assert (until.day, until.assumed, until.note) == (MonthDay(12, 15), True, "xã chốt sớm")
    assert load_plan(dump_plan(plan)) == plan
    assert "supplementary_until" in plan_to_yaml(plan)
    raw["calendar"]["supplementary_until"] = {"day": "01/10"}  # the first day of quarter IV: accepted
    assert load_plan(raw).calendar.supplementary_until.day == MonthDay(10, 1)


@pytest.mark.parametrize(
    ("until", "path"),
    [
        (
            {"day": "30/09"},
            "calendar.supplementary_until.day",
        ),  # before quarter IV, when the decision is taken
        ({"day": "31/02"}, "calendar.supplementary_until.day"),
        ({"day": "15/12", "weeks": 1}, "calendar.supplementary_until.weeks"),
        ({}, "calendar.supplementary_until.day"),
    ],
)
def test_a_bad_end_of_supplements_is_refused_with_its_path(until: dict[str, Any], path: str) -> None:
    raw = raw_seed()
    raw["calendar"]["supplementary_until"] = until
    problems = problems_of(raw)
    assert path in problems, problems
    if until == {"day": "30/09"}:
        assert problems[path] == [
            "Supplementary decisions end before quarter 4 (01/10), when the decision is taken."
        ]
        with pytest.raises(PlanInvalid) as caught:
            load_plan(raw)
        assert caught.value.status == 422


def test_trieu_son_reports_before_06_12_and_reviews_in_2025_and_2030(plans: dict[str, Plan]) -> None:
    plan = plans["trieu-son-2023"]
    (report,) = plan.calendar.report_deadlines
    assert (report.from_level, report.to_level, str(report.due)) == ("village", "commune", "06/12")
    assert "Trung tâm học tập cộng đồng" in report.to_vi
    rounds = {r.kind: r for r in plan.award_rounds}
    assert (rounds["so_ket"].year, rounds["tong_ket"].year) == (2025, 2030)
    authorities = {form.authority for form in rounds["so_ket"].forms}
    assert authorities == {"prime_minister", "ministry_or_province", "agency_or_locality_head"}
    assert [(p.start_year, p.end_year, p.closing_review) for p in plan.period.phases] == [
        (2023, 2025, "so_ket"),
        (2026, 2030, "tong_ket"),
    ]
    assert all(target.assumed for target in plan.targets)  # the plan states none of its own


def test_hcmc_reports_and_rounds(plans: dict[str, Plan]) -> None:
    plan = plans["ho-chi-minh-city-2023"]
    yearly = [r for r in plan.calendar.report_deadlines if r.year is None]
    assert [(str(r.due), r.to_vi) for r in yearly] == [
        ("25/11", "Sở Giáo dục và Đào tạo"),
        ("01/12", "Ủy ban nhân dân Thành phố (thông qua Sở Nội vụ)"),
    ]
    annual = next(r for r in plan.award_rounds if r.kind == "annual" and r.level == "province")
    assert (annual.month, annual.event_vi) == (10, "Tuần lễ hưởng ứng học tập suốt đời")
    so_ket = {r.level: r for r in plan.award_rounds if r.kind == "so_ket"}
    assert (so_ket["agency"].year, so_ket["agency"].quarter, so_ket["agency"].by_latest) == (2025, 3, True)
    assert (so_ket["province"].year, so_ket["province"].quarter) == (2025, 4)
    assert plan.locality.code == "79"
    assert plan.milestones[0].year == 2024 and plan.milestones[0].quarter == 1


def test_every_assumed_record_says_why(plans: dict[str, Plan]) -> None:
    def sourced(value: Any) -> list[Sourced]:
        found = [value] if isinstance(value, Sourced) else []
        if dataclasses.is_dataclass(value):
            for item in dataclasses.fields(value):
                found += sourced(getattr(value, item.name))
        elif isinstance(value, tuple):
            for item in value:
                found += sourced(item)
        return found

    for plan in plans.values():
        assert [r for r in sourced(plan) if r.assumed and not r.note and not r.source] == []


# --- concrete dates ------------------------------------------------------------------------------


def test_year_calendar_gives_concrete_dates(plans: dict[str, Plan]) -> None:
    cal = year_calendar(plans["van-hoa-2023"], 2025)
    assert (cal.self_assessment_opens, cal.self_assessment_closes) == (date(2025, 9, 1), date(2025, 10, 15))
    assert cal.evidence_deadline == date(2025, 10, 31)
    assert (cal.decision_from, cal.decision_by) == (date(2025, 10, 1), date(2025, 12, 31))
    (report,) = cal.reports
    assert (report.deadline, report.last_day) == (date(2025, 12, 5), date(2025, 12, 4))
    assert report.remind_on == date(2025, 12, 1)  # 3 working days before Thursday 4/12


def test_one_off_reports_only_appear_in_their_year(plans: dict[str, Plan]) -> None:
    plan = plans["ho-chi-minh-city-2023"]
    assert [r.deadline for r in year_calendar(plan, 2024).reports] == [
        date(2024, 11, 25),
        date(2024, 12, 1),
        date(2024, 12, 1),
    ]
    assert [r.deadline for r in year_calendar(plan, 2026).reports] == [date(2026, 11, 25), date(2026, 12, 1)]


def test_year_outside_the_period_is_refused(plans: dict[str, Plan]) -> None:
    with pytest.raises(ValueError, match="outside"):
        year_calendar(plans["trieu-son-2023"], 2031)


def test_working_days_skip_weekends_and_days_off() -> None:
    friday = date(2025, 10, 31)
    assert shift_days(friday, 1, working_days=True) == date(2025, 11, 3)
    assert shift_days(friday, 1, working_days=True, days_off={date(2025, 11, 3)}) == date(2025, 11, 4)
    assert shift_days(friday, -5, working_days=True) == date(2025, 10, 24)
    assert shift_days(friday, 3, working_days=False) == date(2025, 11, 3)


# --- invalid plans -------------------------------------------------------------------------------


def test_every_problem_is_listed_with_its_path() -> None:
    raw = raw_seed()
    raw["bogus"] = 1
    raw["targets"][0]["share"] = 1.5
    raw["targets"][7]["share"] = 0.80  # clans 2030 below 0.85 of 2025
    raw["calendar"]["report_deadlines"][0]["due"] = "31/11"
    raw["calendar"]["self_assessment"].update(start="20/10", end="01/10")
    raw["titles"][1]["criteria"]["code"] = "gia-dinh-hoc-tap"
    raw["titles"][2]["criteria"]["code"] = "khong-co"
    raw["titles"].append(copy.deepcopy(raw["titles"][0]))
    raw["escalation"][2]["after_days"] = 1
    raw["award_rounds"][0]["forms"][0]["authority"] = "prime_minister"
    raw["period"]["phases"][1]["start_year"] = 2027
    errors = problems_of(raw)
    assert set(errors) == {
        "bogus",
        "targets[0].share",
        "targets[7].share",
        "calendar.report_deadlines[0].due",
        "calendar.self_assessment.end",
        "titles[1].criteria.code",
        "titles[2].criteria.code",
        "titles[6].title",
        "escalation[2].after_days",
        "award_rounds[0].forms[0].authority",
        "period.phases[1].start_year",
    }
    assert "0.8 in 2030 is below 0.85 in 2025" in errors["targets[7].share"][0]


def test_levels_must_fit_the_plans_shape() -> None:
    raw = raw_seed()
    raw["levels"] = [use for use in raw["levels"] if use["level"] != "district"]  # post-2025 shape
    errors = problems_of(raw)
    assert {
        "locality.parents[0].level",
        "titles[5].decided_by_level",
        "calendar.review_limits[2].level",
        "calendar.report_deadlines[0].to_level",
    } <= set(errors)


def test_a_plan_issued_after_the_reform_cannot_use_districts() -> None:
    raw = raw_seed()
    raw["document"].update(issued_on="2025-08-01", issued_year=2025)
    assert "levels" in problems_of(raw)


def test_escalation_must_climb_and_windows_must_be_ordered() -> None:
    raw = raw_seed("trieu-son-2023.yaml")
    raw["escalation"][1]["level"] = "province"
    raw["calendar"]["evidence_deadline"]["day"] = "10/10"  # before self-assessment closes (15/10)
    raw["calendar"]["decision"]["quarter"] = 3
    errors = problems_of(raw)
    assert "Escalation goes up the levels" in errors["escalation[2].level"][0]
    assert len(errors["calendar.evidence_deadline.day"]) == 2


def test_phase_rounds_and_years_are_checked() -> None:
    raw = raw_seed("ho-chi-minh-city-2023.yaml")
    raw["award_rounds"] = [r for r in raw["award_rounds"] if r["kind"] != "tong_ket"]
    raw["award_rounds"][0]["year"] = 2025  # an annual round has no year
    raw["award_rounds"][0]["month"] = 5  # not in quarter 4
    raw["targets"][0]["year"] = 2035
    errors = problems_of(raw)
    assert {"award_rounds", "award_rounds[0].year", "award_rounds[0].month", "targets[0].year"} <= set(errors)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("code: a\ncode: b\n", ""),
        ("code: [unclosed\n", ""),
        ("- just\n- a list\n", ""),
    ],
)
def test_documents_that_are_not_plan_mappings_are_refused(text: str, path: str) -> None:
    with pytest.raises(PlanInvalid) as caught:
        load_plan(text)
    assert [p.path for p in caught.value.problems] == [path]


def test_decomposed_vietnamese_is_normalised_on_load() -> None:
    raw = raw_seed()
    raw["issuer"]["name_vi"] = unicodedata.normalize("NFD", raw["issuer"]["name_vi"])
    assert load_plan(raw).issuer.name_vi == "Ủy ban nhân dân xã Vạn Hòa"


def test_directory_loading_checks_file_names_and_duplicate_versions(tmp_path: Path) -> None:
    text = (PLANS_DIR / "van-hoa-2023.yaml").read_text(encoding="utf-8")
    (tmp_path / "van-hoa-2023.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "copy.yaml").write_text(text, encoding="utf-8")
    second = yaml.safe_load(text) | {"version": 2}
    (tmp_path / plan_file_name("van-hoa-2023", 2)).write_text(yaml.safe_dump(second), encoding="utf-8")
    with pytest.raises(PlanInvalid) as caught:
        load_plan_directory(tmp_path)
    assert [p.path for p in caught.value.problems] == ["copy.yaml:code"]
    (tmp_path / "copy.yaml").unlink()
    assert [p.key for p in load_plan_directory(tmp_path)] == [("van-hoa-2023", 1), ("van-hoa-2023", 2)]
    assert load_plan_file(tmp_path / "van-hoa-2023@2.yaml").version == 2


def test_the_minimal_example_in_the_format_guide_loads() -> None:
    guide = (Path(__file__).parents[3] / "docs" / "plan-format.md").read_text(encoding="utf-8")
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    plan = load_plan(example)
    assert (plan.key, plan.admin_levels, plan.has_districts) == (
        ("xa-mau-2026", 1),
        ("province", "commune", "village"),
        False,
    )


# --- properties ----------------------------------------------------------------------------------

_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
_TEXT = (
    st.text(alphabet=_LETTERS + _LETTERS.upper() + " ,.-“”0123456789", min_size=1, max_size=40)
    .map(lambda s: " ".join(unicodedata.normalize("NFC", s).split()))
    .filter(bool)
)
_DAYS = st.dates(date(2023, 1, 1), date(2023, 12, 31))


@functools.cache
def _shipped() -> tuple[Plan, ...]:
    return load_shipped_plans()


@st.composite
def plans_derived_from_seeds(draw: st.DrawFn) -> Plan:
    """A seed plan with new names, calendar dates, targets and escalation days (all still valid)."""
    base = draw(st.sampled_from(_shipped()))
    opens, closes, evidence = sorted(draw(st.lists(_DAYS, min_size=3, max_size=3, unique=True)))
    cal = base.calendar
    calendar = dataclasses.replace(
        cal,
        self_assessment=dataclasses.replace(
            cal.self_assessment,
            start=MonthDay(opens.month, opens.day),
            end=MonthDay(closes.month, closes.day),
        ),
        evidence_deadline=dataclasses.replace(
            cal.evidence_deadline, day=MonthDay(evidence.month, evidence.day)
        ),
        decision=dataclasses.replace(cal.decision, quarter=4),
    )
    gaps = draw(st.lists(st.integers(1, 30), min_size=len(base.escalation), max_size=len(base.escalation)))
    escalation = tuple(
        dataclasses.replace(step, after_days=sum(gaps[: i + 1])) for i, step in enumerate(base.escalation)
    )
    year_shares = sorted(draw(st.lists(st.floats(0, 1), min_size=1, max_size=4)))
    years = range(base.period.end_year - len(year_shares) + 1, base.period.end_year + 1)
    targets = tuple(
        Target(title="learning_family", year=year, share=share, population="households", note=draw(_TEXT))
        for year, share in zip(years, year_shares, strict=True)
    )
    issuer = dataclasses.replace(base.issuer, name_vi=draw(_TEXT))
    return dataclasses.replace(
        base, name_vi=draw(_TEXT), issuer=issuer, calendar=calendar, escalation=escalation, targets=targets
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans_derived_from_seeds())
def test_any_valid_plan_survives_dump_and_load(plan: Plan) -> None:
    assert load_plan(dump_plan(plan)) == plan
    assert load_plan(plan_to_yaml(plan)) == plan


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 1), st.floats(0, 1), st.integers(2025, 2029))
def test_any_decreasing_target_is_reported_at_the_later_year(first: float, drop: float, year: int) -> None:
    raw = raw_seed("trieu-son-2023.yaml")
    later = first * drop * 0.999
    raw["targets"] = [
        {"title": "learning_clan", "year": year + 1, "share": later, "population": "clans"},
        {"title": "learning_clan", "year": year, "share": first, "population": "clans"},
    ]
    assert list(problems_of(raw)) == ["targets[0].share"]


@settings(max_examples=60, deadline=None)
@given(_DAYS, st.integers(0, 40), st.sets(_DAYS, max_size=20))
def test_shifting_by_working_days_counts_exactly_that_many(start: date, days: int, off: set[date]) -> None:
    end = shift_days(start, days, working_days=True, days_off=off)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(day, off) for day in between) == days
    assert days == 0 or is_working_day(end, off)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    children: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    return [prefix] + [path for key, child in children for path in _paths(child, (*prefix, key))]


_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.floats() | st.text(max_size=8) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SEED_FILES), st.data(), _JUNK)
def test_any_corrupted_value_gives_plan_invalid_never_a_crash(
    name: str, data: st.DataObject, junk: Any
) -> None:
    raw = raw_seed(name)
    path = data.draw(st.sampled_from(_paths(raw)[1:]))
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    try:
        load_plan(raw)
    except PlanInvalid as exc:
        assert exc.problems and all(problem.message for problem in exc.problems)


@pytest.mark.parametrize("name", SEED_FILES)
def test_any_key_left_out_gives_plan_invalid_or_a_plan_never_a_crash(name: str) -> None:
    """A locality's plan missing any field: required ones are reported by path, optional lists (report
    deadlines, targets, legal bases...) are empty — never a TypeError (which the API would answer 500)."""
    keyed = [path for path in _paths(raw_seed(name))[1:] if isinstance(path[-1], str)]
    loaded = 0
    for path in keyed:
        raw = raw_seed(name)
        node = raw
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        try:
            load_plan(raw)
            loaded += 1
        except PlanInvalid as exc:
            assert exc.problems and all(problem.message for problem in exc.problems), path
    assert loaded  # some fields are optional (e.g. calendar.report_deadlines)


def test_a_plan_without_report_deadlines_has_none() -> None:
    raw = raw_seed("van-hoa-2023.yaml")
    del raw["calendar"]["report_deadlines"]
    assert load_plan(raw).calendar.report_deadlines == ()
