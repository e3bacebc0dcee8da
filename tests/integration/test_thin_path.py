"""The thin path through every part, on real components: HTTP -> workflow -> activity -> outbox ->
broker -> consumer -> inbox, and an evidence file round-tripping through the S3 server."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid

import pytest
import requests
import sqlalchemy as sa
from kombu import Producer

from common import events as ev
from common.auth import Principal
from common.db import make_engine
from services.evaluation.adapters import tables as evaluation_tables
from services.notifications.adapters import tables as notification_tables
from tests.conftest import HCMC_WARD, assert_eventually
from tests.integration.conftest import Stack
from tests.signin import add_household, bearer

pytestmark = pytest.mark.integration


def _open_case(stack: Stack, subject_id: str, unit: str = HCMC_WARD) -> tuple[int, dict]:
    body = {"year": 2027, "title": "learning_family", "subject_id": subject_id, "admin_unit_code": unit}
    response = stack.evaluation.post("/cases", json=body, headers=_officer(stack))
    return response.status_code, response.get_json()


def _household(stack: Stack) -> str:
    """A household registered in the ward (`POST /cases` takes registered subjects only); its id is its
    code, a readable "HH-…"."""
    subject = f"HH-{uuid.uuid4().hex[:8]}"
    url = stack.evaluation_settings.database_url
    return add_household(url, commune_code=HCMC_WARD, code=subject, village="KP1", household_id=subject)


def _officer(stack: Stack) -> dict[str, str]:
    """The ward's village officer, signed in."""
    return stack.sign_in(role="village_officer", scope_code=HCMC_WARD, username="can-bo-thon-1")


def _officer_of(stack: Stack, unit: str) -> dict[str, str]:
    """A token for an officer answering for `unit` (tokens are stateless: no account needed)."""
    principal = Principal(
        user_id=str(uuid.uuid4()), username=f"can-bo-{unit}", role="village_officer", scope_code=unit,
        scope_path=f"vn/{unit}",
    )  # fmt: skip
    return bearer(stack.common.secret_key, principal)


async def _inbox(stack: Stack, recipient: str, headers: dict[str, str] | None = None) -> dict:
    # The group inbox of the officer's own unit (the notifications API serves the caller's inboxes only).
    response = await asyncio.to_thread(
        stack.notifications.get,
        "/inbox",
        query_string={"recipient": recipient},
        headers=headers or _officer(stack),
    )
    assert response.status_code == 200
    return response.get_json()


async def test_opening_a_case_reaches_the_inbox_once_and_a_double_submit_opens_nothing(stack: Stack) -> None:
    subject = await asyncio.to_thread(_household, stack)
    unit = HCMC_WARD
    status, first = await asyncio.to_thread(_open_case, stack, subject, unit)
    assert status == 202 and first["created"] is True
    assert first["workflow_id"] == f"recognition/2027/learning_family/{subject}"

    status, again = await asyncio.to_thread(_open_case, stack, subject, unit)
    assert status == 200 and again == {**first, "created": False}

    async def case_written() -> dict:
        response = await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{first['case_id']}", headers=_officer(stack)
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    case = await assert_eventually(case_written)
    assert case["status"] == "draft" and case["opened_by"] == "can-bo-thon-1"

    # The case names its household's village: the village's staff are told (this consumer has no
    # directory, so the village's group inbox stands for them; a directory resolves those covering it).
    village = f"{unit}.KP1"

    async def inbox_has_item() -> dict:
        inbox = await _inbox(stack, f"unit:{village}", _officer_of(stack, village))
        assert len(inbox["items"]) == 1
        return inbox

    inbox = await assert_eventually(inbox_has_item)  # each test has its own database: only this case
    assert inbox["unread"] == 1
    assert inbox["items"][0]["subject_vi"].startswith("Hồ sơ mới được mở")

    engine = make_engine(stack.evaluation_settings.database_url)
    with engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(evaluation_tables.cases)).scalar_one() == 1
        events = db.execute(sa.select(evaluation_tables.outbox)).all()
    assert [e.event_type for e in events] == ["case.opened"]
    assert events[0].published_at is not None


async def test_a_redelivered_event_stores_nothing_twice(stack: Stack) -> None:
    unit = str(10000 + uuid.uuid4().int % 89999)
    event = ev.Event(
        type="case.opened",
        source="evaluation",
        payload={"case_id": str(uuid.uuid4()), "admin_unit_code": unit, "title": "t", "year": 2026},
    )
    with ev.broker_connection(stack.common.broker_url) as conn:
        producer = Producer(conn.channel(), exchange=ev.exchange(), serializer="json")
        for _ in range(3):  # the same message id three times, as a relay crash before commit would do
            producer.publish(
                event.to_message(), routing_key=event.type, message_id=event.id, declare=ev.queues()
            )

    engine = make_engine(stack.notifications_settings.database_url)

    def processed() -> None:
        with engine.connect() as db:
            seen = db.execute(
                sa.select(sa.func.count()).select_from(notification_tables.processed_events)
            ).scalar_one()
        assert seen >= 1

    await assert_eventually(processed)
    await asyncio.sleep(1.0)  # leave time for the two redeliveries to be consumed
    inbox = await _inbox(stack, f"unit:{unit}", _officer_of(stack, unit))
    assert len(inbox["items"]) == 1


async def test_evidence_round_trips_through_s3_with_its_sha256(stack: Stack) -> None:
    subject = await asyncio.to_thread(_household, stack)
    status, opened = await asyncio.to_thread(_open_case, stack, subject)

    async def case_exists() -> None:
        response = await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{opened['case_id']}", headers=_officer(stack)
        )
        assert response.status_code == 200

    await assert_eventually(case_exists)
    content = b"%PDF-1.7\n" + bytes(range(256)) * 4000  # ~1 MB, streamed in parts
    name = "Giấy chứng nhận học sinh giỏi.pdf"
    response = await asyncio.to_thread(
        stack.evaluation.post,
        f"/cases/{opened['case_id']}/evidence",
        data={"file": (io.BytesIO(content), name), "indicator_code": "1.2"},
        content_type="multipart/form-data",
        headers=_officer(stack),
    )
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["sha256"] == hashlib.sha256(content).hexdigest()
    assert item["size"] == len(content) and item["content_type"] == "application/pdf"
    assert item["file_name"] == name

    downloaded = await asyncio.to_thread(requests.get, item["download_url"], timeout=10)
    assert downloaded.status_code == 200
    assert hashlib.sha256(downloaded.content).hexdigest() == item["sha256"]

    verify = await asyncio.to_thread(
        stack.evaluation.get, f"/evidence/{item['id']}/verify", headers=_officer(stack)
    )
    assert verify.get_json() == {"evidence_id": item["id"], "sha256": item["sha256"], "intact": True}

    listed = await asyncio.to_thread(
        stack.evaluation.get, f"/cases/{opened['case_id']}/evidence", headers=_officer(stack)
    )
    assert [e["id"] for e in listed.get_json()] == [item["id"]]
