"""Unit tests of criteria set documents: schemas, cross-field checks, shipped catalog (documents layer)."""

from __future__ import annotations

import copy
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.errors import ValidationFailed
from services.evaluation.documents.criteria import (
    SHIPPED_DIR,
    CriteriaDocumentError,
    CriteriaSetNotFound,
    get_criteria_set,
    load_catalog,
    load_criteria_set,
    shipped_catalog,
)
from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE, TITLE_NAMES_EN, TITLE_NAMES_VI, TITLES

SHIPPED_KEYS = {
    "cong-dan-hoc-tap@2023.1",
    "gia-dinh-hoc-tap@2023.1",
    "dong-ho-hoc-tap@2023.1",
    "cong-dong-hoc-tap-thon@2023.1",
    "don-vi-hoc-tap-xa@2023.1",
    "cong-dong-hoc-tap-xa@2023.1",
}


def _doc() -> dict[str, Any]:
    """A small valid document, for tests to break one way at a time."""
    return {
        "code": "gia-dinh-hoc-tap-thu",
        "version": "2024.1",
        "title": "learning_family",
        "name_vi": "Gia đình học tập (thử)",
        "name_en": "Learning Family (test)",
        "issuer": "Hội Khuyến học xã",
        "legal_basis": ["Kế hoạch thử"],
        "status": "official",
        "valid_from": 2024,
        "valid_to": 2030,
        "subject_kind": "household",
        "rules": {
            "pass_total": 15,
            "min_points_per_indicator": 2,
            "dependencies": [{"title": "learning_citizen", "min_share": 0.5}],
        },
        "criteria": [
            {
                "code": "1",
                "name_vi": "Tiêu chí 1",
                "name_en": "Criterion 1",
                "indicators": [
                    {
                        "code": "1.1",
                        "name_vi": "Chỉ số",
                        "name_en": "Ind",
                        "max_points": 10,
                        "scored_by": ["self"],
                    },
                    {
                        "code": "1.2",
                        "name_vi": "Chỉ số",
                        "name_en": "Ind",
                        "max_points": 10,
                        "scored_by": ["self", "village"],
                        "evidence": {"kinds": ["photo"], "min_count": 2},
                    },
                ],
            }
        ],
    }


