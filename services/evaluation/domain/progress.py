"""Progress against a plan's targets: which population a title is counted against, which target is in
force for a year, shares, gaps and the roll-up of counts along the admin tree (evaluation, domain layer).

Pure Python: the counts come from the caller (the report query adapter), so the arithmetic is tested
without a database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.evaluation.domain.plans import Plan, Target

# The register a title's share is taken of (the denominator), and the plan population it stands for.
# Citizens: the citizens of working age (15 and over in the report year) registered in the unit's
# households, standing for "workers in learning families, clans and communities" (see docs/reports.md).
DENOMINATOR = {
    "learning_family": "households",
    "learning_clan": "clans",
    "learning_community_village": "villages",
    "learning_unit": "units",
    "learning_citizen": "citizens",
    "learning_community_commune": "communes",
}
PLAN_POPULATION = {
    "households": "households",
    "clans": "clans",
    "villages": "villages",
    "units": "units",
    "citizens": "workers_in_learning_families_clans_communities",
    "communes": "communes",
}
# Registers known only per commune: below a commune they cannot be split, so village rows leave them out.
COMMUNE_ONLY = frozenset({"clans", "units", "communes"})
WORKING_AGE = 15


@dataclass(frozen=True)
class TargetInForce:
    """The target a year is measured against: the plan's next milestone for the title."""

    year: int
    share: float
    population: str
    source: str | None
    assumed: bool


def target_in_force(plan: Plan, title: str, year: int) -> TargetInForce | None:
    """The title's target with the earliest milestone year at or after ``year`` (the latest one once
    every milestone has passed), for the population the title is counted against; None without any."""
    population = PLAN_POPULATION[DENOMINATOR[title]]
    candidates = [t for t in plan.targets if t.title == title and t.population == population]
    if not candidates:
        return None
    ahead = sorted((t for t in candidates if t.year >= year), key=lambda t: t.year)
    chosen: Target = ahead[0] if ahead else max(candidates, key=lambda t: t.year)
    return TargetInForce(
        year=chosen.year,
        share=chosen.share,
        population=chosen.population,
        source=chosen.source,
        assumed=chosen.assumed,
    )


def target_count(target_share: float | None, population: int | None) -> int | None:
    """How many subjects a target share asks of a population: the share, rounded up (None when either is
    unknown). Rounded against float noise first: 0.85 x 20 is 17, not 18."""
    if target_share is None or population is None:
        return None
    return math.ceil(round(target_share * population, 9))


def figures_dict(recognised: int, population: int | None, target_share: float | None) -> dict[str, object]:
    """`Figures(recognised, population, target_share)` as the report's plain fields, computed in one pass
    (the report builds about a thousand of these: no object, the target count computed once)."""
    wanted = target_count(target_share, population)
    return {
        "recognised": recognised,
        "population": population,
        "share": recognised / population if population else None,
        "target_share": target_share,
        "target_count": wanted,
        "needed": None if wanted is None else max(0, wanted - recognised),
        "met": None if wanted is None else recognised >= wanted,
    }


@dataclass(frozen=True)
class Figures:
    """Recognised subjects out of a population, measured against a target share."""

    recognised: int
    population: int | None  # None: the register cannot be split at this level
    target_share: float | None = None

    @property
    def share(self) -> float | None:
        """Recognised / population (None when there is no population to divide by)."""
        if not self.population:
            return None
        return self.recognised / self.population

    @property
    def target_count(self) -> int | None:
        """How many subjects the target asks for: the share of the population, rounded up."""
        return target_count(self.target_share, self.population)

    @property
    def needed(self) -> int | None:
        """Subjects still to recognise to meet the target (0 once met)."""
        wanted = self.target_count
        return None if wanted is None else max(0, wanted - self.recognised)

    @property
    def met(self) -> bool | None:
        """Whether the target is reached (None when it cannot be told)."""
        wanted = self.target_count
        return None if wanted is None else self.recognised >= wanted

    def plus(self, other: Figures) -> Figures:
        """The figures of two units together (an unknown population stays unknown)."""
        population = (
            None
            if self.population is None or other.population is None
            else self.population + other.population
        )
        return Figures(self.recognised + other.recognised, population, self.target_share)


@dataclass(frozen=True)
class TreeUnit:
    """The part of an admin unit the roll-up needs."""

    code: str
    level: str
    path: str


def ancestor_at(unit: TreeUnit, level: str, levels: Mapping[str, str]) -> str | None:
    """The code of the unit's ancestor (or itself) at ``level``; ``levels`` maps code -> level."""
    for code in unit.path.split("/"):
        if levels.get(code) == level:
            return code
    return None


class Tree:
    """A subtree of units indexed once: each unit's ancestor (or itself) at the report's level."""

    def __init__(self, units: Iterable[TreeUnit], level: str) -> None:
        by_code = {u.code: u for u in units}
        levels = {code: u.level for code, u in by_code.items()}
        self.units = by_code
        self.level = level
        # A unit above ``level`` (a commune in a village breakdown) maps to itself: nothing is lost.
        self._up = {code: ancestor_at(u, level, levels) or code for code, u in by_code.items()}

    def roll_up(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Add counts kept per unit into their ancestors at the tree's level (units outside: ignored)."""
        out: dict[str, int] = {}
        up = self._up
        for code, count in counts.items():
            target = up.get(code)
            if target is not None:
                out[target] = out.get(target, 0) + count
        return out


def roll_up(counts: Mapping[str, int], units: Iterable[TreeUnit], level: str) -> dict[str, int]:
    """Add the counts kept per unit (commune or village) into their ancestors at ``level``.

    A count on a unit above ``level`` (a case known only by its commune in a village breakdown) is kept
    under that unit's own code, so no recognised subject is lost from the totals.
    """
    return Tree(units, level).roll_up(counts)
