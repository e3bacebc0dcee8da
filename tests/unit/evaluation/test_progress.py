"""The arithmetic of progress against targets: target in force, shares, gaps, roll-up along the tree."""

from __future__ import annotations

import pytest

from services.evaluation.documents.plans import PLANS_DIR, load_plan
from services.evaluation.domain.progress import DENOMINATOR, Figures, TreeUnit, roll_up, target_in_force

VAN_HOA = load_plan((PLANS_DIR / "van-hoa-2023.yaml").read_text(encoding="utf-8"))

UNITS = [
    TreeUnit("38", "province", "38"),
    TreeUnit("15664", "commune", "38/15664"),
    TreeUnit("15664.T1", "village", "38/15664/15664.T1"),
    TreeUnit("15664.T2", "village", "38/15664/15664.T2"),
    TreeUnit("15667", "commune", "38/15667"),
    TreeUnit("15667.T1", "village", "38/15667/15667.T1"),
]


@pytest.mark.parametrize(
    ("year", "target_year", "share"),
    [(2021, 2025, 0.85), (2025, 2025, 0.85), (2026, 2030, 0.95), (2030, 2030, 0.95), (2031, 2030, 0.95)],
)
def test_the_target_in_force_is_the_next_milestone(year: int, target_year: int, share: float) -> None:
    target = target_in_force(VAN_HOA, "learning_family", year)
    assert target is not None and (target.year, target.share) == (target_year, share)
    assert target.source == ("II.2.a" if target_year == 2025 else "II.2.b") and not target.assumed


def test_citizens_are_measured_against_the_workers_target() -> None:
    target = target_in_force(VAN_HOA, "learning_citizen", 2025)
    assert target is not None and target.share == 0.60
    assert target.population == "workers_in_learning_families_clans_communities"


def test_a_title_without_a_target_has_none() -> None:
    assert target_in_force(VAN_HOA, "learning_community_commune", 2025) is None


def test_every_title_has_a_denominator() -> None:
    assert {scope.title for scope in VAN_HOA.titles} <= set(DENOMINATOR)


@pytest.mark.parametrize(
    ("recognised", "population", "target", "share", "count", "needed", "met"),
    [
        (17, 20, 0.85, 0.85, 17, 0, True),  # 0.85 x 20 is 17, not 18 (float noise rounded away)
        (16, 20, 0.85, 0.8, 17, 1, False),
        (3, 6, 0.70, 0.5, 5, 2, False),  # 4.2 households rounds up to 5
        (7, 7, 1.0, 1.0, 7, 0, True),
        (0, 0, 0.9, None, 0, 0, True),  # nobody to recognise: nothing is missing
        (2, None, 0.9, None, None, None, None),  # register not kept at this level
        (5, 10, None, 0.5, None, None, None),  # no target
    ],
)
def test_figures(
    recognised: int,
    population: int | None,
    target: float | None,
    share: float | None,
    count: int | None,
    needed: int | None,
    met: bool | None,
) -> None:
    f = Figures(recognised, population, target)
    assert (f.share, f.target_count, f.needed, f.met) == (share, count, needed, met)


def test_figures_add_up_and_unknown_stays_unknown() -> None:
    total = Figures(3, 4, 0.7).plus(Figures(2, 6, 0.7))
    assert (total.recognised, total.population, total.target_count) == (5, 10, 7)
    assert Figures(1, 4).plus(Figures(1, None)).population is None


def test_roll_up_villages_to_communes_and_province() -> None:
    counts = {"15664.T1": 3, "15664.T2": 4, "15667.T1": 1, "15667": 2}
    assert roll_up(counts, UNITS, "commune") == {"15664": 7, "15667": 3}
    assert roll_up(counts, UNITS, "province") == {"38": 10}
    # A count kept above the requested level stays under its own code: nothing is lost.
    assert roll_up(counts, UNITS, "village") == {"15664.T1": 3, "15664.T2": 4, "15667.T1": 1, "15667": 2}


def test_roll_up_ignores_units_outside_the_subtree() -> None:
    assert roll_up({"99999": 5, "15664": 1}, UNITS[1:4], "commune") == {"15664": 1}
