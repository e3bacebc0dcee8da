"""Plan documents: load, validate and dump a locality's plan (YAML or dict) (evaluation, documents layer).

``load_plan`` reports every problem of a document at once (path and message), from the field
schemas and the cross-field checks together, in a ``PlanInvalid`` error. Plan files live in
``services/evaluation/catalog/plans/``, one file per version: ``<code>.yaml`` for version 1 and
``<code>@<version>.yaml`` after it; which version is active is decided elsewhere (the API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml

from common.errors import ValidationFailed
from services.evaluation.documents.plan_checks import Context, Problem, check_structure
from services.evaluation.documents.plan_schedule_checks import check_schedule
from services.evaluation.documents.plan_schemas import PlanSchema
from services.evaluation.domain.plans import Plan

__all__ = [
    "PLANS_DIR",
    "PlanInvalid",
    "Problem",
    "dump_plan",
    "load_plan",
    "load_plan_directory",
    "load_plan_file",
    "load_shipped_plans",
    "plan_file_name",
    "plan_to_yaml",
]

PLANS_DIR = Path(__file__).resolve().parent.parent / "catalog" / "plans"


class PlanInvalid(ValidationFailed):
    """A plan document is invalid; ``problems`` lists every problem found, with its path."""

    code = "plan_invalid"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors: dict[str, list[str]] = {}
        for problem in self.problems:
            errors.setdefault(problem.path or "_document", []).append(problem.message)
        count = len(self.problems)
        listing = "; ".join(str(problem) for problem in self.problems[:5])
        more = f"; and {count - 5} more" if count > 5 else ""
        super().__init__(
            f"Kế hoạch không hợp lệ: {count} lỗi.",
            f"Plan is invalid ({count} problem(s)): {listing}{more}",
            errors=errors,
        )


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: PyYAML would silently keep the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    duplicates = sorted({str(key) for key in keys if keys.count(key) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate key(s) {', '.join(duplicates)}", node.start_mark
        )
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_plan_yaml(text: str) -> Any:
    """The raw data of a YAML plan document; PlanInvalid if it is not YAML."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise PlanInvalid([Problem("", f"Not valid YAML: {exc}")]) from None


def load_plan(document: str | Mapping[str, Any]) -> Plan:
    """Validate a plan document (YAML text or mapping) and build the plan; PlanInvalid lists all problems."""
    raw = parse_plan_yaml(document) if isinstance(document, str) else document
    if not isinstance(raw, Mapping):
        raise PlanInvalid([Problem("", "A plan document must be a mapping of fields.")])
    problems: list[Problem] = []
    plan: Plan | None = None
    try:
        plan = PlanSchema().load(raw)
    except ma.ValidationError as exc:
        problems.extend(_flatten(exc.messages))
    context = Context.of(raw)
    problems.extend(check_structure(raw, context))
    problems.extend(check_schedule(raw, context))
    if problems or plan is None:
        raise PlanInvalid(list(dict.fromkeys(problems)))
    return plan


def dump_plan(plan: Plan) -> dict[str, Any]:
    """The plan as a plain document (dates as text) that ``load_plan`` reads back to an equal plan."""
    return dict(PlanSchema().dump(plan))


def plan_to_yaml(plan: Plan) -> str:
    """The plan as YAML text, Vietnamese kept readable (not escaped)."""
    return yaml.safe_dump(dump_plan(plan), allow_unicode=True, sort_keys=False, width=110)


def plan_file_name(code: str, version: int) -> str:
    """The file name a plan version is shipped under."""
    return f"{code}.yaml" if version == 1 else f"{code}@{version}.yaml"


def load_plan_file(path: Path) -> Plan:
    """Load one plan file; its name must match its code and version."""
    plan = load_plan(path.read_text(encoding="utf-8"))
    expected = plan_file_name(plan.code, plan.version)
    if path.name != expected:
        raise PlanInvalid(
            [Problem("code", f"File {path.name} holds {plan.code} v{plan.version}: name it {expected}.")]
        )
    return plan


def load_plan_directory(directory: Path) -> tuple[Plan, ...]:
    """Load every ``*.yaml`` plan in a directory, sorted by (code, version); PlanInvalid lists all problems.

    Problem paths are prefixed with the file name (``van-hoa-2023.yaml:targets[0].share``).
    """
    plans: dict[tuple[str, int], Plan] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            plan = load_plan_file(path)
        except PlanInvalid as exc:
            problems.extend(Problem(f"{path.name}:{p.path}", p.message) for p in exc.problems)
            continue
        if plan.key in plans:
            problems.append(Problem(f"{path.name}:version", f"{plan.code} v{plan.version} is defined twice."))
        plans[plan.key] = plan
    if problems:
        raise PlanInvalid(problems)
    return tuple(plans[key] for key in sorted(plans))


def load_shipped_plans() -> tuple[Plan, ...]:
    """Load the plans shipped with the product (``catalog/plans``)."""
    return load_plan_directory(PLANS_DIR)


def _flatten(messages: Any, prefix: str = "") -> list[Problem]:
    """Marshmallow's nested error dict as (path, message) problems: ``calendar.report_deadlines[0].due``."""
    if isinstance(messages, Mapping):
        problems: list[Problem] = []
        for key, value in messages.items():
            if key == "_schema":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            problems.extend(_flatten(value, path))
        return problems
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return [Problem(prefix, message) for message in messages]
    if isinstance(messages, list):
        return [problem for item in messages for problem in _flatten(item, prefix)]
    return [Problem(prefix, str(messages))]
