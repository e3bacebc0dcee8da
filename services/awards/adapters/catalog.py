"""The awards catalogue file: eligibility rules, priorities, default quotas, schedule (adapter layer)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from services.awards.domain.eligibility import RuleSet, parse_rules
from services.awards.domain.schedule import Schedule

CATALOG = Path(__file__).resolve().parent.parent / "catalog" / "awards.yaml"


@dataclass(frozen=True)
class Catalog:
    """The parsed catalogue."""

    rules: RuleSet
    default_quotas: dict[str, int]
    schedule: Schedule


def parse_catalog(text: str) -> Catalog:
    """Parse a catalogue document (RulesInvalid lists every problem of its rules)."""
    doc = yaml.safe_load(text) or {}
    return Catalog(
        rules=parse_rules(doc),
        default_quotas={str(k): int(v) for k, v in (doc.get("default_quotas") or {}).items()},
        schedule=Schedule(**(doc.get("schedule") or {})),
    )


@functools.cache
def shipped_catalog() -> Catalog:
    """The catalogue shipped with the service (read once, on first use)."""
    return parse_catalog(CATALOG.read_text(encoding="utf-8"))
