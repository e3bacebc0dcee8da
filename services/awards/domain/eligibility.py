"""Eligibility as data: rules parsed from a document and evaluated against a nominee's facts (pure Python).

A rule names a `check` (one of CHECKS), the forms and nominee kinds it applies to, its parameters and its
messages. `evaluate` runs every applicable rule and returns every unmet one, so a refusal lists them all.
The recognition history comes from the evaluation service (`GET /recognitions`); the award history from
this service's own decisions plus the awards the nominating level declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PENDING_FLAGS = ("discipline", "inspection", "complaint")


@dataclass(frozen=True)
class Recognition:
    """One recognised (title, year) of the nominee, as `GET /recognitions` lists it."""

    title: str
    year: int
    revoked: bool = False


@dataclass(frozen=True)
class PriorAward:
    """An award the nominee received before: granted here or declared with its decision number."""

    form: str
    authority: str
    year: int


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at for one nomination."""

    nominee_kind: str
    form_key: str
    round_year: int
    round_recipients: tuple[str, ...]
    recognitions: tuple[Recognition, ...] = ()
    prior_awards: tuple[PriorAward, ...] = ()
    declarations: Mapping[str, bool] = field(default_factory=dict)
    initiatives: tuple[str, ...] = ()
    used_initiatives: frozenset[str] = frozenset()
    priority_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One eligibility rule of the rules document."""

    id: str
    check: str
    message_vi: str
    message_en: str
    forms: tuple[str, ...] = ()  # form keys (`bang_khen:prime_minister`); empty: every form
    kinds: tuple[str, ...] = ()  # nominee kinds; empty: every kind
    params: Mapping[str, Any] = field(default_factory=dict)

    def applies(self, facts: Facts) -> bool:
        """Whether the rule concerns this nomination."""
        return (not self.forms or facts.form_key in self.forms) and (
            not self.kinds or facts.nominee_kind in self.kinds
        )


@dataclass(frozen=True)
class Unmet:
    """A rule the nominee does not meet, with what was found."""

    rule: str
    message_vi: str
    message_en: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class PriorityRule:
    """A weight added to a nominee's priority when it carries a flag (or is of a kind)."""

    weight: int
    flag: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class RuleSet:
    """The parsed rules document."""

    version: str
    rules: tuple[Rule, ...]
    priorities: tuple[PriorityRule, ...] = ()


def streak_ending(years: set[int], last: int) -> int:
    """How many consecutive years end at `last` (0 when `last` is not among them)."""
    n = 0
    while last - n in years:
        n += 1
    return n


def _consecutive(rule: Rule, f: Facts) -> dict[str, Any] | None:
    need = int(rule.params.get("years", 1))
    titles = set(rule.params.get("titles") or ())
    years = {r.year for r in f.recognitions if not r.revoked and (not titles or r.title in titles)}
    # The round's own year counts when its decision is recorded already; else the streak ends a year before.
    best = max(streak_ending(years, f.round_year), streak_ending(years, f.round_year - 1))
    return None if best >= need else {"required_years": need, "consecutive_years": best}


def _in_period(rule: Rule, f: Facts) -> dict[str, Any] | None:
    need = int(rule.params.get("years", 1))
    start = int(rule.params.get("from_year", f.round_year - 4))
    years = sorted({r.year for r in f.recognitions if not r.revoked and start <= r.year <= f.round_year})
    return None if len(years) >= need else {"required_years": need, "from_year": start, "years": years}


def _prior_award(rule: Rule, f: Facts) -> dict[str, Any] | None:
    authorities = set(rule.params.get("authorities") or ())
    within = int(rule.params.get("within_years", 100))
    found = [
        a
        for a in f.prior_awards
        if a.authority in authorities and f.round_year - within <= a.year < f.round_year
    ]
    return None if found else {"required_authorities": sorted(authorities), "within_years": within}


def _no_pending(rule: Rule, f: Facts) -> dict[str, Any] | None:
    flags = tuple(rule.params.get("flags") or PENDING_FLAGS)
    pending = [flag for flag in flags if f.declarations.get(flag, True)]  # undeclared counts as pending
    return {"pending": pending} if pending else None


def _initiative_once(rule: Rule, f: Facts) -> dict[str, Any] | None:
    seen: set[str] = set()
    reused: set[str] = set()
    for initiative in f.initiatives:  # used by an earlier award, or cited twice in this nomination
        if initiative in f.used_initiatives or initiative in seen:
            reused.add(initiative)
        seen.add(initiative)
    return {"reused_initiatives": sorted(reused)} if reused else None


def _recipient_kind(rule: Rule, f: Facts) -> dict[str, Any] | None:
    if f.nominee_kind in f.round_recipients:
        return None
    return {"kind": f.nominee_kind, "allowed": list(f.round_recipients)}


CHECKS: dict[str, Callable[[Rule, Facts], dict[str, Any] | None]] = {
    "consecutive_recognitions": _consecutive,
    "recognitions_in_period": _in_period,
    "prior_award": _prior_award,
    "no_pending": _no_pending,
    "initiative_once": _initiative_once,
    "recipient_kind": _recipient_kind,
}


def evaluate(rules: RuleSet, facts: Facts) -> list[Unmet]:
    """Every applicable rule the facts do not meet, in document order (empty: eligible)."""
    unmet = []
    for rule in rules.rules:
        if not rule.applies(facts):
            continue
        detail = CHECKS[rule.check](rule, facts)
        if detail is not None:
            unmet.append(Unmet(rule.id, rule.message_vi, rule.message_en, detail))
    return unmet


def priority(rules: RuleSet, facts: Facts) -> int:
    """The nominee's priority (higher first when the council's scores tie at the quota's edge)."""
    total = 0
    for p in rules.priorities:
        if (p.flag and p.flag in facts.priority_flags) or (p.kind and p.kind == facts.nominee_kind):
            total += p.weight
    return total


class RulesInvalid(ValueError):
    """The rules document is malformed; `problems` lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise TypeError("expected a list")
    return tuple(str(v) for v in value)


def parse_rules(doc: Mapping[str, Any]) -> RuleSet:
    """A RuleSet from the document's data; RulesInvalid listing every problem."""
    problems: list[str] = []
    rules: list[Rule] = []
    ids: set[str] = set()
    for i, raw in enumerate(doc.get("rules") or []):
        where = f"rules[{i}]"
        try:
            rule = Rule(
                id=str(raw["id"]),
                check=str(raw["check"]),
                message_vi=str(raw["message_vi"]),
                message_en=str(raw["message_en"]),
                forms=_texts(raw.get("forms")),
                kinds=_texts(raw.get("kinds")),
                params=dict(raw.get("params") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc!r}")
            continue
        if rule.check not in CHECKS:
            problems.append(f"{where}.check: unknown check {rule.check!r}")
        if rule.id in ids:
            problems.append(f"{where}.id: duplicate id {rule.id!r}")
        ids.add(rule.id)
        rules.append(rule)
    priorities = []
    for i, raw in enumerate(doc.get("priorities") or []):
        try:
            priorities.append(PriorityRule(int(raw["weight"]), raw.get("flag"), raw.get("kind")))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"priorities[{i}]: {exc!r}")
    if problems:
        raise RulesInvalid(problems)
    return RuleSet(str(doc.get("version", "1")), tuple(rules), tuple(priorities))
