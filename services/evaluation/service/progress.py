"""Use case: progress against a plan's targets per title and admin unit, this year and across the plan's
years (service layer). Read only; one grouped query for the cases, one for the registers' kept sizes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from common.errors import NotFound, ValidationFailed
from services.evaluation.domain.admin_units import LEVELS
from services.evaluation.domain.plans import Plan
from services.evaluation.domain.progress import (
    COMMUNE_ONLY,
    DENOMINATOR,
    WORKING_AGE,
    Tree,
    figures_dict,
    target_in_force,
)
from services.evaluation.service.plans import get_plan_version, resolve_plan
from services.evaluation.service.scopes import plan_path

REPORT_LEVELS = ("province", "commune", "village")
# Threads that count a report's registers beside its recognised cases (one per report being built).
_REPORT_QUERIES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="report-registers")
_CHILD_LEVEL = {"province": "commune", "commune": "village", "village": "village", None: "province"}


@dataclass(frozen=True)
class ProgressReport:
    """The figures of one report, ready for JSON, Excel and charts."""

    plan: dict[str, Any]
    year: int
    level: str
    admin_unit: dict[str, Any] | None
    titles: list[dict[str, Any]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def _invalid(field_name: str, vi: str, en: str, reason_vi: str, reason_en: str) -> ValidationFailed:
    """A refusal naming the field with its reason, in Vietnamese and English."""
    return ValidationFailed(vi, en, errors={field_name: [reason_vi]}, errors_en={field_name: [reason_en]})


def _plan(uow: Any, plan_code: str | None, admin_unit: str | None) -> Plan:
    if plan_code:
        try:
            return get_plan_version(uow, code=plan_code)[1]
        except NotFound as exc:
            raise _invalid(
                "plan",
                "Không có kế hoạch này.",
                "Unknown plan.",
                f"Không có kế hoạch mang mã '{plan_code}'.",
                f"No plan has the code '{plan_code}'.",
            ) from exc
    if not admin_unit:
        raise _invalid(
            "plan",
            "Hãy chọn kế hoạch hoặc đơn vị.",
            "Name a plan or an admin unit.",
            "Bắt buộc khi không chọn đơn vị: hãy ghi mã kế hoạch.",
            "Required when no admin unit is named: give the plan's code.",
        )
    try:
        return resolve_plan(uow, admin_unit_code=admin_unit)
    except ValidationFailed as exc:

        def renamed(errors: dict[str, Any] | None) -> dict[str, Any] | None:
            if errors is None:
                return None
            return {("plan" if k == "plan_code" else "admin_unit"): v for k, v in errors.items()}

        raise ValidationFailed(
            exc.message_vi, exc.message_en, errors=renamed(exc.errors), errors_en=renamed(exc.errors_en)
        ) from exc


def _root(uow: Any, plan: Plan, admin_unit: str | None, scope_code: str | None) -> Any:
    code = admin_unit or scope_code
    if code is None:
        path = plan_path(uow, plan)
        code = path.rsplit("/", 1)[-1] if path else None
    if code is None:
        return None
    with uow:
        unit = uow.admin_units.get(code)
    if unit is None:
        raise _invalid(
            "admin_unit",
            "Không có đơn vị hành chính này.",
            "Unknown administrative unit.",
            f"Không có đơn vị hành chính mang mã '{code}'.",
            f"No administrative unit has the code '{code}'.",
        )
    covered = plan_path(uow, plan)
    if covered and not (_within(unit.path, covered) or _within(covered, unit.path)):
        raise _invalid(
            "admin_unit",
            "Đơn vị nằm ngoài địa bàn của kế hoạch.",
            "The unit lies outside the plan's locality.",
            f"Đơn vị '{code}' nằm ngoài địa bàn của kế hoạch {plan.code}.",
            f"Unit '{code}' lies outside plan {plan.code}'s locality.",
        )
    return unit


def _within(path: str, ancestor: str) -> bool:
    return path == ancestor or path.startswith(ancestor + "/")


def _level(root: Any, level: str | None) -> str:
    root_level = root.level if root is not None else None
    chosen = level or _CHILD_LEVEL[root_level]
    if chosen not in REPORT_LEVELS:
        known = ", ".join(REPORT_LEVELS)
        raise _invalid(
            "level",
            "Cấp báo cáo không hợp lệ.",
            "Unknown report level.",
            f"Cấp '{chosen}' không có; cấp phải là một trong: {known}.",
            f"No level '{chosen}'; it must be one of: {known}.",
        )
    if root_level is not None and LEVELS.index(chosen) < LEVELS.index(root_level):
        raise _invalid(
            "level",
            "Cấp báo cáo phải từ cấp của đơn vị trở xuống.",
            "The level must not be above the unit's.",
            f"Cấp '{chosen}' cao hơn cấp của đơn vị ({root_level}); hãy chọn {root_level} hoặc thấp hơn.",
            f"Level '{chosen}' is above the unit's ({root_level}); choose {root_level} or below.",
        )
    return chosen


def _titles(plan: Plan, title: str | None) -> list[str]:
    known = [scope.title for scope in plan.titles if scope.title in DENOMINATOR]
    if title is None:
        return known
    if title not in known:
        raise _invalid(
            "title",
            "Kế hoạch không xét danh hiệu này.",
            "The plan does not recognise this title.",
            f"Danh hiệu '{title}' không có trong kế hoạch {plan.code}; có: {', '.join(known)}.",
            f"Title '{title}' is not in plan {plan.code}; it has: {', '.join(known)}.",
        )
    return [title]


@dataclass(frozen=True)
class _Denominators:
    """What the report divides by, and its units' names: read beside the recognised cases."""

    registers: dict[str, dict[str, int]]
    villages_per_commune: dict[str, int] | None
    names: dict[str, str]


