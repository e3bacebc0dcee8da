"""Awards domain: award rounds, their forms and nominations (pure Python)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# annual: the yearly round; so_ket: mid-term review of phase 1 (2023-2025); tong_ket: final review (2023-2030)
ROUND_KINDS = ("annual", "so_ket", "tong_ket")
LEVELS = ("commune", "agency", "district", "province", "ministry", "national")
NOMINEE_KINDS = ("collective", "household", "individual")
# A round's status is its phase: nominations come in, the council scores, the shortlist is drawn,
# the decision is signed. "open" is the phase of rounds made before the NominationRound workflow.
PHASES = ("open", "nominating", "scoring", "shortlisted", "decided")
# Which level confers a form of each authority (hình thức khen thưởng theo thẩm quyền).
AUTHORITY_LEVEL = {
    "commune_chairman": "commune",
    "agency_or_locality_head": "agency",
    "district": "district",
    "province": "province",
    "ministry": "ministry",
    "ministry_or_province": "province",
    "prime_minister": "national",
}
LEVEL_RANK = {"commune": 1, "agency": 1, "district": 2, "province": 3, "ministry": 3, "national": 4}
NOMINATION_STATUSES = ("eligible", "shortlisted", "not_selected", "forwarded", "awarded")


@dataclass(frozen=True)
class AwardForm:
    """A form a round confers or forwards (Giấy khen, Bằng khen), with its quota for the round."""

    form: str
    authority: str
    name_vi: str
    quota: int

    @property
    def key(self) -> str:
        """`<form>:<authority>`: how nominations and quotas name a form."""
        return f"{self.form}:{self.authority}"

    @property
    def level(self) -> str:
        """The level that confers it."""
        return AUTHORITY_LEVEL.get(self.authority, "national")


@dataclass(frozen=True)
class AwardRound:
    """One award round of one level; (plan_code, kind, year, admin_unit_code) is its natural key."""

    id: str
    plan_code: str
    kind: str
    year: int
    level: str
    admin_unit_code: str
    status: str
    created_by: str
    created_at: datetime
    admin_unit_path: str = ""
    forms: tuple[AwardForm, ...] = ()
    recipients: tuple[str, ...] = NOMINEE_KINDS
    nomination_deadline: date | None = None
    council_deadline: date | None = None
    ceremony_on: date | None = None
    event_vi: str | None = None
    workflow_id: str | None = None
    version: int = 1

    def form(self, key: str) -> AwardForm | None:
        """One of the round's forms by key."""
        return next((f for f in self.forms if f.key == key), None)

    def confers(self, form: AwardForm) -> bool:
        """Whether this round decides the form itself (else it forwards it to the level above)."""
        return LEVEL_RANK.get(form.level, 9) <= LEVEL_RANK.get(self.level, 0)


@dataclass(frozen=True)
class Nomination:
    """A nominee proposed for one form in one round by the level below (hồ sơ đề nghị khen thưởng)."""

    id: str
    round_id: str
    nominee_kind: str
    subject_id: str
    name: str
    unit_code: str
    household_id: str | None
    form_key: str
    achievements: str
    initiatives: tuple[str, ...]
    declarations: dict[str, bool]
    prior_awards: tuple[dict[str, Any], ...]
    priority_flags: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...]
    status: str
    nominated_by: str
    nominated_at: datetime
    eligibility: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    forwarded_to: str | None = None


@dataclass(frozen=True)
class CouncilMember:
    """A member of the round's emulation and commendation council (Hội đồng Thi đua - Khen thưởng)."""

    round_id: str
    username: str
    full_name: str
    position_vi: str
    household_id: str | None
    unit_code: str | None
