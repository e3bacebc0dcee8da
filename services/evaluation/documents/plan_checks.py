"""Cross-field checks of a plan document: levels, period, titles, targets (evaluation, documents layer).

The checks read the raw mapping, not the loaded model, so that they still run, and still report
with exact list indices, when some fields failed their own validation: an author gets every
problem of a plan in one pass. Unreadable values are skipped here, the schemas report them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.evaluation.documents.plan_schemas import parse_month_day
from services.evaluation.domain import plan_terms as t

_RANK = {level: index for index, level in enumerate(t.ADMIN_LEVELS)}  # 0 is the top (province)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a plan document: where (a dotted path with list indices) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<document>'}: {self.message}"


@dataclass(frozen=True)
class Context:
    """Facts read once from the raw plan that several checks need (None when unreadable)."""

    levels: tuple[str, ...] | None
    period: tuple[int, int] | None
    titles: frozenset[str] | None

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Context:
        """Read the shared facts from a raw plan mapping."""
        level_entries = list(entries(raw, "levels"))
        levels = tuple(lvl for _, e in level_entries if (lvl := text(e.get("level"))) in _RANK)
        start, end = integer(get(raw, "period", "start_year")), integer(get(raw, "period", "end_year"))
        titles = frozenset(text(e.get("title")) or "" for _, e in entries(raw, "titles")) - {""}
        return cls(
            levels=levels or None,
            period=(start, end) if start is not None and end is not None else None,
            titles=titles if isinstance(raw.get("titles"), list) else None,
        )

    def level_known(self, level: str | None, *, agency_ok: bool = False) -> bool:
        """Whether ``level`` is one the plan uses (or nothing can be said about it)."""
        if level is None or self.levels is None or (agency_ok and level == "agency"):
            return True
        return level not in _RANK or level in self.levels

    def in_period(self, year: int | None) -> bool:
        """Whether ``year`` lies in the plan period (or nothing can be said about it)."""
        return year is None or self.period is None or self.period[0] <= year <= self.period[1]


def get(raw: Any, *keys: str) -> Any:
    """A nested value, or None when any step is missing or not a mapping."""
    for key in keys:
        if not isinstance(raw, Mapping):
            return None
        raw = raw.get(key)
    return raw


def entries(raw: Any, *keys: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(path, item) for each mapping item of the list at ``keys``; other items are skipped."""
    items = get(raw, *keys)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield f"{'.'.join(keys)}[{index}]", item


def integer(value: Any) -> int | None:
    """An int that is really an int (YAML true is not 1 here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number(value: Any) -> float | None:
    """An int or float, as float."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def text(value: Any) -> str | None:
    """A string, stripped, or None."""
    return value.strip() if isinstance(value, str) else None


def month_day(value: Any) -> t.MonthDay | None:
    """A "dd/mm" value, or None."""
    return parse_month_day(value)


def a_date(value: Any) -> date | None:
    """A YAML date or ISO date string, or None."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None


def rank(level: str | None) -> int | None:
    """0 for province down to 3 for village; None for agency or unknown."""
    return _RANK.get(level or "")


def check_structure(raw: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Problems in levels, period, titles and targets."""
    return [*_levels(raw, ctx), *_period(raw), *_titles(raw, ctx), *_targets(raw, ctx)]