def _read_denominators(
    reader: Any,
    kinds: set[str],
    communes: list[str] | None,
    by_village: bool,
    year: int,
    name_codes: list[str],
) -> _Denominators:
    """The registers' sizes (households, citizens, clans, units) per commune or village, the villages per
    commune and the units' names, in a read-only unit of work of their own, so that they are read while
    the recognised cases are counted."""
    with reader:
        q = reader.report_query
        registers = q.populations(
            sorted(kinds - {"villages", "communes"}),
            communes=communes,
            by_village=by_village,
            year=year,
            working_age=WORKING_AGE,
        )
        villages = q.villages_per_commune(communes) if "villages" in kinds and not by_village else None
        return _Denominators(registers, villages, q.names(name_codes))


def _populations(kinds: set[str], tree: Tree, read: _Denominators) -> dict[str, dict[str, int | None]]:
    """Register sizes per kind, rolled up to the tree's level, plus the subtree total under the key ``""``."""
    level, units = tree.level, list(tree.units.values())
    by_village = level == "village"
    out: dict[str, dict[str, int | None]] = {}
    for kind in kinds:
        if kind == "communes" or (kind == "villages" and by_village):
            member = "village" if kind == "villages" else "commune"
            raw: dict[str, int] = {u.code: 1 for u in units if u.level == member}
        elif kind == "villages":
            raw = read.villages_per_commune or {}
        else:
            raw = read.registers[kind]
        rolled: dict[str, int | None] = dict(tree.roll_up(raw))
        if by_village and kind in COMMUNE_ONLY:
            rolled = {}  # not attributable to villages
        rolled[""] = sum(raw.get(u.code, 0) for u in units)
        out[kind] = rolled
    return out


