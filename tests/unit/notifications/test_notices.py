"""Recipient resolution of an event: roles over the event's admin unit, each user once, never the actor
(pure, with a fake user directory)."""

from __future__ import annotations

import pytest

from common.events import Event
from services.notifications.domain.errors import RecipientsUnavailable
from services.notifications.domain.model import Recipient
from services.notifications.service.notices import resolve_recipients
from tests.unit.notifications.fakes import FakeResolver

COMMUNE, PROVINCE = "26734", "79"
LAN = Recipient("lan", "Nguyễn Thị Lan", "lan@example.vn", "village_officer", COMMUNE)
MINH = Recipient("minh", "Trần Văn Minh", "minh@example.vn", "village_officer", COMMUNE)
HOA = Recipient("hoa", "Lê Thị Hoa", "hoa@example.vn", "household_representative", COMMUNE)
TUAN = Recipient("tuan", "Phạm Anh Tuấn", None, "commune_chairman", PROVINCE)
ELSEWHERE = Recipient("xa-khac", "", "k@example.vn", "village_officer", "26735")


@pytest.fixture
def directory() -> FakeResolver:
    return FakeResolver(users=[LAN, MINH, HOA, TUAN, ELSEWHERE], parents={COMMUNE: PROVINCE})


def test_users_of_each_role_over_the_unit_are_told(directory: FakeResolver) -> None:
    event = Event(type="case.opened", source="e", payload={"admin_unit_code": COMMUNE})
    assert [r.username for r in resolve_recipients(directory, event)] == ["hoa", "lan", "minh"]
    assert directory.asked == [("household_representative", COMMUNE), ("village_officer", COMMUNE)]


def test_a_user_whose_scope_contains_the_unit_is_told(directory: FakeResolver) -> None:
    event = Event(
        type="case.escalated", source="e", payload={"admin_unit_code": COMMUNE, "role": "commune_chairman"}
    )
    assert resolve_recipients(directory, event) == [TUAN]


def test_the_actor_is_not_told_of_their_own_step(directory: FakeResolver) -> None:
    event = Event(type="case.submitted", source="e", payload={"admin_unit_code": COMMUNE, "actor": "lan"})
    assert resolve_recipients(directory, event) == [MINH]


def test_an_event_without_an_admin_unit_tells_nobody_and_asks_nothing(directory: FakeResolver) -> None:
    assert resolve_recipients(directory, Event(type="evidence.uploaded", source="e", payload={})) == []
    assert directory.asked == []


def test_a_directory_outage_is_raised_for_the_consumer_to_wait(directory: FakeResolver) -> None:
    directory.down = True
    with pytest.raises(RecipientsUnavailable):
        resolve_recipients(
            directory, Event(type="case.opened", source="e", payload={"admin_unit_code": COMMUNE})
        )
