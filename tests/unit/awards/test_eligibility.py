"""Eligibility rules as data: each check, every unmet rule listed, priorities, and properties of streaks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.awards.adapters.catalog import shipped_catalog
from services.awards.domain import eligibility as el

RULES = shipped_catalog().rules
GK, PM = "giay_khen:commune_chairman", "bang_khen:prime_minister"
CLEAN = {"discipline": False, "inspection": False, "complaint": False}


def facts(**kw: object) -> el.Facts:
    base: dict[str, object] = {
        "nominee_kind": "household",
        "form_key": GK,
        "round_year": 2026,
        "round_recipients": ("collective", "household", "individual"),
        "declarations": CLEAN,
    }
    return el.Facts(**{**base, **kw})  # type: ignore[arg-type]


def recs(*years: int, title: str = "learning_family", revoked: bool = False) -> tuple[el.Recognition, ...]:
    return tuple(el.Recognition(title, y, revoked) for y in years)


def unmet(f: el.Facts) -> list[str]:
    return [u.rule for u in el.evaluate(RULES, f)]


def test_two_consecutive_years_ending_last_year_or_this_year_make_a_household_eligible() -> None:
    assert unmet(facts(recognitions=recs(2024, 2025))) == []
    assert unmet(facts(recognitions=recs(2025, 2026))) == []


def test_a_broken_streak_a_revoked_year_and_no_history_are_refused_with_what_was_found() -> None:
    assert unmet(facts(recognitions=recs(2023, 2025))) == ["recognised_2_consecutive_years"]
    assert unmet(facts(recognitions=recs(2024) + recs(2025, revoked=True))) == [
        "recognised_2_consecutive_years"
    ]
    [u] = el.evaluate(RULES, facts())
    assert u.detail == {"required_years": 2, "consecutive_years": 0} and u.message_vi.startswith("Chưa")


def test_every_unmet_rule_is_listed_in_document_order() -> None:
    f = facts(
        nominee_kind="individual",
        form_key=PM,
        round_recipients=("collective",),
        recognitions=recs(2025),
        declarations={"inspection": True},
        initiatives=("SK-1",),
        used_initiatives=frozenset({"SK-1"}),
    )
    assert unmet(f) == [
        "recipient_kind",
        "recognised_5_consecutive_years",
        "province_or_ministry_award_first",
        "no_pending_discipline_inspection_complaint",
        "initiative_counts_once",
    ]


def test_the_prime_ministers_form_needs_a_recent_province_or_ministry_award() -> None:
    five = recs(2021, 2022, 2023, 2024, 2025)
    assert unmet(facts(form_key=PM, recognitions=five)) == ["province_or_ministry_award_first"]
    old = (el.PriorAward("bang_khen", "province", 2019),)
    assert unmet(facts(form_key=PM, recognitions=five, prior_awards=old)) == [
        "province_or_ministry_award_first"
    ]
    giay = (el.PriorAward("giay_khen", "commune_chairman", 2024),)
    assert unmet(facts(form_key=PM, recognitions=five, prior_awards=giay)) == [
        "province_or_ministry_award_first"
    ]
    recent = (el.PriorAward("bang_khen", "ministry", 2024),)
    assert unmet(facts(form_key=PM, recognitions=five, prior_awards=recent)) == []


def test_pending_matters_and_undeclared_ones_block() -> None:
    [u] = el.evaluate(RULES, facts(recognitions=recs(2024, 2025), declarations={"discipline": False}))
    assert u.rule == "no_pending_discipline_inspection_complaint"
    assert u.detail == {"pending": ["inspection", "complaint"]}


def test_an_initiative_counts_once_across_awards_and_within_a_nomination() -> None:
    ok = facts(recognitions=recs(2024, 2025), initiatives=("A", "B"), used_initiatives=frozenset({"C"}))
    assert unmet(ok) == []
    [u] = el.evaluate(
        RULES,
        facts(recognitions=recs(2024, 2025), initiatives=("A", "B", "A"), used_initiatives=frozenset({"B"})),
    )
    assert u.detail == {"reused_initiatives": ["A", "B"]}


def test_recognitions_in_a_period_count_distinct_unrevoked_years() -> None:
    rule = el.Rule("period", "recognitions_in_period", "vi", "en", params={"years": 3, "from_year": 2023})
    rules = el.RuleSet("t", (rule,))
    assert el.evaluate(rules, facts(recognitions=recs(2023, 2025, 2026))) == []
    [u] = el.evaluate(rules, facts(recognitions=recs(2022, 2023, 2025) + recs(2024, revoked=True)))
    assert u.detail == {"required_years": 3, "from_year": 2023, "years": [2023, 2025]}


def test_priority_adds_the_weights_of_flags_and_kind() -> None:
    assert el.priority(RULES, facts(priority_flags=("direct_worker", "ethnic_minority"))) == 4
    assert el.priority(RULES, facts(nominee_kind="collective")) == 0


def test_a_malformed_rules_document_lists_every_problem() -> None:
    doc = {
        "rules": [
            {"id": "a", "check": "nope", "message_vi": "x", "message_en": "x"},
            {"id": "a", "check": "no_pending", "message_vi": "x", "message_en": "x"},
            {"check": "no_pending"},
        ],
        "priorities": [{"flag": "x"}],
    }
    try:
        el.parse_rules(doc)
    except el.RulesInvalid as exc:
        assert len(exc.problems) == 4
        assert any("unknown check 'nope'" in p for p in exc.problems)
        assert any("duplicate id 'a'" in p for p in exc.problems)
    else:
        raise AssertionError("accepted a malformed document")


years = st.sets(st.integers(min_value=2015, max_value=2030), max_size=16)


@given(years, st.integers(min_value=2015, max_value=2030))
def test_a_streak_is_consecutive_and_maximal(held: set[int], last: int) -> None:
    n = el.streak_ending(held, last)
    assert all(last - i in held for i in range(n))
    assert last - n not in held


@given(years, st.integers(min_value=1, max_value=6))
def test_the_streak_rule_agrees_with_the_streak(held: set[int], need: int) -> None:
    rules = el.RuleSet("t", (el.Rule("s", "consecutive_recognitions", "vi", "en", params={"years": need}),))
    f = facts(recognitions=recs(*sorted(held)))
    best = max(el.streak_ending(held, 2026), el.streak_ending(held, 2025))
    assert (el.evaluate(rules, f) == []) == (best >= need)


@given(
    st.lists(st.sampled_from(["A", "B", "C", "D"]), max_size=6),
    st.frozensets(st.sampled_from(["A", "B", "C", "D"])),
)
def test_initiatives_pass_exactly_when_distinct_and_unused(cited: list[str], used: frozenset[str]) -> None:
    rules = el.RuleSet("t", (el.Rule("i", "initiative_once", "vi", "en"),))
    ok = el.evaluate(rules, facts(initiatives=tuple(cited), used_initiatives=used)) == []
    assert ok == (len(set(cited)) == len(cited) and not set(cited) & used)


@given(st.dictionaries(st.sampled_from(el.PENDING_FLAGS), st.booleans()))
def test_only_all_three_declared_false_passes_the_pending_rule(declared: dict[str, bool]) -> None:
    rules = el.RuleSet("t", (el.Rule("p", "no_pending", "vi", "en"),))
    ok = el.evaluate(rules, facts(declarations=declared)) == []
    assert ok == (len(declared) == 3 and not any(declared.values()))