def _problems(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(CriteriaDocumentError) as info:
        load_criteria_set(document, origin="test.yaml")
    return [(p.path, p.message) for p in info.value.problems]


def _paths(document: Any) -> list[str]:
    return [path for path, _ in _problems(document)]


# --- shipped sets -------------------------------------------------------------------------------------


def test_every_shipped_set_loads() -> None:
    catalog = load_catalog()
    assert {s.key for s in catalog} == SHIPPED_KEYS
    assert {s.title for s in catalog} == set(TITLES)


def test_every_title_has_a_subject_kind_and_display_names() -> None:
    assert set(SUBJECT_KIND_BY_TITLE) == set(TITLE_NAMES_VI) == set(TITLE_NAMES_EN) == set(TITLES)


def test_a_set_knows_the_years_it_applies_to_and_each_indicators_minimum() -> None:
    unit = get_criteria_set("don-vi-hoc-tap-xa", "2023.1")
    assert [unit.valid_in(year) for year in (2023, 2024, 2030, 2031)] == [False, True, True, False]
    commune = get_criteria_set("cong-dong-hoc-tap-xa", "2023.1")
    assert commune.min_points_of(commune.indicators_for()[0]) is None


def test_shipped_files_are_named_after_code_and_version_and_are_nfc() -> None:
    for path in SHIPPED_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name
        data = yaml.safe_load(text)
        assert path.name == f"{data['code']}@{data['version']}.yaml"


def test_shipped_sets_say_honestly_what_is_illustrative() -> None:
    for criteria_set in shipped_catalog():
        assert criteria_set.status in {"official", "illustrative"}
        if criteria_set.status == "illustrative":
            assert "minh họa" in criteria_set.note and "illustrative" in criteria_set.note
        assert criteria_set.subject_kind == SUBJECT_KIND_BY_TITLE[criteria_set.title]


def test_citizen_set_carries_the_qd_324_rule_for_four_groups() -> None:
    citizen = get_criteria_set("cong-dan-hoc-tap", "2023.1")
    assert citizen.group_codes == ("resident", "worker", "official", "student")
    assert (citizen.rules.pass_total, citizen.rules.min_points_per_indicator) == (80, 5)
    assert any("324/QĐ-KHVN" in basis for basis in citizen.legal_basis)
    for group in citizen.groups:
        assert [c.code for c in group.criteria] == ["1", "2", "3"]
        assert citizen.max_total(group.code) == 100


def test_family_set_starts_with_childrens_learning_as_three_10_point_indicators() -> None:
    family = get_criteria_set("gia-dinh-hoc-tap", "2023.1")
    first = family.criteria[0]
    assert [i.max_points for i in first.indicators] == [10, 10, 10]
    assert family.max_total() == 100
    assert [(d.title, d.min_share) for d in family.rules.dependencies] == [("learning_citizen", 0.5)]


def test_clan_and_village_sets_depend_on_learning_families() -> None:
    for code in ("dong-ho-hoc-tap", "cong-dong-hoc-tap-thon"):
        criteria_set = get_criteria_set(code, "2023.1")
        assert [d.title for d in criteria_set.rules.dependencies] == ["learning_family"]
        assert criteria_set.max_total() == 100


def test_unit_set_has_two_levels_three_year_validity_and_tt22_bands() -> None:
    unit = get_criteria_set("don-vi-hoc-tap-xa", "2023.1")
    assert [c.max_points for c in unit.criteria] == [30, 30, 40]
    assert [(lv.level, lv.dependencies[0].min_share) for lv in unit.rules.levels] == [(1, 0.9), (2, 0.95)]
    assert unit.rules.validity_years == 3
    assert [(b.code, b.min_total) for b in unit.rules.bands] == [("tot", 85), ("kha", 70), ("trung-binh", 50)]


def test_commune_community_set_is_judged_met_or_not_met_on_three_criteria() -> None:
    commune = get_criteria_set("cong-dong-hoc-tap-xa", "2023.1")
    assert len(commune.criteria) == 3
    assert all(i.is_pass_fail for i in commune.indicators_for())
    assert commune.rules.pass_total is None


def test_looking_up_an_unknown_set_or_version_raises_not_found() -> None:
    with pytest.raises(CriteriaSetNotFound) as info:
        get_criteria_set("cong-dan-hoc-tap", "1999.1")
    assert info.value.status == 404
    with pytest.raises(CriteriaSetNotFound):
        shipped_catalog().latest("khong-co")


def test_a_locality_replaces_a_shipped_set_by_adding_a_new_version_file(tmp_path: Path) -> None:
    for path in SHIPPED_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    newer = yaml.safe_load((SHIPPED_DIR / "gia-dinh-hoc-tap@2023.1.yaml").read_text(encoding="utf-8"))
    newer.update(version="2025.1", status="official", valid_from=2025, note="Bộ chính thức của tỉnh.")
    newer["rules"]["pass_total"] = 85
    (tmp_path / "gia-dinh-hoc-tap@2025.1.yaml").write_text(yaml.safe_dump(newer, allow_unicode=True), "utf-8")
    catalog = load_catalog(tmp_path)
    assert catalog.latest("gia-dinh-hoc-tap").version == "2025.1"
    assert catalog.latest("gia-dinh-hoc-tap", year=2024).version == "2023.1"
    assert catalog.get("gia-dinh-hoc-tap", "2023.1").rules.pass_total == 80
    assert len(catalog.for_title("learning_family")) == 2


def test_the_small_valid_document_loads_into_the_domain_model() -> None:
    criteria_set = load_criteria_set(_doc())
    indicator = criteria_set.criteria[0].indicators[1]
    assert indicator.evidence is not None and indicator.evidence.min_count == 2
    assert indicator.required and indicator.scored_by == ("self", "village")
    assert criteria_set.min_points_of(indicator) == 2
    assert criteria_set.key == "gia-dinh-hoc-tap-thu@2024.1"


# --- invalid documents: every problem, with its path ----------------------------------------------------


def test_schema_problems_are_all_listed_with_their_paths() -> None:
    doc = _doc()
    del doc["name_vi"]
    doc["title"] = "learning_village"
    doc["version"] = 2024.1
    indicator = doc["criteria"][0]["indicators"][0]
    indicator["max_points"] = "ten"
    indicator["max_point"] = 10
    indicator["scored_by"] = ["mayor"]
    doc["criteria"][0]["indicators"][1]["evidence"]["kinds"] = ["video"]
    assert _paths(doc) == [
        "criteria.0.indicators.0.max_point",
        "criteria.0.indicators.0.max_points",
        "criteria.0.indicators.0.scored_by.0",
        "criteria.0.indicators.1.evidence.kinds.0",
        "name_vi",
        "title",
        "version",
    ]


def test_a_bool_is_not_accepted_as_points() -> None:
    doc = _doc()
    doc["criteria"][0]["indicators"][0]["max_points"] = True
    assert _paths(doc) == ["criteria.0.indicators.0.max_points"]


def test_duplicate_codes_are_rejected() -> None:
    doc = _doc()
    doc["criteria"][0]["indicators"][1]["code"] = "1.1"
    doc["criteria"].append(copy.deepcopy(doc["criteria"][0]))
    for i, indicator in enumerate(doc["criteria"][1]["indicators"]):
        indicator["code"] = f"2.{i}"
    problems = _problems(doc)
    assert [p for p, _ in problems] == ["criteria.0.indicators.1.code", "criteria.1"]
    assert "already used at criteria.0.indicators.0" in problems[0][1]


def test_min_points_above_max_points_is_rejected() -> None:
    doc = _doc()
    doc["criteria"][0]["indicators"][0]["min_points"] = 11
    doc["rules"]["min_points_per_indicator"] = 12
    assert _paths(doc) == ["criteria.0.indicators.0.min_points", "criteria.0.indicators.1.max_points"]


def test_pass_total_above_the_points_available_is_rejected() -> None:
    doc = _doc()
    doc["rules"]["pass_total"] = 21
    problems = _problems(doc)
    assert problems == [("rules.pass_total", "pass_total 21 is above the 20 points available.")]


def test_pass_total_is_checked_against_each_group() -> None:
    doc = _doc()
    doc.update(title="learning_citizen", subject_kind="citizen")
    criteria = doc.pop("criteria")
    doc["rules"]["dependencies"] = []
    small = copy.deepcopy(criteria)
    del small[0]["indicators"][1]
    doc["groups"] = [
        {"code": "resident", "name_vi": "Người dân", "name_en": "Residents", "criteria": criteria},
        {"code": "worker", "name_vi": "Người lao động", "name_en": "Workers", "criteria": small},
    ]
    problems = _problems(doc)
    assert problems == [
        ("rules.pass_total", "pass_total 15 is above the 10 points available (group worker).")
    ]


def test_an_indicator_needs_exactly_one_of_points_or_pass_fail() -> None:
    doc = _doc()
    doc["criteria"][0]["indicators"][0]["pass_fail"] = True
    del doc["criteria"][0]["indicators"][1]["max_points"]
    assert _paths(doc) == ["criteria.0.indicators.0", "criteria.0.indicators.1"]


def test_dependencies_must_name_known_titles_and_not_the_sets_own() -> None:
    doc = _doc()
    doc["rules"]["dependencies"] = [
        {"title": "learning_family", "min_share": 0.5},
        {"title": "learning_planet", "min_share": 0.5},
        {"title": "learning_citizen", "min_share": 1.5},
    ]
    assert _paths(doc) == [
        "rules.dependencies.0.title",
        "rules.dependencies.1.title",
        "rules.dependencies.2.min_share",
    ]


def test_levels_must_be_numbered_in_order_and_ask_more_as_they_rise() -> None:
    doc = _doc()
    share = [{"title": "learning_citizen", "min_share": 0.95}]
    doc["rules"]["levels"] = [
        {"level": 1, "name_vi": "Mức 1", "name_en": "L1", "min_total": 18, "dependencies": share},
        {"level": 3, "name_vi": "Mức 2", "name_en": "L2", "min_total": 16},
    ]
    assert _paths(doc) == ["rules.levels.1.dependencies", "rules.levels.1.level", "rules.levels.1.min_total"]


def test_top_level_consistency_checks_are_all_reported() -> None:
    doc = _doc()
    doc.update(status="illustrative", subject_kind="clan", valid_to=2020)
    doc["groups"] = [{"code": "resident", "name_vi": "N", "name_en": "R", "criteria": doc["criteria"]}]
    doc["rules"]["bands"] = [
        {"code": "tot", "name_vi": "Tốt", "name_en": "Good", "min_total": 18},
        {"code": "tot", "name_vi": "Tốt", "name_en": "Good", "min_total": 30},
    ]
    assert _paths(doc) == [
        "criteria",
        "note",
        "rules.bands.1",
        "rules.bands.1.min_total",
        "rules.bands.1.min_total",
        "subject_kind",
        "valid_to",
    ]


def test_citizen_groups_must_be_the_four_known_groups() -> None:
    doc = _doc()
    doc.update(title="learning_citizen", subject_kind="citizen")
    doc["rules"]["dependencies"] = []
    doc["groups"] = [
        {"code": "farmer", "name_vi": "Nông dân", "name_en": "Farmers", "criteria": doc.pop("criteria")}
    ]
    assert _paths(doc) == ["groups.0.code"]


def test_schema_and_cross_field_problems_come_together() -> None:
    doc = _doc()
    doc["issuer"] = ""
    doc["criteria"][0]["indicators"][0]["min_points"] = 12
    doc["criteria"][0]["indicators"][1]["code"] = "1.1"
    assert _paths(doc) == ["criteria.0.indicators.0.min_points", "criteria.0.indicators.1.code", "issuer"]


def test_a_check_whose_input_was_rejected_raises_no_false_alarm() -> None:
    doc = _doc()
    doc["criteria"][0]["indicators"][0]["max_points"] = "ten"
    # pass_total 15 is below the 20 points declared, but only 10 were readable: no pass_total error.
    assert _paths(doc) == ["criteria.0.indicators.0.max_points"]


def test_the_error_is_a_422_with_field_errors_and_vietnamese_messages() -> None:
    doc = _doc()
    del doc["issuer"]
    with pytest.raises(CriteriaDocumentError) as info:
        load_criteria_set(doc, origin="x.yaml")
    error = info.value
    assert isinstance(error, ValidationFailed) and error.status == 422
    assert error.errors == {"issuer": ["Missing data for required field."]}
    assert error.problems[0].message_vi == "Thiếu trường bắt buộc."
    assert "x.yaml" in error.message_vi


def test_yaml_syntax_errors_name_the_line() -> None:
    problems = _problems("code: a\nname_vi: [unclosed\n")
    assert problems[0][0] == "" and "line" in problems[0][1]


def test_a_document_that_is_not_a_mapping_is_rejected() -> None:
    assert _paths("- just\n- a list\n") == [""]


def test_decomposed_vietnamese_text_is_normalised_to_nfc() -> None:
    doc = _doc()
    doc["name_vi"] = unicodedata.normalize("NFD", "Gia đình học tập")
    assert load_criteria_set(doc).name_vi == unicodedata.normalize("NFC", "Gia đình học tập")


def test_a_catalog_reports_every_bad_file_and_misnamed_file(tmp_path: Path) -> None:
    (tmp_path / "gia-dinh-hoc-tap-thu@2024.1.yaml").write_text(yaml.safe_dump(_doc(), allow_unicode=True))
    misnamed = _doc() | {"version": "2024.2"}
    (tmp_path / "sai-ten@2024.2.yaml").write_text(yaml.safe_dump(misnamed, allow_unicode=True))
    broken = _doc() | {"status": "draft"}
    (tmp_path / "hong@2024.1.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True))
    with pytest.raises(CriteriaDocumentError) as info:
        load_catalog(tmp_path)
    assert [p.path for p in info.value.problems] == ["hong@2024.1.yaml:status", "sai-ten@2024.2.yaml:"]


def test_a_key_written_twice_is_reported_instead_of_silently_overwritten() -> None:
    text = yaml.safe_dump(_doc(), allow_unicode=True, sort_keys=False).replace(
        "issuer:", "issuer: Hội Khuyến học tỉnh\nissuer:", 1
    )
    problems = _problems(text)
    assert len(problems) == 1 and problems[0][0] == ""
    assert "'issuer' appears twice" in problems[0][1]


def test_problems_are_reported_in_natural_path_order() -> None:
    doc = _doc()
    indicators = doc["criteria"][0]["indicators"]
    for n in range(2, 12):
        indicators.append(indicators[0] | {"code": f"1.{n + 1}", "max_points": 1, "min_points": 5})
    doc["rules"]["pass_total"] = 0
    paths = _paths(doc)
    assert paths[-2:] == ["criteria.0.indicators.10.min_points", "criteria.0.indicators.11.min_points"]


def test_the_example_in_the_format_guide_is_a_valid_document() -> None:
    guide = Path(__file__).resolve().parents[3] / "docs" / "criteria-format.md"
    example = guide.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    criteria_set = load_criteria_set(example, origin=guide.name)
    assert criteria_set.key == "gia-dinh-hoc-tap-xa-van-hoa@2025.1"
    assert criteria_set.status == "official"
