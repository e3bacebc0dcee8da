"""Cross-field checks of a criteria set document, on the part the schema accepted (documents layer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from services.evaluation.domain.criteria import CITIZEN_GROUPS, SUBJECT_KIND_BY_TITLE

# (path, message in English, message in Vietnamese)
Problem = tuple[str, str, str]


def cross_field_problems(data: dict[str, Any], errored: frozenset[str] = frozenset()) -> list[Problem]:
    """Every cross-field problem in `data`, the part of the document the schema accepted.

    `errored` holds each path the schema rejected and all its prefixes: a check whose inputs were
    rejected is skipped, because its verdict on the incomplete data would be a false alarm.
    """
    problems = list(_top_level(data, errored))
    rules = data.get("rules") if isinstance(data.get("rules"), dict) else {}
    default_min = rules.get("min_points_per_indicator")
    for prefix, criteria, label in _scopes(data):
        problems.extend(_scope(prefix, criteria, default_min, errored))
        # A total over unreadable or ambiguous indicators would only echo the problems already found.
        if prefix not in errored and not _has_ambiguous_indicator(criteria):
            problems.extend(_totals(rules, _max_total(criteria), label))
    problems.extend(_rules(data.get("title"), rules))
    return problems


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The (index, item) pairs of a list that are mappings; the schema reports the others."""
    return [(i, item) for i, item in enumerate(value or []) if isinstance(item, dict)]


def _top_level(data: dict[str, Any], errored: frozenset[str]) -> Iterator[Problem]:
    has_criteria, has_groups = bool(data.get("criteria")), bool(data.get("groups"))
    if has_criteria == has_groups and not {"criteria", "groups"} & errored:
        yield (
            "criteria",
            "Give either `criteria` or `groups` (non-empty), not both.",
            "Cần đúng một trong hai mục `criteria` hoặc `groups` (không rỗng).",
        )
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if isinstance(valid_from, int) and isinstance(valid_to, int) and valid_to < valid_from:
        yield (
            "valid_to",
            f"valid_to {valid_to} is before valid_from {valid_from}.",
            f"Năm hết hiệu lực {valid_to} trước năm bắt đầu {valid_from}.",
        )
    title, kind = data.get("title"), data.get("subject_kind")
    if title in SUBJECT_KIND_BY_TITLE and kind is not None and SUBJECT_KIND_BY_TITLE[title] != kind:
        expected = SUBJECT_KIND_BY_TITLE[title]
        yield (
            "subject_kind",
            f"Title {title} is awarded to subject kind '{expected}', not '{kind}'.",
            f"Danh hiệu {title} dành cho đối tượng '{expected}', không phải '{kind}'.",
        )
    if data.get("status") == "illustrative" and not data.get("note"):
        yield (
            "note",
            "An illustrative set must say in `note` what is official and what is not.",
            "Bộ tiêu chí minh họa phải ghi rõ trong `note` phần nào chính thức, phần nào minh họa.",
        )
    groups = _dicts(data.get("groups"))
    yield from _duplicates("groups", [(i, g.get("code")) for i, g in groups], "group code", "mã nhóm")
    if title == "learning_citizen":
        for i, group in groups:
            if group.get("code") is not None and group["code"] not in CITIZEN_GROUPS:
                yield (
                    f"groups.{i}.code",
                    f"Citizen groups are {', '.join(CITIZEN_GROUPS)}; not '{group['code']}'.",
                    f"Nhóm công dân phải là một trong {', '.join(CITIZEN_GROUPS)}.",
                )


def _scopes(data: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]], str]]:
    """Each list of criteria with its path prefix and a label naming the group, if any."""
    if data.get("criteria"):
        yield "criteria", data["criteria"], ""
    for i, group in _dicts(data.get("groups")):
        if group.get("criteria"):
            yield f"groups.{i}.criteria", group["criteria"], f" (group {group.get('code', i)})"


def _scope(
    prefix: str, criteria: list[Any], default_min: int | None, errored: frozenset[str]
) -> Iterator[Problem]:
    items = _dicts(criteria)
    yield from _duplicates(prefix, [(i, c.get("code")) for i, c in items], "criterion code", "mã tiêu chí")
    indicator_codes: list[tuple[str, Any]] = []
    for ci, criterion in items:
        for ii, indicator in _dicts(criterion.get("indicators")):
            path = f"{prefix}.{ci}.indicators.{ii}"
            indicator_codes.append((path, indicator.get("code")))
            yield from _indicator(path, indicator, default_min, errored)
    seen: dict[Any, str] = {}
    for path, code in indicator_codes:
        if code is None:
            continue
        if code in seen:
            yield (
                f"{path}.code",
                f"Indicator code '{code}' is already used at {seen[code]}.",
                f"Mã chỉ số '{code}' bị trùng (đã dùng ở {seen[code]}).",
            )
        else:
            seen[code] = path


def _indicator(
    path: str, indicator: dict[str, Any], default_min: int | None, errored: frozenset[str]
) -> Iterator[Problem]:
    max_points, pass_fail = indicator.get("max_points"), indicator.get("pass_fail", False)
    inputs_rejected = {f"{path}.max_points", f"{path}.pass_fail"} & errored
    if (max_points is None) == (not pass_fail) and not inputs_rejected:
        yield (
            path,
            "An indicator has either `max_points` or `pass_fail: true`, exactly one.",
            "Mỗi chỉ số có đúng một trong hai: `max_points` hoặc `pass_fail: true`.",
        )
    min_points = indicator.get("min_points")
    if min_points is not None and max_points is None and pass_fail:
        yield (
            f"{path}.min_points",
            "A pass/fail indicator has no minimum points.",
            "Chỉ số đạt/không đạt không có điểm tối thiểu.",
        )
    if min_points is not None and max_points is not None and min_points > max_points:
        yield (
            f"{path}.min_points",
            f"min_points {min_points} is above max_points {max_points}.",
            f"Điểm tối thiểu {min_points} lớn hơn điểm tối đa {max_points}.",
        )
    if min_points is None and default_min is not None and max_points is not None and default_min > max_points:
        yield (
            f"{path}.max_points",
            f"max_points {max_points} is below the set's min_points_per_indicator {default_min}; "
            "give this indicator its own min_points.",
            f"Điểm tối đa {max_points} nhỏ hơn điểm tối thiểu chung {default_min}; hãy đặt min_points riêng.",
        )


