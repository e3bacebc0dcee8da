"""Who is told of each event type, and in which preference category (pure)."""

from __future__ import annotations

import pytest

from common.events import Event
from services.notifications.domain.routing import (
    DIGESTIBLE,
    actor_of,
    admin_unit_of,
    category_of,
    roles_for,
    units_for,
)


def _event(event_type: str, **payload: object) -> Event:
    return Event(type=event_type, source="evaluation", payload={"admin_unit_code": "26734", **payload})


@pytest.mark.parametrize(
    ("event_type", "payload", "roles"),
    [
        ("case.opened", {}, ("household_representative", "village_officer")),
        ("case.draft_saved", {}, ()),
        ("case.submitted", {"to": "village_review"}, ("village_officer",)),
        ("case.score_adjusted", {}, ("household_representative",)),
        ("case.evidence_requested", {}, ("household_representative",)),
        ("case.evidence_provided", {"to": "commune_review"}, ("commune_association_officer",)),
        ("case.evidence_provided", {"to": "village_review"}, ("village_officer",)),
        (
            "case.review_passed",
            {"to": "commune_review"},
            ("household_representative", "commune_association_officer"),
        ),
        ("case.review_passed", {"to": "awaiting_decision"}, ("household_representative", "commune_chairman")),
        ("case.withdrawn", {}, ("village_officer",)),
        (
            "case.self_assessment_opened",
            {"waiting_on_role": "household_representative"},
            ("household_representative",),
        ),
        ("case.reminder_due", {"waiting_on_role": "village_officer"}, ("village_officer",)),
        (
            "case.overdue",
            {"waiting_on_role": "commune_association_officer", "role": "x"},
            ("commune_association_officer",),
        ),
        (
            "case.escalated",
            {"role": "commune_chairman", "waiting_on_role": "village_officer"},
            ("commune_chairman",),
        ),
        ("evidence.uploaded", {"reviewer_role": "village_officer"}, ("village_officer",)),
        (
            "evidence.uploaded",
            {"reviewer_role": "commune_association_officer"},
            ("commune_association_officer",),
        ),
        ("evidence.uploaded", {"reviewer_role": None}, ()),  # in draft: the household's own gathering
        ("evidence.judged", {"verdict": "rejected"}, ("household_representative",)),
        ("evidence.judged", {"verdict": "more_info_needed"}, ("household_representative",)),
        ("evidence.judged", {"verdict": "accepted"}, ()),
        ("subjects.imported", {}, ("commune_association_officer",)),
        ("round.opened", {}, ("village_officer", "commune_association_officer", "commune_chairman")),
        ("round.created", {}, ("commune_association_officer", "commune_chairman")),
        ("nomination.submitted", {}, ("commune_association_officer", "commune_chairman")),
        ("awards.decided", {}, ("commune_association_officer", "commune_chairman")),
        ("nomination.decided", {}, ()),  # addressed to its nominator alone
        ("case.village_changed", {"waiting_on_role": "village_officer"}, ("village_officer",)),
        ("case.village_changed", {"waiting_on_role": "household_representative"}, ()),
        ("round.posted", {}, ("village_officer",)),
        ("round.reminder_due", {"waiting": 3}, ("village_officer", "commune_association_officer")),
        ("report.reminder_due", {"waiting_on_role": "village_officer"}, ("village_officer",)),
        ("report.reminder_due", {}, ("commune_association_officer",)),
        ("objection.filed", {}, ("commune_association_officer",)),
        ("case.decided", {"subject_id": "HH-1"}, ("household_representative", "village_officer")),
        ("recognition.revoked", {"subject_id": "HH-1"}, ("household_representative", "village_officer")),
        (
            "recognition.dependency_unmet",
            {"subject_id": "26734-T1"},
            ("commune_association_officer", "commune_chairman"),
        ),
        (
            "recognition.dependency_restored",
            {"subject_id": "26734-T1"},
            ("commune_association_officer", "commune_chairman"),
        ),
    ],
)
def test_each_event_type_tells_the_roles_whose_business_it_is(
    event_type: str, payload: dict[str, object], roles: tuple[str, ...]
) -> None:
    assert roles_for(_event(event_type, **payload)) == roles


def test_an_overdue_case_without_a_waiting_role_tells_the_household() -> None:
    assert roles_for(_event("case.overdue")) == ("household_representative",)


def test_an_unknown_event_tells_whoever_it_waits_on_or_nobody() -> None:
    assert roles_for(_event("x.happened", waiting_on_role="unit_head")) == ("unit_head",)
    assert roles_for(_event("x.happened")) == ()


def test_a_role_named_twice_is_told_once() -> None:
    assert roles_for(_event("case.review_passed", to="draft")) == ("household_representative",)


def test_categories_group_event_types_for_preferences() -> None:
    assert category_of("case.submitted") == "cases"
    assert category_of("case.escalated") == "deadlines"
    assert category_of("subjects.imported") == "imports"
    assert category_of("x.happened") == "other"
    assert {category_of(t) for t in ("round.posted", "objection.filed", "case.decided", "round.opened")} == {
        "cases"
    }
    assert category_of("round.created") == "awards"
    assert {category_of(t) for t in ("round.reminder_due", "report.reminder_due")} == {"deadlines"}
    assert DIGESTIBLE == {"case.reminder_due", "case.overdue"}


def test_the_unit_and_the_actor_come_from_the_payload() -> None:
    assert admin_unit_of(_event("case.opened")) == "26734"
    assert admin_unit_of(Event(type="evidence.uploaded", source="e", payload={})) is None
    assert actor_of(_event("case.submitted", actor="lan")) == "lan"
    assert actor_of(_event("case.submitted", actor=None)) is None


def test_units_are_the_subjects_village_or_each_village_of_the_posting_or_the_unit() -> None:
    decided = _event("case.decided", village_code="26734-T01")
    assert units_for(decided, "household_representative") == ("26734-T01",)
    assert units_for(decided, "village_officer") == ("26734-T01",)
    posted = _event("round.posted", village_codes=["26734-T01", "26734-T02"])
    assert units_for(posted, "village_officer") == ("26734-T01", "26734-T02")
    assert units_for(posted, "commune_association_officer") == ("26734",)
    assert units_for(_event("round.posted", village_codes=[]), "village_officer") == ("26734",)
    assert units_for(Event(type="x", source="e", payload={}), "village_officer") == ()
    # A recognition left short of its dependency is the commune's to judge, not its village's.
    unmet = _event("recognition.dependency_unmet", subject_id="26734-T01", subject_village_code="26734-T01")
    assert units_for(unmet, "commune_chairman") == ("26734",)


def test_a_restored_dependency_tells_whoever_was_told_of_the_flag_in_the_same_category() -> None:
    payload = {"subject_id": "26734-T01", "subject_village_code": "26734-T01"}
    unmet = _event("recognition.dependency_unmet", **payload)
    restored = _event("recognition.dependency_restored", **payload)
    assert roles_for(restored) == roles_for(unmet)
    assert category_of(restored.type) == category_of(unmet.type) == "cases"
    for role in roles_for(restored):
        assert units_for(restored, role) == units_for(unmet, role) == ("26734",)