def _levels(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    seen: list[str] = []
    for path, entry in entries(raw, "levels"):
        level = text(entry.get("level"))
        if level not in _RANK:
            continue
        if level in seen:
            yield Problem(f"{path}.level", f"Level '{level}' is listed twice.")
        elif seen and _RANK[level] < _RANK[seen[-1]]:
            yield Problem(f"{path}.level", "Levels must run top down: province, district, commune, village.")
        seen.append(level)
    issued = a_date(get(raw, "document", "issued_on"))
    year = integer(get(raw, "document", "issued_year"))
    late = (issued is not None and issued >= t.DISTRICTS_ABOLISHED_ON) or (year is not None and year > 2025)
    if "district" in seen and late:
        yield Problem("levels", "A plan issued from 01/07/2025 on cannot use the district level (two-tier).")
    issuer_level = text(get(raw, "issuer", "level"))
    if not ctx.level_known(issuer_level, agency_ok=True):
        yield Problem("issuer.level", f"The issuer's level '{issuer_level}' is not among the plan's levels.")
    yield from _locality(raw, ctx)


def _locality(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    level = text(get(raw, "locality", "level"))
    if not ctx.level_known(level):
        yield Problem("locality.level", f"The locality's level '{level}' is not among the plan's levels.")
    below = rank(level)
    for path, parent in entries(raw, "locality", "parents"):
        parent_level = text(parent.get("level"))
        parent_rank = rank(parent_level)
        if parent_rank is None:
            continue
        if not ctx.level_known(parent_level):
            yield Problem(f"{path}.level", f"Level '{parent_level}' is not among the plan's levels.")
        if below is not None and parent_rank >= below:
            yield Problem(f"{path}.level", "Parents must be above the locality, nearest first.")
        below = parent_rank


def _period(raw: Mapping[str, Any]) -> Iterator[Problem]:
    start, end = integer(get(raw, "period", "start_year")), integer(get(raw, "period", "end_year"))
    if start is not None and end is not None and start > end:
        yield Problem("period.end_year", "The period must not end before it starts.")
    phases = list(entries(raw, "period", "phases"))
    expected_start = start
    for index, (path, phase) in enumerate(phases):
        first, last = integer(phase.get("start_year")), integer(phase.get("end_year"))
        if integer(phase.get("number")) not in (None, index + 1):
            yield Problem(f"{path}.number", "Phases must be numbered 1, 2, ... in order.")
        if first is not None and last is not None and first > last:
            yield Problem(f"{path}.end_year", "A phase must not end before it starts.")
        if first is not None and expected_start is not None and first != expected_start:
            yield Problem(f"{path}.start_year", f"Phases must follow each other; expected {expected_start}.")
        expected_start = last + 1 if last is not None else None
        review = text(phase.get("closing_review"))
        wanted = "tong_ket" if index == len(phases) - 1 else "so_ket"
        if review in t.PHASE_REVIEWS and review != wanted:
            yield Problem(f"{path}.closing_review", f"This phase closes with a {wanted} review.")
    if phases and end is not None and expected_start is not None and expected_start - 1 != end:
        yield Problem(f"{phases[-1][0]}.end_year", "The last phase must end with the period.")
    yield from _document_dates(raw, end)


def _document_dates(raw: Mapping[str, Any], period_end: int | None) -> Iterator[Problem]:
    year = integer(get(raw, "document", "issued_year"))
    issued = a_date(get(raw, "document", "issued_on"))
    if year is not None and issued is not None and issued.year != year:
        yield Problem("document.issued_year", "The issue year differs from the issue date.")
    if year is not None and period_end is not None and year > period_end:
        yield Problem("document.issued_year", "A plan cannot be issued after its period ends.")


def _titles(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    seen: set[str] = set()
    for path, entry in entries(raw, "titles"):
        title = text(entry.get("title"))
        if title in seen:
            yield Problem(f"{path}.title", f"Title '{title}' is listed twice.")
        seen.add(title or "")
        code = text(get(entry, "criteria", "code"))
        expected = t.TITLE_CRITERIA_CODES.get(title or "")
        if expected and code in t.KNOWN_CRITERIA_CODES and code != expected:
            yield Problem(
                f"{path}.criteria.code", f"Title '{title}' is judged by '{expected}', not '{code}'."
            )
        level = text(entry.get("decided_by_level"))
        if not ctx.level_known(level):
            yield Problem(f"{path}.decided_by_level", f"Level '{level}' is not among the plan's levels.")


def _targets(raw: Mapping[str, Any], ctx: Context) -> Iterator[Problem]:
    series: dict[tuple[str, str], list[tuple[int, float, str]]] = {}
    for path, entry in entries(raw, "targets"):
        title, population = text(entry.get("title")), text(entry.get("population"))
        year, share = integer(entry.get("year")), number(entry.get("share"))
        if ctx.titles is not None and title in t.TITLE_POPULATIONS and title not in ctx.titles:
            yield Problem(f"{path}.title", f"Title '{title}' is not in the plan's titles.")
        allowed = t.TITLE_POPULATIONS.get(title or "", ())
        if allowed and population and population not in allowed:
            yield Problem(f"{path}.population", f"A '{title}' target counts one of: {', '.join(allowed)}.")
        if not ctx.in_period(year):
            yield Problem(f"{path}.year", "The year is outside the plan period.")
        # Out-of-range shares are reported by the schema; comparing them would only add noise.
        if title and population and year is not None and share is not None and 0 <= share <= 1:
            series.setdefault((title, population), []).append((year, share, path))
    for (title, population), points in series.items():
        yield from _non_decreasing(title, population, points)


def _non_decreasing(title: str, population: str, points: list[tuple[int, float, str]]) -> Iterator[Problem]:
    ordered = sorted(points)
    for (year_a, share_a, _), (year_b, share_b, path_b) in zip(ordered, ordered[1:], strict=False):
        if year_a == year_b:
            yield Problem(f"{path_b}.year", f"A second '{title}' target of {population} for {year_b}.")
        elif share_b < share_a:
            yield Problem(
                f"{path_b}.share",
                f"Targets may not decrease: {share_b:g} in {year_b} is below {share_a:g} in {year_a}.",
            )