def _max_total(criteria: list[Any]) -> int:
    return sum(i.get("max_points") or 0 for _, c in _dicts(criteria) for _, i in _dicts(c.get("indicators")))


def _has_ambiguous_indicator(criteria: list[Any]) -> bool:
    return any(
        i.get("max_points") is None and not i.get("pass_fail")
        for _, c in _dicts(criteria)
        for _, i in _dicts(c.get("indicators"))
    )


def _totals(rules: dict[str, Any], max_total: int, label: str) -> Iterator[Problem]:
    pass_total = rules.get("pass_total")
    if pass_total is not None and pass_total > max_total:
        yield (
            "rules.pass_total",
            f"pass_total {pass_total} is above the {max_total} points available{label}.",
            f"Điểm đạt {pass_total} vượt tổng điểm tối đa {max_total}{label}.",
        )
    for i, level in _dicts(rules.get("levels")):
        if level.get("min_total") is not None and level["min_total"] > max_total:
            yield (
                f"rules.levels.{i}.min_total",
                f"Level min_total {level['min_total']} is above the {max_total} points available{label}.",
                f"Điểm tối thiểu của mức độ vượt tổng điểm tối đa {max_total}{label}.",
            )
    for i, band in _dicts(rules.get("bands")):
        if band.get("min_total") is not None and band["min_total"] > max_total:
            yield (
                f"rules.bands.{i}.min_total",
                f"Band min_total {band['min_total']} is above the {max_total} points available{label}.",
                f"Ngưỡng xếp loại vượt tổng điểm tối đa {max_total}{label}.",
            )


def _rules(title: Any, rules: dict[str, Any]) -> Iterator[Problem]:
    yield from _dependencies("rules.dependencies", title, rules.get("dependencies"))
    levels = _dicts(rules.get("levels"))
    for i, level in levels:
        yield from _dependencies(f"rules.levels.{i}.dependencies", title, level.get("dependencies"))
        if level.get("level") is not None and level["level"] != i + 1:
            yield (
                f"rules.levels.{i}.level",
                f"Levels are numbered 1, 2, ... in order; expected {i + 1}, got {level['level']}.",
                f"Các mức độ phải đánh số 1, 2, ... theo thứ tự; cần {i + 1}, nhận {level['level']}.",
            )
    yield from _levels_ordered(levels)
    bands = _dicts(rules.get("bands"))
    yield from _duplicates("rules.bands", [(i, b.get("code")) for i, b in bands], "band code", "mã xếp loại")
    yield from _duplicates(
        "rules.bands", [(i, b.get("min_total")) for i, b in bands], "band min_total", "ngưỡng xếp loại"
    )


def _dependencies(prefix: str, title: Any, deps: Any) -> Iterator[Problem]:
    items = _dicts(deps)
    yield from _duplicates(
        prefix, [(i, d.get("title")) for i, d in items], "dependency title", "danh hiệu phụ thuộc"
    )
    for i, dep in items:
        if title is not None and dep.get("title") == title:
            yield (
                f"{prefix}.{i}.title",
                f"A set for {title} cannot depend on its own title.",
                "Bộ tiêu chí không thể phụ thuộc vào chính danh hiệu của nó.",
            )


def _levels_ordered(levels: list[tuple[int, dict[str, Any]]]) -> Iterator[Problem]:
    # A higher level must ask at least as much as the one below it, so that reaching level 2 implies
    # level 1; otherwise "the highest level reached" would be ambiguous.
    for (_, lower), (i, upper) in zip(levels, levels[1:], strict=False):
        if (lower.get("min_total") or 0) > (upper.get("min_total") or 0):
            yield (
                f"rules.levels.{i}.min_total",
                f"Level {i + 1} asks fewer points than level {i}.",
                f"Mức độ {i + 1} yêu cầu ít điểm hơn mức độ {i}.",
            )
        lower_shares = {d.get("title"): d.get("min_share") for _, d in _dicts(lower.get("dependencies"))}
        upper_shares = {d.get("title"): d.get("min_share") for _, d in _dicts(upper.get("dependencies"))}
        for dep_title, share in lower_shares.items():
            upper_share = upper_shares.get(dep_title)
            if share is not None and (upper_share is None or upper_share < share):
                yield (
                    f"rules.levels.{i}.dependencies",
                    f"Level {i + 1} must require at least level {i}'s share of {dep_title}.",
                    f"Mức độ {i + 1} phải yêu cầu tỷ lệ {dep_title} không thấp hơn mức độ {i}.",
                )


def _duplicates(prefix: str, values: list[tuple[int, Any]], what_en: str, what_vi: str) -> Iterator[Problem]:
    seen: set[Any] = set()
    for i, value in values:
        if value is None:
            continue
        if value in seen:
            yield (f"{prefix}.{i}", f"Duplicate {what_en} '{value}'.", f"Trùng {what_vi} '{value}'.")
        seen.add(value)
