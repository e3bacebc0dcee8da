"""Vocabularies of the plan format and shared plan value types (evaluation service, domain layer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ADMIN_LEVELS = ("province", "district", "commune", "village")
ISSUER_LEVELS = ("province", "district", "commune", "agency")
# A report may go to or come from an agency (a school, a department) rather than an admin unit.
PARTY_LEVELS = (*ADMIN_LEVELS, "agency")
# Two-tier local government (no districts) from this day (Resolution 202/2025/QH15).
DISTRICTS_ABOLISHED_ON = date(2025, 7, 1)

TITLE_CRITERIA_CODES = {
    "learning_family": "gia-dinh-hoc-tap",
    "learning_clan": "dong-ho-hoc-tap",
    "learning_community_village": "cong-dong-hoc-tap-thon",
    "learning_unit": "don-vi-hoc-tap-xa",
    "learning_citizen": "cong-dan-hoc-tap",
    "learning_community_commune": "cong-dong-hoc-tap-xa",
}
KNOWN_CRITERIA_CODES = frozenset(TITLE_CRITERIA_CODES.values())

# What a target is a share of: one population per title, two for citizens (workers in learning
# families/clans/communities; civil servants in learning units), as QĐ 387 and the seeds state them.
TITLE_POPULATIONS = {
    "learning_family": ("households",),
    "learning_clan": ("clans",),
    "learning_community_village": ("villages",),
    "learning_unit": ("units",),
    "learning_community_commune": ("communes",),
    "learning_citizen": (
        "workers_in_learning_families_clans_communities",
        "civil_servants_in_learning_units",
    ),
}

ROLES = (
    "household_representative",
    "village_officer",
    "commune_association_officer",
    "learning_centre_staff",
    "commune_chairman",
    "unit_head",
    "auditor",
    "administrator",
)
ESCALATION_ACTIONS = ("remind", "escalate")
ROUND_KINDS = ("annual", "so_ket", "tong_ket")
PHASE_REVIEWS = ("so_ket", "tong_ket")
AWARD_FORMS = ("giay_khen", "bang_khen")
# Who may confer each form (Law 06/2022/QH15 on emulation and commendation).
AWARD_AUTHORITIES = {
    "giay_khen": ("commune_chairman", "district_chairman", "department_head", "agency_or_locality_head"),
    "bang_khen": ("province", "ministry", "ministry_or_province", "prime_minister"),
}
RECIPIENTS = ("collective", "household", "individual")


@dataclass(frozen=True, kw_only=True)
class Sourced:
    """Provenance shared by plan records: the seed section it comes from, or an assumption."""

    assumed: bool = False
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True, order=True)
class MonthDay:
    """A day of every year (dd/mm), e.g. the report deadline 05/12."""

    month: int
    day: int

    def in_year(self, year: int) -> date:
        """The concrete date in ``year``."""
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}"
