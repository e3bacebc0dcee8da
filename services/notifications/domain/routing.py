"""Who is told of an event, in which category, and what may wait for the digest (pure Python)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from common.events import Event

HOUSEHOLD = "household_representative"
VILLAGE = "village_officer"
COMMUNE = "commune_association_officer"
CHAIRMAN = "commune_chairman"

CATEGORIES = ("cases", "deadlines", "evidence", "imports", "awards", "other")
_CATEGORY = {
    "account.access_changed": "other",
    "case.opened": "cases",
    "case.draft_saved": "cases",
    "case.submitted": "cases",
    "case.score_adjusted": "cases",
    "case.evidence_requested": "cases",
    "case.evidence_provided": "cases",
    "case.review_passed": "cases",
    "case.withdrawn": "cases",
    "case.assigned": "cases",
    "case.village_changed": "cases",
    "case.self_assessment_opened": "deadlines",
    "case.reminder_due": "deadlines",
    "case.overdue": "deadlines",
    "case.escalated": "deadlines",
    "report.overdue": "deadlines",
    "report.reminder_due": "deadlines",
    "round.reminder_due": "deadlines",
    "evidence.uploaded": "evidence",
    "evidence.judged": "evidence",
    "subjects.imported": "imports",
    "round.opened": "cases",
    "round.created": "awards",
    "nomination.submitted": "awards",
    "awards.decided": "awards",
    "nomination.decided": "awards",
    "round.posted": "cases",
    "objection.filed": "cases",
    "case.decided": "cases",
    "recognition.revoked": "cases",
    "recognition.dependency_unmet": "cases",
    "recognition.dependency_restored": "cases",
}
# Held back for the daily digest when a user asks for one: these come in floods near a deadline.
DIGESTIBLE = frozenset({"case.reminder_due", "case.overdue"})

# Whose turn a case is in each status (the evaluation service's lifecycle, as its events state it).
WAITING_ON = {
    "draft": HOUSEHOLD,
    "village_review": VILLAGE,
    "evidence_requested": HOUSEHOLD,
    "commune_review": COMMUNE,
    "awaiting_decision": CHAIRMAN,
}

Rule = Callable[[Mapping[str, Any]], tuple[str | None, ...]]


def _fixed(*roles: str) -> Rule:
    return lambda _payload: roles


def _from_payload(key: str, *fallback: str) -> Rule:
    return lambda payload: (payload.get(key),) if payload.get(key) else fallback


def _next_in_line(payload: Mapping[str, Any]) -> tuple[str | None, ...]:
    return (WAITING_ON.get(str(payload.get("to"))) or VILLAGE,)


def _review_passed(payload: Mapping[str, Any]) -> tuple[str | None, ...]:
    return (HOUSEHOLD, WAITING_ON.get(str(payload.get("to"))))


def _household_unless_accepted(payload: Mapping[str, Any]) -> tuple[str | None, ...]:
    """A file rejected or needing more: the household must act on it; an accepted one tells nobody."""
    return () if payload.get("verdict") == "accepted" else (HOUSEHOLD,)


_ROLES: dict[str, Rule] = {
    "case.opened": _fixed(HOUSEHOLD, VILLAGE),
    "case.draft_saved": _fixed(),  # the household's own work in progress: nobody else is told
    "case.submitted": _fixed(VILLAGE),
    "case.score_adjusted": _fixed(HOUSEHOLD),
    "case.evidence_requested": _fixed(HOUSEHOLD),
    "case.evidence_provided": _next_in_line,  # back to the level that asked
    "case.review_passed": _review_passed,
    "case.withdrawn": _fixed(VILLAGE),
    # A case that followed its subject to another village: that village's staff, when it waits on them.
    "case.village_changed": lambda p: (VILLAGE,) if p.get("waiting_on_role") == VILLAGE else (),
    "case.assigned": _from_payload("role"),  # the new holder's role; told to its addressee alone
    "case.self_assessment_opened": _fixed(HOUSEHOLD),  # its draft can be submitted from today
    "case.reminder_due": _from_payload("waiting_on_role", HOUSEHOLD),
    "case.overdue": _from_payload("waiting_on_role", HOUSEHOLD),
    "case.escalated": _from_payload("role", COMMUNE),  # the escalation step's target role
    # A file added while the case is before a reviewer tells that reviewer (none in draft or while the
    # household gathers requested evidence: case.evidence_provided tells then).
    "evidence.uploaded": _from_payload("reviewer_role"),
    "evidence.judged": _household_unless_accepted,
    "subjects.imported": _fixed(COMMUNE),
    # The commune's yearly round opens self-assessment: the village officers tell their households.
    "round.opened": _fixed(VILLAGE, COMMUNE, CHAIRMAN),
    "round.created": _fixed(COMMUNE, CHAIRMAN),  # an award round (awards service): prepare nominations
    # The yearly round: the village officers post the list in each village; the commune association
    # verifies each objection; the household learns its decision (and a revocation), with its village.
    "round.posted": _fixed(VILLAGE),
    # The self-assessment window closes soon: the village officers chase the households still in
    # draft (each household is reminded by its own case), the commune association follows the count.
    "round.reminder_due": _fixed(VILLAGE, COMMUNE),
    "objection.filed": _fixed(COMMUNE),
    "case.decided": _fixed(HOUSEHOLD, VILLAGE),
    "recognition.revoked": _fixed(HOUSEHOLD, VILLAGE),
    # A revocation left a recorded recognition (a village, clan, unit) short of its dependency: the
    # commune decides whether to revoke it too (the payload names the commune, no village).
    "recognition.dependency_unmet": _fixed(COMMUNE, CHAIRMAN),
    # A later (supplementary) decision met that dependency again: those told of the flag learn it is
    # no longer standing.
    "recognition.dependency_restored": _fixed(COMMUNE, CHAIRMAN),
    "report.overdue": _from_payload("role", COMMUNE),
    "report.reminder_due": _from_payload("waiting_on_role", COMMUNE),  # the unit that must report
    # An award round's managers (its unit's association and chairman) learn of each nomination and of
    # the decision the chairman signed.
    "nomination.submitted": _fixed(COMMUNE, CHAIRMAN),
    "awards.decided": _fixed(COMMUNE, CHAIRMAN),
    # Each nominator learns what the decision gave those they nominated: told to its addressee alone.
    "nomination.decided": _fixed(),
    "account.access_changed": _from_payload("role"),  # its owner's role; told to its addressee alone
}


def category_of(event_type: str) -> str:
    """The preference category of an event type; unknown types are "other"."""
    return _CATEGORY.get(event_type, "other")


def roles_for(event: Event) -> tuple[str, ...]:
    """The roles told of an event, each once, in order; an unknown type tells whoever it waits on."""
    rule = _ROLES.get(event.type, _from_payload("waiting_on_role"))
    roles: list[str] = []
    for role in rule(event.payload):
        if role and role not in roles:
            roles.append(str(role))
    return tuple(roles)


def admin_unit_of(event: Event) -> str | None:
    """The admin unit an event is about; without one nobody can be resolved by scope."""
    code = event.payload.get("admin_unit_code")
    return str(code) if code else None


def units_for(event: Event, role: str) -> tuple[str, ...]:
    """The units whose users of `role` are told: the subject's village when the event names one (staff
    of the commune cover it too), each of `village_codes` for village officers (a round's posting), else
    the event's admin unit."""
    village = event.payload.get("village_code")
    if village:
        return (str(village),)
    villages = event.payload.get("village_codes")
    if role == VILLAGE and isinstance(villages, list) and villages:
        return tuple(str(v) for v in villages)
    unit = admin_unit_of(event)
    return (unit,) if unit else ()


def subject_of(event: Event) -> str | None:
    """The household (or other subject) an event is about: a household representative is told only of
    its own household's case, never of its neighbours'."""
    subject = event.payload.get("subject_id")
    return str(subject) if subject else None


def addressee_of(event: Event) -> str | None:
    """The one user an event is addressed to (an account's owner told of a change to it), if any: only
    they are told, found by username whatever their unit (service/notices.py)."""
    username = event.payload.get("addressee")
    return str(username) if username else None


def actor_of(event: Event) -> str | None:
    """Who caused the event: they are not told of their own action."""
    actor = event.payload.get("actor")
    return str(actor) if actor else None