def progress_report(
    uow: Any,
    *,
    year: int,
    plan_code: str | None = None,
    title: str | None = None,
    admin_unit: str | None = None,
    level: str | None = None,
    scope_code: str | None = None,
) -> ProgressReport:
    """Recognised subjects per title and unit against the target in force, this year and every year of
    the plan up to it. Bad arguments are ValidationFailed on their field."""
    plan = _plan(uow, plan_code, admin_unit or scope_code)
    if not plan.period.start_year <= year <= plan.period.end_year:
        start, end = plan.period.start_year, plan.period.end_year
        raise _invalid(
            "year",
            "Năm nằm ngoài thời kỳ của kế hoạch.",
            "The year is outside the plan's period.",
            f"Năm phải từ {start} đến {end} (thời kỳ của kế hoạch {plan.code}).",
            f"The year must be from {start} to {end} (plan {plan.code}'s period).",
        )
    titles = _titles(plan, title)
    root = _root(uow, plan, admin_unit, scope_code)
    chosen_level = _level(root, level)
    with uow:
        depth = LEVELS[: max(LEVELS.index(chosen_level), LEVELS.index("commune")) + 1]
        units = uow.report_query.units_within(root.path if root is not None else None, depth)
        tree = Tree(units, chosen_level)
        communes = None if root is None else [u.code for u in units if u.level == "commune"]
        if root is not None and root.level == "village":
            communes = [root.parent_code]  # a village's cases and registers are kept by its commune
        kinds = {DENOMINATOR[t] for t in titles}
        by_village = chosen_level == "village"
        row_units = sorted(u.code for u in units if u.level == chosen_level)
        # The big scans — recognised cases, and the registers divided by — run at the same time, on two
        # connections: the report then takes about as long as the larger of them, not their sum.
        side = _REPORT_QUERIES.submit(
            _read_denominators,
            uow.reader(),
            kinds,
            communes,
            by_village,
            year,
            [*row_units, *([root.code] if root else [])],
        )
        counts = uow.report_query.recognised(
            year_from=plan.period.start_year,
            year_to=year,
            titles=titles,
            communes=communes,
            by_village=by_village,
        )
        per_year: dict[tuple[int, str], dict[str, int]] = {}
        for y, t, unit, n in counts:
            m = per_year.get((y, t))
            if m is None:
                m = per_year[(y, t)] = {}
            m[unit] = m.get(unit, 0) + n
        extra = sorted(
            {code for (y, _), m in per_year.items() if y == year for code in tree.roll_up(m)} - set(row_units)
        )
        read = side.result()
        populations = _populations(kinds, tree, read)
        names = {**read.names, **(uow.report_query.names(extra) if extra else {})}
    title_info, rows, totals, history = [], [], [], []
    extra_codes = set(extra)
    # Each row's unit code and name, the same for every title.
    labelled = [(code, names.get(code, code)) for code in row_units] + [
        (code, names.get(code, code) + " (chưa rõ thôn)") for code in extra
    ]
    for t in titles:
        target = target_in_force(plan, t, year)
        kind = DENOMINATOR[t]
        scope = plan.title(t)
        title_info.append(
            {
                "title": t,
                "name_vi": scope.name_vi if scope else t,
                "population_kind": kind,
                "target": None if target is None else target.__dict__,
            }
        )
        share = target.share if target else None
        this_year = tree.roll_up(per_year.get((year, t), {}))
        # None: cases whose village is unknown have no register to divide by, and a register kept per
        # commune only cannot be split into villages.
        unsplit = chosen_level == "village" and kind in COMMUNE_ONLY
        population_of = populations[kind]
        for code, name in labelled:
            population = None if unsplit or code in extra_codes else population_of.get(code, 0)
            rows.append(
                {
                    "unit_code": code,
                    "unit_name": name,
                    "title": t,
                    **figures_dict(this_year.get(code, 0), population, share),
                }
            )
        root_pop = populations[kind][""]
        totals.append({"title": t, **figures_dict(sum(this_year.values()), root_pop, share)})
        for y in range(plan.period.start_year, year + 1):
            target_y = target_in_force(plan, t, y)
            n = sum(per_year.get((y, t), {}).values())
            history.append(
                {"year": y, "title": t, **figures_dict(n, root_pop, target_y.share if target_y else None)}
            )
    return ProgressReport(
        plan={"code": plan.code, "version": plan.version, "name_vi": plan.name_vi},
        year=year,
        level=chosen_level,
        admin_unit=None
        if root is None
        else {"code": root.code, "name": names.get(root.code, root.name), "level": root.level},
        titles=title_info,
        rows=rows,
        totals=totals,
        history=history,
    )
