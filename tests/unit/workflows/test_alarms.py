"""The alarms of a phase (pure date arithmetic, run by the case workflow as a local activity)."""

from __future__ import annotations

from workflows.alarms import compute_alarms
from workflows.recognition import contracts as c

CLOSES = "2027-10-15T23:59:59+07:00"


def _draft(start: str, opens: str = "") -> c.AlarmsInput:
    return c.AlarmsInput(
        deadline=CLOSES,
        start=start,
        limit_days=None,
        limit_working_days=False,
        reminder_lead_days=3,
        reminder_working_days=False,
        escalation=[c.EscalationStep("commune_chairman", "commune", 5, False, "escalate")],
        days_off=[],
        opens=opens,
    )


def test_a_draft_opened_before_its_window_is_told_when_it_opens_then_reminded_and_escalated() -> None:
    alarms = compute_alarms(_draft("2026-11-25T10:00:00+07:00", opens="2027-09-01T00:00:00+07:00"))
    assert [(a.kind, a.at) for a in alarms] == [
        ("opened", "2027-09-01T00:00:00+07:00"),
        ("reminder", "2027-10-12T08:00:00+07:00"),
        ("overdue", CLOSES),
        ("escalated", "2027-10-20T23:59:59+07:00"),
    ]


def test_a_draft_opened_inside_its_window_or_recorded_before_the_field_gets_no_opening_notice() -> None:
    inside = compute_alarms(_draft("2027-09-02T10:00:00+07:00", opens="2027-09-01T00:00:00+07:00"))
    recorded_before = compute_alarms(_draft("2026-11-25T10:00:00+07:00"))
    assert (
        [a.kind for a in inside] == [a.kind for a in recorded_before] == ["reminder", "overdue", "escalated"]
    )
