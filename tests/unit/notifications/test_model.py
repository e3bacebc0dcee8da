"""Notification subjects and recipients of events (pure)."""

from __future__ import annotations

from common.events import Event
from services.notifications.domain.model import recipients_for, subjects_for


def test_a_case_opened_event_has_vietnamese_and_english_subjects() -> None:
    event = Event(type="case.opened", source="evaluation", payload={"title": "learning_family", "year": 2026})
    assert subjects_for(event) == (
        "Hồ sơ mới được mở: learning_family năm 2026",
        "New case opened: learning_family 2026",
    )


def test_an_unknown_event_type_still_gets_a_subject() -> None:
    assert subjects_for(Event(type="x.happened", source="s", payload={})) == ("Thông báo: x.happened", "Notice: x.happened")


def test_a_template_missing_a_value_falls_back_instead_of_failing() -> None:
    assert subjects_for(Event(type="case.opened", source="s", payload={}))[1] == "Notice: case.opened"


def test_the_unit_of_the_case_is_addressed() -> None:
    assert recipients_for(Event(type="case.opened", source="s", payload={"admin_unit_code": "26734"})) == ["unit:26734"]
    assert recipients_for(Event(type="case.opened", source="s", payload={})) == []


def test_events_survive_the_broker_round_trip() -> None:
    event = Event(type="case.opened", source="evaluation", payload={"a": "Thôn Đông"})
    assert Event.from_message(event.to_message()) == event
