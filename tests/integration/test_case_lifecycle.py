"""A case through every step by HTTP on the real Temporal dev server: If-Match on every change (412 for
a stale one, 428 when missing), two reviewers at once, refusals with a reason, the task inbox."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from common.auth import Principal
from common.settings import DEFAULT_SECRET_KEY
from services.evaluation.app import build_storage
from services.evaluation.documents.criteria import get_criteria_set
from tests.conftest import HCMC_WARD, OPEN_YEAR, assert_eventually
from tests.integration.conftest import Stack
from tests.signin import add_household, bearer

pytestmark = pytest.mark.integration

FULL = {i.code: i.max_points for i in get_criteria_set("gia-dinh-hoc-tap", "2023.1").indicators_for(None)}


# The household of each case opened here; a household representative's token names its household.
_SUBJECT_OF: dict[str, str] = {}
_LAST_SUBJECT: list[str] = [""]


def _headers(
    role: str,
    version: int | None = None,
    user: str | None = None,
    scope: str | None = HCMC_WARD,
    subject: str | None = None,
) -> dict[str, str]:
    """A token for `role` over the ward (or the whole country with scope=None); tokens are stateless.
    A household representative represents `subject` (default: the household of the last case opened)."""
    principal = Principal(
        user_id=f"id-{role}",
        username=user or f"{role}-1",
        role=role,
        scope_code=scope,
        scope_path=f"79/{scope}" if scope else "",
        subject_id=(subject or _LAST_SUBJECT[0]) if role == "household_representative" else None,
    )
    h = bearer(DEFAULT_SECRET_KEY, principal)
    if version is not None:
        h["If-Match"] = f'"{version}"'
    return h


async def _household(stack: Stack, commune: str = HCMC_WARD) -> str:
    """A household registered in the commune (`POST /cases` takes registered subjects only); its id is
    its code, a readable "HH-…"."""
    subject = f"HH-{uuid.uuid4().hex[:8]}"
    url = stack.evaluation_settings.database_url
    return await asyncio.to_thread(
        add_household, url, commune_code=commune, code=subject, village="KP1", household_id=subject
    )


async def _open(stack: Stack) -> str:
    body = {
        "year": OPEN_YEAR,
        "title": "learning_family",
        "subject_id": await _household(stack),
        "admin_unit_code": HCMC_WARD,
    }
    r = await asyncio.to_thread(
        stack.evaluation.post, "/cases", json=body, headers=_headers("village_officer")
    )
    assert r.status_code == 202, r.get_json()
    case_id = r.get_json()["case_id"]
    _SUBJECT_OF[case_id] = _LAST_SUBJECT[0] = body["subject_id"]

    async def ready() -> None:
        got = await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}", headers=_headers("village_officer")
        )
        assert got.status_code == 200 and got.headers["ETag"] == '"1"'
        tasks = await asyncio.to_thread(
            stack.evaluation.get, "/tasks", headers=_headers("household_representative")
        )
        assert case_id in [t["id"] for t in tasks.get_json()["items"]]

    await assert_eventually(ready)
    return case_id


async def _step(stack: Stack, case_id: str, role: str, version: int | None, **body: Any):
    return await asyncio.to_thread(
        stack.evaluation.post,
        f"/cases/{case_id}/steps",
        json=body,
        headers=_headers(role, version, subject=_SUBJECT_OF.get(case_id)),
    )


async def test_opening_answers_when_the_case_takes_its_first_step(stack: Stack) -> None:
    """POST /cases waits for the opening activities: no polling before the first step."""
    body = {"year": OPEN_YEAR, "title": "learning_family", "subject_id": await _household(stack)}
    body["admin_unit_code"] = HCMC_WARD
    r = await asyncio.to_thread(
        stack.evaluation.post, "/cases", json=body, headers=_headers("village_officer")
    )
    assert r.status_code == 202 and r.get_json()["ready"] is True, r.get_json()
    case_id = r.get_json()["case_id"]
    _SUBJECT_OF[case_id] = body["subject_id"]
    got = await asyncio.to_thread(
        stack.evaluation.get, f"/cases/{case_id}", headers=_headers("village_officer")
    )
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    r = await _step(stack, case_id, "household_representative", 1, action="submit", scores=FULL)
    assert r.status_code == 200, r.get_json()
    again = await asyncio.to_thread(
        stack.evaluation.post, "/cases", json=body, headers=_headers("village_officer")
    )
    assert again.status_code == 200 and again.get_json()["created"] is False
    assert again.get_json()["case_id"] == case_id and again.get_json()["ready"] is True


async def test_opening_with_no_worker_answers_not_ready_in_bounded_time(temporal_dev: Any) -> None:
    """Update-with-start when nothing runs the workflow: the wait runs out, the workflow is started all
    the same (created), and the same start again creates nothing; both within the bound."""
    from common.temporal_gateway import TemporalGateway
    from workflows.recognition import contracts as c

    target = temporal_dev.client.service_client.config.target_host
    gateway = TemporalGateway(target, temporal_dev.client.namespace)
    workflow_id = f"recognition/2027/learning_family/HH-{uuid.uuid4().hex[:8]}"
    arg = c.CaseInput(
        case_id=uuid.uuid4().hex,
        year=2027,
        title="learning_family",
        subject_id="HH-x",
        admin_unit_code=HCMC_WARD,
        opened_by="test",
        plan_code="ho-chi-minh-city-2023",
    )

    def open_() -> tuple[Any, Any, float]:
        started = time.monotonic()
        got, ready = gateway.start_and_wait(
            c.WORKFLOW_NAME,
            arg,
            workflow_id=workflow_id,
            task_queue=f"nobody-polls-{uuid.uuid4().hex[:6]}",
            update=c.WAIT_OPENED,
            timeout=1.0,
            result_type=c.CaseStatus,
        )
        return got, ready, time.monotonic() - started

    first, ready, took = await asyncio.to_thread(open_)
    assert first.created is True and ready is None and took < 5, (first, took)
    again, ready, took = await asyncio.to_thread(open_)
    assert again.created is False and ready is None and took < 5, (again, took)
    await temporal_dev.client.get_workflow_handle(workflow_id).terminate("test over")


async def test_a_case_goes_through_every_step_by_http(stack: Stack) -> None:
    case_id = await _open(stack)
    r = await _step(stack, case_id, "household_representative", 1, action="submit", scores=FULL)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "village_review" and r.headers["ETag"] == '"2"'

    async def in_village_inbox_with_due_date() -> None:
        got = await asyncio.to_thread(stack.evaluation.get, "/tasks", headers=_headers("village_officer"))
        items = got.get_json()["items"]
        assert [t["id"] for t in items] == [case_id] and items[0]["due_at"]

    await assert_eventually(in_village_inbox_with_due_date)
    r = await _step(
        stack,
        case_id,
        "village_officer",
        2,
        action="adjust_score",
        indicator_code="1.1",
        scores={"1.1": 8},
        reason="Một cháu chưa đi học đúng độ tuổi",
    )
    assert r.status_code == 200
    assert (await _step(stack, case_id, "village_officer", 3, action="pass_review")).get_json()[
        "status"
    ] == "commune_review"
    r = await _step(
        stack,
        case_id,
        "commune_association_officer",
        4,
        action="request_evidence",
        reason="Cần bản sao giấy khen",
    )
    assert r.get_json()["status"] == "evidence_requested"
    assert (
        await _step(stack, case_id, "household_representative", 5, action="provide_evidence")
    ).status_code == 200
    r = await _step(stack, case_id, "commune_association_officer", 6, action="pass_review")
    assert r.get_json() == {"status": "awaiting_decision", "version": 7, "due_at": None}
    scores = (
        await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}/scores", headers=_headers("village_officer")
        )
    ).get_json()
    by_code = {s["indicator_code"]: s for s in scores}
    assert by_code["1.1"]["self_score"] == 10 and by_code["1.1"]["village_score"] == 8
    history = (
        await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}/history", headers=_headers("auditor")
        )
    ).get_json()
    steps = [e for e in history["entries"] if not e["action"].startswith("deadline.")]
    assert [e["action"] for e in steps] == [
        "case.opened",
        "case.submitted",
        "case.score_adjusted",
        "case.review_passed",
        "case.evidence_requested",
        "case.evidence_provided",
        "case.review_passed",
    ]
    adjusted = steps[2]
    assert adjusted["role"] == "village_officer" and adjusted["reason"] == "Một cháu chưa đi học đúng độ tuổi"
    assert adjusted["criteria_set_key"] == "gia-dinh-hoc-tap@2023.1" and adjusted["workflow_id"]
    assert history["verified"] is True


async def test_changes_need_the_current_etag(stack: Stack) -> None:
    case_id = await _open(stack)
    missing = await _step(
        stack, case_id, "household_representative", None, action="save_draft", scores={"1.1": 5}
    )
    assert missing.status_code == 428
    stale = await _step(stack, case_id, "household_representative", 7, action="save_draft", scores={"1.1": 5})
    assert stale.status_code == 412 and stale.get_json()["code"] == "precondition_failed"


async def test_two_reviewers_at_once_one_wins_the_other_gets_412(stack: Stack) -> None:
    case_id = await _open(stack)
    await _step(stack, case_id, "household_representative", 1, action="submit", scores=FULL)

    def review(action: str, reason: str = "") -> int:
        r = stack.evaluation.post(
            f"/cases/{case_id}/steps",
            json={"action": action, "reason": reason},
            headers=_headers("village_officer", 2),
        )
        return r.status_code

    def both() -> list[int]:
        with ThreadPoolExecutor(2) as pool:
            return sorted(
                pool.map(lambda a: review(*a), [("pass_review", ""), ("request_evidence", "Thiếu ảnh")])
            )

    results = await asyncio.to_thread(both)  # the workers run on this test's event loop: keep it free
    assert results == [200, 412]
    case = (
        await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}", headers=_headers("village_officer")
        )
    ).get_json()
    assert case["version"] == 3


@pytest.mark.parametrize(
    ("role", "body", "status", "field"),
    [
        ("village_officer", {"action": "pass_review"}, 409, None),  # nothing submitted yet
        ("auditor", {"action": "submit", "scores": FULL}, 403, None),  # auditors never change a case
        (
            "household_representative",
            {"action": "submit", "scores": {**FULL, "1.1": 11, "9.9": 1}},
            422,
            "scores.1.1",
        ),
        ("household_representative", {"action": "withdraw", "reason": ""}, 422, None),
        ("household_representative", {"action": "fly"}, 422, "action"),
        ("household_representative", {"action": "submit", "colour": "red"}, 422, "json"),
    ],
)
async def test_refused_steps_say_why_and_change_nothing(
    stack: Stack, role: str, body: dict, status: int, field: str | None
) -> None:
    case_id = await _open(stack)
    r = await _step(stack, case_id, role, 1, **body)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["message"]
    if field:
        assert field in r.get_json()["errors"] or field in r.get_json()["errors"].get("json", {})
    got = await asyncio.to_thread(
        stack.evaluation.get, f"/cases/{case_id}", headers=_headers("village_officer")
    )
    assert got.get_json()["version"] == 1


async def test_a_submit_before_the_window_opens_is_409_naming_the_date_and_a_draft_is_kept(
    stack: Stack,
) -> None:
    """The stack's plan opens self-assessment on 01/01 (`activate_open_window_plan`): a case of next year
    is opened and its draft saved, but its submit is refused before the workflow's history (no new version), in Vietnamese
    and, on request, English."""
    subject = await _household(stack)
    body = {
        "year": OPEN_YEAR + 1,
        "title": "learning_family",
        "subject_id": subject,
        "admin_unit_code": HCMC_WARD,
    }
    r = await asyncio.to_thread(
        stack.evaluation.post, "/cases", json=body, headers=_headers("village_officer")
    )
    assert r.status_code == 202, r.get_json()
    case_id = r.get_json()["case_id"]
    _SUBJECT_OF[case_id] = subject
    r = await _step(stack, case_id, "household_representative", 1, action="save_draft", scores={"1.1": 5})
    assert r.status_code == 200 and r.get_json()["version"] == 2, r.get_json()
    r = await _step(stack, case_id, "household_representative", 2, action="submit", scores=FULL)
    assert r.status_code == 409, r.get_json()
    opens = f"{OPEN_YEAR + 1}-01-01"
    assert r.get_json()["code"] == "self_assessment_not_open" and r.get_json()["errors"] == {"opens": opens}
    assert f"01/01/{OPEN_YEAR + 1}" in r.get_json()["message"]
    english = await asyncio.to_thread(
        stack.evaluation.post,
        f"/cases/{case_id}/steps",
        json={"action": "submit", "scores": FULL},
        headers={**_headers("household_representative", 2, subject=subject), "Accept-Language": "en"},
    )
    assert english.status_code == 409 and english.get_json()["message"].startswith(
        f"Self-assessment has not opened yet: it can be submitted from {opens}"
    ), english.get_json()
    got = await asyncio.to_thread(
        stack.evaluation.get, f"/cases/{case_id}", headers=_headers("village_officer")
    )
    assert got.headers["ETag"] == '"2"' and got.get_json()["status"] == "draft"
    # the window the case lives by, as its plan version gives it for the case's year
    assert got.get_json()["self_assessment"] == {"opens": opens, "closes": f"{OPEN_YEAR + 1}-12-31"}


async def test_a_step_the_state_refuses_is_409_before_its_scores_are_judged(stack: Stack) -> None:
    case_id = await _open(stack)
    r = await _step(stack, case_id, "household_representative", 1, action="submit", scores=FULL)
    assert r.status_code == 200, r.get_json()
    bad = {**FULL, "1.1": 11}  # out of range, but the case is past the household's submit anyway
    r = await _step(stack, case_id, "household_representative", 2, action="submit", scores=bad)
    assert r.status_code == 409 and r.get_json()["code"] == "invalid_transition", r.get_json()
    assert "village_review" in r.get_json()["message"]


async def test_opening_a_case_without_a_covering_plan_is_422(stack: Stack) -> None:
    subject = await _household(stack, "15664")  # registered there: the refusal is the plan's alone
    body = {"year": 2026, "title": "learning_family", "subject_id": subject, "admin_unit_code": "15664"}
    national = _headers("administrator", scope=None)
    r = await asyncio.to_thread(stack.evaluation.post, "/cases", json=body, headers=national)
    assert r.status_code == 422 and r.get_json()["errors"]["plan_code"] == [
        "Hãy chọn một trong các kế hoạch: trieu-son-2023, van-hoa-2023."
    ]
    hoan_kiem = {**body, "subject_id": await _household(stack, "00070"), "admin_unit_code": "00070"}
    r = await asyncio.to_thread(stack.evaluation.post, "/cases", json=hoan_kiem, headers=national)
    assert r.status_code == 422 and "admin_unit_code" in r.get_json()["errors"]


async def test_a_subject_not_in_the_unit_register_is_422_and_nothing_is_started_or_written(
    stack: Stack, temporal_dev: Any
) -> None:
    """An unknown household, and a registered one of another commune named by its id: 422 naming
    `subject_id`, no workflow on the real Temporal server, no case row, no case event."""
    import sqlalchemy as sa
    from temporalio.service import RPCError, RPCStatusCode

    from common.db import make_engine
    from services.evaluation.adapters import tables as t
    from workflows import ids

    unknown, hanoi = f"HH-{uuid.uuid4().hex[:8]}", await _household(stack, "00070")
    for subject in (unknown, hanoi):
        body = {
            "year": OPEN_YEAR,
            "title": "learning_family",
            "subject_id": subject,
            "admin_unit_code": HCMC_WARD,
        }
        r = await asyncio.to_thread(
            stack.evaluation.post, "/cases", json=body, headers=_headers("village_officer")
        )
        assert r.status_code == 422 and list(r.get_json()["errors"]) == ["subject_id"], r.get_json()
        workflow_id = ids.recognition_workflow_id(OPEN_YEAR, "learning_family", subject)
        with pytest.raises(RPCError) as described:
            await temporal_dev.client.get_workflow_handle(workflow_id).describe()
        assert described.value.status == RPCStatusCode.NOT_FOUND
    engine = make_engine(stack.evaluation_settings.database_url)
    with engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(t.cases)).scalar_one() == 0
        events = sa.select(sa.func.count()).where(t.outbox.c.event_type.startswith("case."))
        assert db.execute(events).scalar_one() == 0
    engine.dispose()


async def test_reviewers_judge_each_evidence_file_with_a_reason(stack: Stack) -> None:
    case_id = await _open(stack)
    upload = await asyncio.to_thread(
        stack.evaluation.post,
        f"/cases/{case_id}/evidence",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%giay khen\n"), "Giấy khen.pdf"), "indicator_code": "1.2"},
        content_type="multipart/form-data",
        headers=_headers("household_representative"),
    )
    assert upload.status_code == 201, upload.get_json()
    evidence_id = upload.get_json()["id"]
    verdict_url = f"/evidence/{evidence_id}/verdict"
    too_early = await asyncio.to_thread(
        stack.evaluation.post, verdict_url, json={"verdict": "accepted"}, headers=_headers("village_officer")
    )
    assert too_early.status_code == 409  # still a draft: nothing to review yet
    await _step(stack, case_id, "household_representative", 1, action="submit", scores=FULL)
    no_reason = await asyncio.to_thread(
        stack.evaluation.post, verdict_url, json={"verdict": "rejected"}, headers=_headers("village_officer")
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    by_household = await asyncio.to_thread(
        stack.evaluation.post,
        verdict_url,
        json={"verdict": "accepted"},
        headers=_headers("household_representative"),
    )
    assert by_household.status_code == 403
    judged = await asyncio.to_thread(
        stack.evaluation.post,
        verdict_url,
        json={"verdict": "more_info_needed", "reason": "Ảnh mờ, cần bản rõ hơn"},
        headers=_headers("village_officer"),
    )
    assert judged.status_code == 200
    assert judged.get_json()["verdict"] == "more_info_needed"
    assert judged.get_json()["verdict_by"] == "village_officer-1"
    history = (
        await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}/history", headers=_headers("auditor")
        )
    ).get_json()
    judged_entry = next(e for e in history["entries"] if e["action"] == "evidence.judged")
    assert judged_entry["reason"] == "Ảnh mờ, cần bản rõ hơn" and judged_entry["evidence_sha256"]
    # the events of both name whose case it is, as the register holds the household
    import sqlalchemy as sa

    from common.db import make_engine
    from services.evaluation.adapters import tables as t

    engine = make_engine(stack.evaluation_settings.database_url)
    with engine.connect() as db:
        rows = db.execute(sa.select(t.outbox.c.body).where(t.outbox.c.event_type.startswith("evidence.")))
        bodies = [json.loads(body) for (body,) in rows]
    engine.dispose()
    named = {
        (b["type"], b["payload"]["subject_code"], b["payload"]["subject_name"])
        for b in bodies
        if b["payload"]["case_id"] == case_id
    }
    subject = _SUBJECT_OF[case_id]
    assert named == {
        ("evidence.uploaded", subject, "Nguyễn Văn Hộ"),
        ("evidence.judged", subject, "Nguyễn Văn Hộ"),
    }, named


async def test_the_same_file_sent_twice_is_one_evidence_item(stack: Stack) -> None:
    """A double click or a retried upload: the same bytes under the same indicator answer the item
    already there (200, its id) and leave one row, one stored object and one audit entry; the same
    bytes under another indicator are another item."""
    case_id = await _open(stack)

    def upload(indicator: str, name: str) -> Any:
        return stack.evaluation.post(
            f"/cases/{case_id}/evidence",
            data={"file": (io.BytesIO(b"%PDF-1.4\n%so ho khau\n"), name), "indicator_code": indicator},
            content_type="multipart/form-data",
            headers=_headers("household_representative"),
        )

    first, again, renamed, other = [
        await asyncio.to_thread(upload, indicator, name)
        for indicator, name in (
            ("1.2", "Sổ hộ khẩu.pdf"),
            ("1.2", "Sổ hộ khẩu.pdf"),
            ("1.2", "scan.pdf"),
            ("1.3", "Sổ hộ khẩu.pdf"),
        )
    ]
    assert first.status_code == 201 and other.status_code == 201
    assert again.status_code == 200 and renamed.status_code == 200
    assert again.get_json()["id"] == renamed.get_json()["id"] == first.get_json()["id"]
    assert renamed.get_json()["file_name"] == "Sổ hộ khẩu.pdf"  # the item as first sent
    assert other.get_json()["id"] != first.get_json()["id"]
    listed = await asyncio.to_thread(
        stack.evaluation.get, f"/cases/{case_id}/evidence", headers=_headers("auditor")
    )
    assert sorted(e["indicator_code"] for e in listed.get_json()) == ["1.2", "1.3"]
    storage = build_storage(stack.evaluation_settings)
    stored = list(storage._client.list_objects(storage.bucket, prefix=f"cases/{case_id}/", recursive=True))
    assert len(stored) == 2  # the copies sent again were removed
    history = (
        await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}/history", headers=_headers("auditor")
        )
    ).get_json()
    assert [e["action"] for e in history["entries"]].count("evidence.uploaded") == 2


async def test_a_step_lacking_its_reason_indicator_or_scores_names_the_field(stack: Stack) -> None:
    """Refused before the workflow, each missing piece named in the caller's language; nothing changes."""
    case_id = await _open(stack)
    empty = await _step(stack, case_id, "household_representative", 1, action="submit", scores={})
    assert empty.status_code == 422
    assert empty.get_json()["errors"] == {"scores": ["Chưa có điểm tự đánh giá."]}
    await _step(stack, case_id, "household_representative", 1, action="submit", scores=FULL)
    refusals = {
        "no reason": ({"action": "request_evidence", "reason": "  "}, {"reason"}),
        "no indicator": ({"action": "adjust_score", "scores": {"1.1": 8}, "reason": "x"}, {"indicator_code"}),
        "no new score": (
            {"action": "adjust_score", "indicator_code": "1.2", "scores": {"1.1": 8}, "reason": "x"},
            {"scores"},
        ),
        "neither": ({"action": "adjust_score"}, {"reason", "indicator_code"}),
    }
    for label, (body, fields) in refusals.items():
        r = await _step(stack, case_id, "village_officer", 2, **body)
        assert r.status_code == 422, label
        assert set(r.get_json()["errors"]) == fields, (label, r.get_json())
    en = await asyncio.to_thread(
        stack.evaluation.post,
        f"/cases/{case_id}/steps",
        json={"action": "withdraw"},
        headers={**_headers("village_officer", 2), "Accept-Language": "en"},
    )
    assert en.status_code == 422
    assert en.get_json()["errors"] == {"reason": ["The step 'withdraw' needs a reason."]}
    case = await asyncio.to_thread(
        stack.evaluation.get, f"/cases/{case_id}", headers=_headers("village_officer")
    )
    assert case.get_json()["status"] == "village_review" and case.get_json()["version"] == 2
