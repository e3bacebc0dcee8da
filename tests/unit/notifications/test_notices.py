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
HOA = Recipient("hoa", "Lê Thị Hoa", "hoa@example.vn", "household_representative", COMMUNE, "HH-HOA")
NAM = Recipient("nam", "Đỗ Văn Nam", "nam@example.vn", "household_representative", COMMUNE, "HH-NAM")
TUAN = Recipient("tuan", "Phạm Anh Tuấn", None, "commune_chairman", PROVINCE)
ELSEWHERE = Recipient("xa-khac", "", "k@example.vn", "village_officer", "26735")


@pytest.fixture
def directory() -> FakeResolver:
    return FakeResolver(users=[LAN, MINH, HOA, NAM, TUAN, ELSEWHERE], parents={COMMUNE: PROVINCE})


def test_users_of_each_role_over_the_unit_are_told(directory: FakeResolver) -> None:
    event = Event(
        type="case.opened", source="e", payload={"admin_unit_code": COMMUNE, "subject_id": "HH-HOA"}
    )
    assert [r.username for r in resolve_recipients(directory, event)] == ["hoa", "lan", "minh"]
    assert directory.asked == [("household_representative", COMMUNE), ("village_officer", COMMUNE)]


def test_a_household_is_told_of_its_own_case_only_never_of_a_neighbours(directory: FakeResolver) -> None:
    mine = Event(
        type="case.evidence_requested",
        source="e",
        payload={"admin_unit_code": COMMUNE, "subject_id": "HH-NAM"},
    )
    assert resolve_recipients(directory, mine) == [NAM]
    unnamed = Event(type="case.evidence_requested", source="e", payload={"admin_unit_code": COMMUNE})
    assert resolve_recipients(directory, unnamed) == []  # no subject: no household is told, none is asked
    assert directory.asked == [("household_representative", COMMUNE)]


def test_a_user_whose_scope_contains_the_unit_is_told(directory: FakeResolver) -> None:
    event = Event(
        type="case.escalated", source="e", payload={"admin_unit_code": COMMUNE, "role": "commune_chairman"}
    )
    assert resolve_recipients(directory, event) == [TUAN]


def test_the_actor_is_not_told_of_their_own_step(directory: FakeResolver) -> None:
    event = Event(type="case.submitted", source="e", payload={"admin_unit_code": COMMUNE, "actor": "lan"})
    assert resolve_recipients(directory, event) == [MINH]


def test_an_account_change_is_told_to_the_accounts_owner_alone(directory: FakeResolver) -> None:
    def change(username: str, role: str, subject_id: str | None = None) -> Event:
        payload = {"admin_unit_code": COMMUNE, "role": role, "addressee": username, "actor": "quan-tri"}
        return Event(type="account.access_changed", source="e", payload={**payload, "subject_id": subject_id})

    assert resolve_recipients(directory, change("minh", "village_officer")) == [MINH]  # not Lan, same role
    assert resolve_recipients(directory, change("hoa", "household_representative", "HH-HOA")) == [HOA]
    assert resolve_recipients(directory, change("nobody", "village_officer")) == []  # no such account
    # Found by username alone: the units' lookups are not asked.
    assert directory.asked == [("account", "minh"), ("account", "hoa"), ("account", "nobody")]


def test_a_locked_or_national_account_is_told_of_a_change_to_it(directory: FakeResolver) -> None:
    locked = Recipient("khoa", "Vũ Văn Khóa", "khoa@example.vn", "village_officer", COMMUNE)
    national = Recipient("quoc-gia", "Kiểm toán", "kt@example.vn", "auditor", "")
    directory.locked = [locked]
    directory.users.append(national)
    lock = Event(
        type="account.access_changed",
        source="e",
        payload={"admin_unit_code": COMMUNE, "addressee": "khoa", "change": "locked", "actor": "quan-tri"},
    )
    assert resolve_recipients(directory, lock) == [locked]  # the unit's lookup skips a locked account
    unlock = Event(
        type="account.access_changed",
        source="e",
        payload={"admin_unit_code": None, "addressee": "quoc-gia", "change": "unlocked", "actor": "quan-tri"},
    )
    assert resolve_recipients(directory, unlock) == [national]  # no unit: found all the same


def test_an_account_change_made_by_its_owner_tells_nobody(directory: FakeResolver) -> None:
    own = Event(
        type="account.access_changed",
        source="e",
        payload={"admin_unit_code": COMMUNE, "addressee": "minh", "actor": "minh", "change": "password_set"},
    )
    assert resolve_recipients(directory, own) == []
    assert directory.asked == []


def test_an_account_notice_waits_while_the_directory_is_down(directory: FakeResolver) -> None:
    directory.down = True
    with pytest.raises(RecipientsUnavailable):
        resolve_recipients(
            directory,
            Event(
                type="account.access_changed", source="e", payload={"addressee": "minh", "actor": "quan-tri"}
            ),
        )


def test_an_event_without_an_admin_unit_tells_nobody_and_asks_nothing(directory: FakeResolver) -> None:
    assert resolve_recipients(directory, Event(type="evidence.uploaded", source="e", payload={})) == []
    assert directory.asked == []


def test_a_directory_outage_is_raised_for_the_consumer_to_wait(directory: FakeResolver) -> None:
    directory.down = True
    with pytest.raises(RecipientsUnavailable):
        resolve_recipients(
            directory, Event(type="case.opened", source="e", payload={"admin_unit_code": COMMUNE})
        )


def test_the_rounds_events_reach_the_people_who_act() -> None:
    v1, v2 = f"{COMMUNE}-T01", f"{COMMUNE}-T02"
    thon1 = Recipient("thon1", "", None, "village_officer", v1)
    thon2 = Recipient("thon2", "", None, "village_officer", v2)
    hoi = Recipient("hoi", "", None, "commune_association_officer", COMMUNE)
    hoa = Recipient("hoa", "", None, "household_representative", v1, "HH-HOA")
    nam = Recipient("nam", "", None, "household_representative", v1, "HH-NAM")
    directory = FakeResolver(
        users=[thon1, thon2, hoi, hoa, nam, ELSEWHERE], parents={v1: COMMUNE, v2: COMMUNE, COMMUNE: PROVINCE}
    )
    posted = Event(
        type="round.posted", source="e", payload={"admin_unit_code": COMMUNE, "village_codes": [v1, v2]}
    )
    assert [r.username for r in resolve_recipients(directory, posted)] == ["thon1", "thon2"]
    objection = Event(
        type="objection.filed", source="e", payload={"admin_unit_code": COMMUNE, "actor": "thon1"}
    )
    assert resolve_recipients(directory, objection) == [hoi]
    decided = Event(
        type="case.decided",
        source="e",
        payload={"admin_unit_code": COMMUNE, "village_code": v1, "subject_id": "HH-HOA"},
    )
    assert [r.username for r in resolve_recipients(directory, decided)] == ["hoa", "thon1"]  # not nam
