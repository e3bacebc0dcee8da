"""Criteria sets (bộ tiêu chí) as versioned data: the domain model (evaluation service, domain layer)."""

from __future__ import annotations

from dataclasses import dataclass

from common.errors import ValidationFailed
from services.evaluation.domain.model import TITLES

__all__ = [
    "CITIZEN_GROUPS",
    "EVIDENCE_KINDS",
    "SCORERS",
    "STATUSES",
    "SUBJECT_KINDS",
    "SUBJECT_KIND_BY_TITLE",
    "TITLES",
    "TITLE_NAMES_EN",
    "TITLE_NAMES_VI",
    "Band",
    "CriteriaSet",
    "Criterion",
    "Dependency",
    "EvidenceRequirement",
    "Indicator",
    "Level",
    "Rules",
    "SubjectGroup",
    "UnknownGroup",
]

STATUSES = ("official", "illustrative")
# Who may score an indicator. "district" and "province" are for sets assessed by the level above the
# commune (TT 25/2023); plans written before July 2025 still name districts.
SCORERS = ("self", "village", "commune", "unit", "district", "province")
EVIDENCE_KINDS = ("document", "photo", "certificate", "list")
CITIZEN_GROUPS = ("resident", "worker", "official", "student")

# The kind of subject each title is awarded to; a set whose subject kind disagrees with its title is
# almost certainly a copy-paste slip, so the document loader rejects it.
SUBJECT_KIND_BY_TITLE = {
    "learning_family": "household",
    "learning_clan": "clan",
    "learning_community_village": "village",
    "learning_unit": "unit",
    "learning_citizen": "citizen",
    "learning_community_commune": "commune",
}
SUBJECT_KINDS = tuple(SUBJECT_KIND_BY_TITLE.values())

# Display names of the titles, for messages that name a dependency ("share holding Gia đình học tập").
TITLE_NAMES_VI = {
    "learning_family": "Gia đình học tập",
    "learning_clan": "Dòng họ học tập",
    "learning_community_village": "Cộng đồng học tập cấp thôn",
    "learning_unit": "Đơn vị học tập",
    "learning_citizen": "Công dân học tập",
    "learning_community_commune": "Cộng đồng học tập cấp xã",
}
TITLE_NAMES_EN = {
    "learning_family": "Learning Family",
    "learning_clan": "Learning Clan",
    "learning_community_village": "Learning Community (village)",
    "learning_unit": "Learning Unit",
    "learning_citizen": "Learning Citizen",
    "learning_community_commune": "Learning Community (commune)",
}


class UnknownGroup(ValidationFailed):
    """The subject group named for scoring is not one the criteria set defines (or one is missing)."""

    def __init__(self, criteria_key: str, group: str | None, known: tuple[str, ...]) -> None:
        choices = ", ".join(known) if known else "-"
        if group is None:
            vi = f"Bộ tiêu chí {criteria_key} yêu cầu chọn nhóm đối tượng ({choices})."
            en = f"Criteria set {criteria_key} needs a subject group ({choices})."
        elif not known:
            vi = f"Bộ tiêu chí {criteria_key} không chia nhóm đối tượng; không dùng nhóm '{group}'."
            en = f"Criteria set {criteria_key} has no subject groups; group '{group}' is not allowed."
        else:
            vi = f"Nhóm đối tượng '{group}' không có trong bộ tiêu chí {criteria_key} ({choices})."
            en = f"Subject group '{group}' is not in criteria set {criteria_key} ({choices})."
        super().__init__(vi, en, errors={"group": [vi]}, errors_en={"group": [en]})
        self.group = group


@dataclass(frozen=True)
class EvidenceRequirement:
    """The evidence an indicator expects: which kinds of file, and how many at least."""

    kinds: tuple[str, ...]
    min_count: int = 1


@dataclass(frozen=True)
class Indicator:
    """One scored indicator (chỉ số): points out of max_points, or pass/fail when max_points is None."""

    code: str
    name_vi: str
    name_en: str
    max_points: int | None
    scored_by: tuple[str, ...]
    min_points: int | None = None
    required: bool = True
    evidence: EvidenceRequirement | None = None

    @property
    def is_pass_fail(self) -> bool:
        """True when the indicator is judged met / not met rather than on points."""
        return self.max_points is None


@dataclass(frozen=True)
class Criterion:
    """One criterion (tiêu chí): a named group of indicators."""

    code: str
    name_vi: str
    name_en: str
    indicators: tuple[Indicator, ...]

    @property
    def max_points(self) -> int:
        """Sum of the maximum points of the point-scored indicators."""
        return sum(i.max_points or 0 for i in self.indicators)


@dataclass(frozen=True)
class SubjectGroup:
    """A group of subjects with its own criteria list (e.g. citizens: resident, worker, ...)."""

    code: str
    name_vi: str
    name_en: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Dependency:
    """A condition on another title: at least min_share (0..1) of the members must hold it."""

    title: str
    min_share: float
    description_vi: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class Level:
    """A recognition level (mức độ) and its extra conditions beyond passing."""

    level: int
    name_vi: str
    name_en: str
    min_total: int | None = None
    dependencies: tuple[Dependency, ...] = ()


@dataclass(frozen=True)
class Band:
    """A rating band (xếp loại, e.g. Tốt / Khá / Trung bình) reached from min_total points up."""

    code: str
    name_vi: str
    name_en: str
    min_total: int


@dataclass(frozen=True)
class Rules:
    """The set's decision rules: threshold, minimums, dependencies, levels, validity, bands."""

    pass_total: int | None = None
    min_points_per_indicator: int | None = None
    dependencies: tuple[Dependency, ...] = ()
    levels: tuple[Level, ...] = ()
    validity_years: int | None = None
    bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class CriteriaSet:
    """One version of one criteria set; either `criteria` or `groups` is non-empty, never both."""

    code: str
    version: str
    title: str
    name_vi: str
    name_en: str
    issuer: str
    legal_basis: tuple[str, ...]
    status: str
    valid_from: int
    subject_kind: str
    rules: Rules
    criteria: tuple[Criterion, ...] = ()
    groups: tuple[SubjectGroup, ...] = ()
    valid_to: int | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """The `<code>@<version>` key that decisions record and file names use."""
        return f"{self.code}@{self.version}"

    @property
    def group_codes(self) -> tuple[str, ...]:
        """The codes of the subject groups, empty when the set is not split by group."""
        return tuple(g.code for g in self.groups)

    def criteria_for(self, group: str | None = None) -> tuple[Criterion, ...]:
        """The criteria that apply to `group` (None for a set without groups); raises UnknownGroup."""
        if not self.groups:
            if group is not None:
                raise UnknownGroup(self.key, group, ())
            return self.criteria
        for candidate in self.groups:
            if candidate.code == group:
                return candidate.criteria
        raise UnknownGroup(self.key, group, self.group_codes)

    def indicators_for(self, group: str | None = None) -> tuple[Indicator, ...]:
        """Every indicator that applies to `group`, in document order."""
        return tuple(i for c in self.criteria_for(group) for i in c.indicators)

    def max_total(self, group: str | None = None) -> int:
        """The highest total a subject of `group` can reach."""
        return sum(c.max_points for c in self.criteria_for(group))

    def min_points_of(self, indicator: Indicator) -> int | None:
        """The effective minimum of a point-scored indicator (its own, else the set default)."""
        if indicator.is_pass_fail:
            return None
        if indicator.min_points is not None:
            return indicator.min_points
        return self.rules.min_points_per_indicator

    def valid_in(self, year: int) -> bool:
        """Whether the set applies to assessments of `year`."""
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)
