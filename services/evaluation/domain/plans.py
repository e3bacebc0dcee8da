"""Plans (Kế hoạch) of a locality as versioned data: the pure model (evaluation service, domain layer).

A plan is what a province, commune or agency issues to implement the learning-society movement:
which titles it recognises (and under which criteria set), its targets, its yearly calendar, who is
chased when a deadline passes, and its award rounds. Every record that a seed plan does not state
carries ``assumed=True`` and a ``note`` saying so, so the data stays honest about its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.evaluation.domain.plan_terms import RECIPIENTS, MonthDay, Sourced


@dataclass(frozen=True)
class LegalRef:
    """A document the plan rests on (decision, plan, circular)."""

    number: str
    issuer_vi: str
    issued_on: date | None = None
    title_vi: str | None = None


@dataclass(frozen=True)
class DocumentInfo:
    """The plan's own document: number, date, signer, programme and legal basis."""

    issued_year: int
    programme_vi: str
    number: str | None = None
    issued_on: date | None = None
    signer_vi: str | None = None
    legal_basis: tuple[LegalRef, ...] = ()


@dataclass(frozen=True)
class Issuer:
    """Who issued the plan and at which level."""

    name_vi: str
    level: str


@dataclass(frozen=True)
class AdminUnit:
    """An administrative unit by name, level and (where known) its official code."""

    name_vi: str
    level: str
    code: str | None = None


@dataclass(frozen=True)
class Locality:
    """The area the plan covers, with its parent units (nearest first)."""

    name_vi: str
    level: str
    code: str | None = None
    parents: tuple[AdminUnit, ...] = ()


@dataclass(frozen=True)
class LevelUse:
    """One admin level the plan uses, with the local names of its units and their count if stated."""

    level: str
    unit_kinds_vi: tuple[str, ...] = ()
    count: int | None = None


@dataclass(frozen=True)
class Phase:
    """A phase of the period, closed by a sơ kết (mid-term) or tổng kết (final) review."""

    number: int
    start_year: int
    end_year: int
    closing_review: str


@dataclass(frozen=True)
class Period:
    """The years the plan runs and its phases."""

    start_year: int
    end_year: int
    phases: tuple[Phase, ...] = ()


@dataclass(frozen=True)
class CriteriaRef:
    """A criteria set by code and version (the set itself is separate versioned data)."""

    code: str
    version: str


@dataclass(frozen=True, kw_only=True)
class TitleScope(Sourced):
    """A recognition title in scope, the criteria set it is judged by, and who decides it."""

    title: str
    name_vi: str
    criteria: CriteriaRef
    decided_by_level: str


@dataclass(frozen=True, kw_only=True)
class Target(Sourced):
    """A share (0..1) of a population to hold a title by the end of a year."""

    title: str
    year: int
    share: float
    population: str


@dataclass(frozen=True, kw_only=True)
class OtherTarget(Sourced):
    """A target not tied to a title (e.g. association staff trained), kept for reports."""

    code: str
    year: int
    share: float
    description_vi: str


@dataclass(frozen=True, kw_only=True)
class Window(Sourced):
    """A yearly window from ``start`` to ``end`` inclusive."""

    start: MonthDay
    end: MonthDay


@dataclass(frozen=True, kw_only=True)
class YearlyDate(Sourced):
    """A yearly date such as the evidence deadline."""

    day: MonthDay


@dataclass(frozen=True, kw_only=True)
class Duration(Sourced):
    """A number of days, calendar or working (Mon–Fri less holidays and local days off)."""

    days: int
    working_days: bool


@dataclass(frozen=True, kw_only=True)
class ReviewLimit(Sourced):
    """How long a level has to review a case once it reaches it."""

    level: str
    days: int
    working_days: bool


@dataclass(frozen=True, kw_only=True)
class Decision(Sourced):
    """When and at which level the yearly recognition decision is taken."""

    quarter: int
    level: str


@dataclass(frozen=True, kw_only=True)
class ReportDeadline(Sourced):
    """Who reports to whom by which day; ``before`` means "trước ngày" (strictly before)."""

    from_vi: str
    from_level: str
    to_vi: str
    to_level: str
    due: MonthDay
    before: bool = True
    year: int | None = None  # None: every year of the period; a year: a one-off report


@dataclass(frozen=True)
class Calendar:
    """The yearly calendar of the recognition round."""

    self_assessment: Window
    evidence_deadline: YearlyDate
    review_limits: tuple[ReviewLimit, ...]
    decision: Decision
    report_deadlines: tuple[ReportDeadline, ...]
    reminder_lead: Duration
    days_off: tuple[date, ...] = ()
    # The public posting (niêm yết công khai) and objection window after the list is posted; None in plan
    # versions written before the field existed (the round then takes 5 working days).
    public_posting: Duration | None = None
    # The last day the round takes supplementary decisions (quyết định công nhận bổ sung); None in plan
    # versions written before the field existed (the round then takes them until 31/12).
    supplementary_until: YearlyDate | None = None


@dataclass(frozen=True, kw_only=True)
class EscalationStep(Sourced):
    """Who is told, at which level, this many days after a missed deadline."""

    role: str
    level: str
    after_days: int
    working_days: bool
    action: str


@dataclass(frozen=True)
class AwardForm:
    """An award form a round may confer, with an optional quota."""

    form: str
    authority: str
    name_vi: str
    quota: int | None = None


@dataclass(frozen=True, kw_only=True)
class AwardRound(Sourced):
    """An award round: annual, sơ kết or tổng kết, at one level, with its timing and forms."""

    kind: str
    level: str
    forms: tuple[AwardForm, ...]
    recipients: tuple[str, ...] = RECIPIENTS
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    by_latest: bool = False  # "chậm nhất": the timing is a deadline, not a fixed slot
    event_vi: str | None = None


@dataclass(frozen=True, kw_only=True)
class Milestone(Sourced):
    """A one-off step the plan dates (e.g. set up the steering committee in quarter I/2024)."""

    description_vi: str
    year: int
    quarter: int | None = None


@dataclass(frozen=True)
class Plan:
    """One version of a locality's plan."""

    code: str
    version: int
    name_vi: str
    document: DocumentInfo
    issuer: Issuer
    locality: Locality
    levels: tuple[LevelUse, ...]
    period: Period
    titles: tuple[TitleScope, ...]
    calendar: Calendar
    escalation: tuple[EscalationStep, ...]
    award_rounds: tuple[AwardRound, ...]
    targets: tuple[Target, ...] = ()
    other_targets: tuple[OtherTarget, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple[str, int]:
        """The (code, version) identity of this plan version."""
        return (self.code, self.version)

    @property
    def admin_levels(self) -> tuple[str, ...]:
        """The admin levels the plan uses, top down."""
        return tuple(use.level for use in self.levels)

    @property
    def has_districts(self) -> bool:
        """True for the pre-July-2025 shape (province, district, commune, village)."""
        return "district" in self.admin_levels

    def title(self, title: str) -> TitleScope | None:
        """The scope entry of one title, or None if the plan does not recognise it."""
        return next((scope for scope in self.titles if scope.title == title), None)

    def targets_for(self, year: int) -> tuple[Target, ...]:
        """The title targets set for ``year``."""
        return tuple(target for target in self.targets if target.year == year)
