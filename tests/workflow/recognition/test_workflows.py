"""RecognitionCase on the time-skipping server, with mock evaluation activities registered under their
real names and the real alarm planner: every step, the more-evidence loop, withdrawal, refusals before
history, and every deadline's reminder, overdue notice and escalation step."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.conftest import assert_eventually, new_task_queue
from workflows import ids
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc
from workflows.recognition.workflows import RecognitionCaseWorkflow
from workflows.worker import build_worker

CHAIN = [
    c.EscalationStep(
        role="village_officer", level="village", after_days=0, working_days=False, action="remind"
    ),
    c.EscalationStep(
        role="commune_association_officer",
        level="commune",
        after_days=3,
        working_days=False,
        action="escalate",
    ),
    c.EscalationStep(
        role="commune_chairman", level="commune", after_days=5, working_days=False, action="escalate"
    ),
]


NEXT_WINDOW = "NEXT-"  # subject prefix: the mock schedule opens self-assessment in 20 days
PAST_WINDOW = "PAST-"  # subject prefix: the mock schedule's self-assessment closed 10 days ago


@dataclass
class Evaluation:
    """Mock evaluation activities: they record what each case's workflow asked, by case id."""

    closes_in: timedelta = timedelta(days=10)
    calls: dict[str, dict[str, list]] = field(default_factory=dict)

    def of(self, case_id: str) -> dict[str, list]:
        return self.calls.setdefault(case_id, {"opened": [], "steps": [], "alarms": [], "scheduled": []})

    @activity.defn(name=c.OPEN_CASE)
    async def open_case(self, inp: c.CaseOpenedInput) -> c.CaseSchedule:
        self.of(inp.case_id)["opened"].append(inp)
        now = activity.info().current_attempt_scheduled_time or datetime.now(UTC)
        closes, opens = now + self.closes_in, ""
        if inp.subject_id.startswith(NEXT_WINDOW):  # a case whose window opens in 20 days
            opens, closes = (now + timedelta(days=20)).isoformat(), now + timedelta(days=50)
        if inp.subject_id.startswith(PAST_WINDOW):  # a case opened after its window and whole chain
            closes = now - timedelta(days=10)
        return c.CaseSchedule(
            plan_code="van-hoa-2023",
            plan_version=1,
            criteria_set_key="gia-dinh-hoc-tap@2023.1",
            self_assessment_closes=closes.isoformat(),
            review_days={"village": 7, "commune": 10},
            review_working_days={"village": False, "commune": False},
            reminder_lead_days=2,
            reminder_working_days=False,
            escalation=CHAIN,
            self_assessment_opens=opens,
        )

    @activity.defn(name=c.RECORD_CASE_STEP)
    async def record_case_step(self, inp: c.CaseStepInput) -> bool:
        self.of(inp.case_id)["steps"].append(inp)
        return True

    @activity.defn(name=c.RECORD_CASE_ALARM)
    async def record_case_alarm(self, inp: c.CaseAlarmInput) -> bool:
        self.of(inp.case_id)["scheduled" if inp.kind == "scheduled" else "alarms"].append(inp)
        return True

    def all(self) -> list:
        return [
            self.open_case,
            self.record_case_step,
            self.record_case_alarm,
        ]


@dataclass
class Recorded:
    """What one case's workflow asked of the evaluation service."""

    calls: dict[str, list]

    @property
    def steps(self) -> list[c.CaseStepInput]:
        return self.calls["steps"]

    @property
    def alarms(self) -> list[c.CaseAlarmInput]:
        return self.calls["alarms"]

    @property
    def scheduled(self) -> list[c.CaseAlarmInput]:
        return self.calls["scheduled"]


@pytest.fixture(scope="module")
async def workers(temporal_env: WorkflowEnvironment) -> AsyncIterator[tuple[str, Evaluation]]:
    """One workflow worker and one evaluation-queue worker for the module: a worker stopped between
    tests could take an activity task with it and stall the time-skipping clock."""
    ev = Evaluation()
    client: Client = temporal_env.client
    wf_queue = new_task_queue()
    async with (
        build_worker(client, wf_queue),
        Worker(client, task_queue=ids.EVALUATION_TASK_QUEUE, activities=ev.all()),
    ):
        yield wf_queue, ev


async def _open(
    client: Client, wf_queue: str, shape: int, prefix: str = "HH-"
) -> tuple[WorkflowHandle, c.CaseInput]:
    """Start a case of a new household with this shape and wait until it is open (draft)."""
    inp = c.CaseInput(
        case_id=str(uuid.uuid4()),
        year=2026,
        title="learning_family",
        subject_id=f"{prefix}{uuid.uuid4().hex[:6]}",
        admin_unit_code="15664",
        opened_by="t",
        shape=shape,
    )
    handle = await client.start_workflow(
        RecognitionCaseWorkflow.run,
        inp,
        id=ids.recognition_workflow_id(2026, inp.title, inp.subject_id),
        task_queue=wf_queue,
    )

    async def ready() -> None:
        assert (await handle.query(RecognitionCaseWorkflow.status)).status == lc.DRAFT

    await assert_eventually(ready)
    return handle, inp


@pytest.fixture
async def started(
    temporal_env: WorkflowEnvironment, workers
) -> AsyncIterator[tuple[WorkflowHandle, Recorded, WorkflowEnvironment]]:
    wf_queue, ev = workers
    handle, inp = await _open(temporal_env.client, wf_queue, c.CURRENT_SHAPE)
    # The case is left running: terminating a workflow whose activity was just polled leaves the
    # time-skipping server's clock locked for the rest of the session.
    yield handle, Recorded(ev.of(inp.case_id)), temporal_env


async def _act(handle: WorkflowHandle, action: str, role: str, version: int, **kw) -> c.StepResult:
    return await handle.execute_update(
        RecognitionCaseWorkflow.act,
        c.StepInput(action=action, actor=f"{role}-1", role=role, expected_version=version, **kw),
    )


async def test_a_case_goes_through_every_step_with_the_more_evidence_loop(started) -> None:
    handle, ev, _ = started
    r = await _act(handle, "save_draft", lc.HOUSEHOLD, 1, scores={"1.1": 10})
    assert (r.status, r.version) == (lc.DRAFT, 2)
    r = await _act(handle, "submit", lc.VILLAGE, 2, scores={"1.1": 10}, on_behalf_of="HH-1")
    assert r.status == lc.VILLAGE_REVIEW
    r = await _act(
        handle, "adjust_score", lc.VILLAGE, 3, scores={"1.1": 8}, indicator_code="1.1", reason="Thiếu giấy"
    )
    r = await _act(handle, "pass_review", lc.VILLAGE, 4)
    assert r.status == lc.COMMUNE_REVIEW
    r = await _act(handle, "request_evidence", lc.COMMUNE, 5, reason="Cần bản sao giấy khen")
    assert r.status == lc.EVIDENCE_REQUESTED
    r = await _act(handle, "provide_evidence", lc.HOUSEHOLD, 6)
    assert r.status == lc.COMMUNE_REVIEW  # back to the level that asked
    r = await _act(handle, "pass_review", lc.COMMUNE, 7)
    assert (r.status, r.version) == (lc.AWAITING_DECISION, 8)
    assert [(s.step.action, s.from_status, s.to_status, s.version) for s in ev.steps] == [
        ("save_draft", lc.DRAFT, lc.DRAFT, 2),
        ("submit", lc.DRAFT, lc.VILLAGE_REVIEW, 3),
        ("adjust_score", lc.VILLAGE_REVIEW, lc.VILLAGE_REVIEW, 4),
        ("pass_review", lc.VILLAGE_REVIEW, lc.COMMUNE_REVIEW, 5),
        ("request_evidence", lc.COMMUNE_REVIEW, lc.EVIDENCE_REQUESTED, 6),
        ("provide_evidence", lc.EVIDENCE_REQUESTED, lc.COMMUNE_REVIEW, 7),
        ("pass_review", lc.COMMUNE_REVIEW, lc.AWAITING_DECISION, 8),
    ]
    assert ev.steps[1].step.on_behalf_of == "HH-1"
    # A step that begins a phase with a deadline carries that deadline (written with the step).
    assert [s.due_at is not None for s in ev.steps] == [False, True, False, True, True, True, False]


@pytest.mark.parametrize(
    ("action", "role", "version", "kw", "kind"),
    [
        ("submit", lc.HOUSEHOLD, 0, {"scores": {"a": 1}}, "VersionConflict"),
        ("pass_review", lc.VILLAGE, 1, {}, "InvalidTransition"),  # nothing submitted yet
        ("submit", "auditor", 1, {"scores": {"a": 1}}, "InvalidTransition"),  # wrong role
        ("submit", lc.HOUSEHOLD, 1, {}, "ValidationFailed"),  # no self-assessment
        ("withdraw", lc.HOUSEHOLD, 1, {"reason": "  "}, "ValidationFailed"),
        ("fly", lc.HOUSEHOLD, 1, {}, "InvalidTransition"),
    ],
)
async def test_impossible_steps_are_refused_before_history(started, action, role, version, kw, kind) -> None:
    handle, ev, _ = started
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _act(handle, action, role, version, **kw)
    assert refused.value.cause.type == kind
    assert ev.steps == []
    history = [e async for e in handle.fetch_history_events()]
    assert not any(e.HasField("workflow_execution_update_accepted_event_attributes") for e in history)


async def test_a_submit_waits_for_the_self_assessment_window_to_open(temporal_env, workers) -> None:
    """Before the window opens a draft is saved but the submit is refused before history, with the
    opening date; once the window has opened (the clock skipped), the same submit goes through."""
    wf_queue, ev = workers
    handle, inp = await _open(temporal_env.client, wf_queue, c.CURRENT_SHAPE, prefix=NEXT_WINDOW)
    started_at = await temporal_env.get_current_time()
    await _act(handle, "save_draft", lc.HOUSEHOLD, 1, scores={"1.1": 10})
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await _act(handle, "submit", lc.HOUSEHOLD, 2, scores={"1.1": 10})
    assert refused.value.cause.type == "SelfAssessmentNotOpen"
    opens = datetime.fromisoformat(refused.value.cause.details[0])
    assert timedelta(days=19) < opens - started_at <= timedelta(days=20)
    assert [s.step.action for s in ev.of(inp.case_id)["steps"]] == ["save_draft"]
    assert ev.of(inp.case_id)["alarms"] == []
    await temporal_env.sleep(opens - started_at + timedelta(minutes=1))

    async def told() -> None:  # the household is told when the window opens, once
        assert [(a.kind, a.status) for a in ev.of(inp.case_id)["alarms"]] == [("opened", lc.DRAFT)]

    await assert_eventually(told)
    r = await _act(handle, "submit", lc.HOUSEHOLD, 2, scores={"1.1": 10})
    assert (r.status, r.version) == (lc.VILLAGE_REVIEW, 3)


async def test_a_village_officer_cannot_review_at_the_commune_level(started) -> None:
    handle, _, _ = started
    await _act(handle, "submit", lc.HOUSEHOLD, 1, scores={"a": 1})
    await _act(handle, "pass_review", lc.VILLAGE, 2)
    with pytest.raises(WorkflowUpdateFailedError):
        await _act(handle, "pass_review", lc.VILLAGE, 3)


async def test_withdrawal_ends_the_case_with_its_reason(started) -> None:
    handle, ev, _ = started
    r = await _act(handle, "withdraw", lc.HOUSEHOLD, 1, reason="Gia đình chuyển đi nơi khác")
    assert r.status == lc.WITHDRAWN
    assert (await handle.result()).status == lc.WITHDRAWN
    assert ev.steps[-1].step.reason == "Gia đình chuyển đi nơi khác"


async def test_a_missed_self_assessment_reminds_then_escalates_along_the_chain(started) -> None:
    handle, ev, env = started
    await env.sleep(timedelta(days=9))
    assert [a.kind for a in ev.alarms] == ["reminder"]
    await env.sleep(timedelta(days=7))  # 6 days past the deadline: every step of the chain has fired
    assert [(a.kind, a.step) for a in ev.alarms] == [
        ("reminder", -1),
        ("overdue", -1),
        ("escalated", 0),
        ("escalated", 1),
        ("escalated", 2),
    ]
    assert [a.role for a in ev.alarms if a.kind == "escalated"] == [s.role for s in CHAIN]
    assert all(a.status == lc.DRAFT for a in ev.alarms)
    assert ev.scheduled == []  # the opening wrote the deadline: no "scheduled" notice, one activity less
    status = await handle.query(RecognitionCaseWorkflow.status)
    assert status.escalation_step == 2 and status.due_at == ev.alarms[1].due_at


async def test_a_case_opened_after_its_deadline_tells_where_the_chain_has_reached_once(
    temporal_env, workers
) -> None:
    """Opened 10 days after its self-assessment closed (paper forms entered late): every alarm of the
    draft is due at once. The deadline is told, and the last escalation step's role; not the reminder,
    nor each role on the way. A case of the earlier shape told them all (its histories replay so)."""
    wf_queue, ev = workers
    told = {}
    for shape in (c.SHAPE_ONE_ACTIVITY, c.CURRENT_SHAPE):
        handle, inp = await _open(temporal_env.client, wf_queue, shape, prefix=PAST_WINDOW)
        recorded = Recorded(ev.of(inp.case_id))

        expected = 5 if shape == c.SHAPE_ONE_ACTIVITY else 2

        async def fired(recorded: Recorded = recorded, expected: int = expected) -> None:
            assert len(recorded.alarms) == expected

        await assert_eventually(fired)
        told[shape] = [(a.kind, a.step, a.role) for a in recorded.alarms]
        status = await handle.query(RecognitionCaseWorkflow.status)
        assert status.escalation_step == 2  # the same end either way: the chain's last step
    assert told[c.CURRENT_SHAPE] == [("overdue", -1, None), ("escalated", 2, "commune_chairman")]
    assert [kind for kind, _, _ in told[c.SHAPE_ONE_ACTIVITY]] == [
        "reminder",
        "overdue",
        "escalated",
        "escalated",
        "escalated",
    ]


async def test_acting_stops_the_old_deadline_and_starts_the_review_deadline(started) -> None:
    handle, ev, env = started
    await env.sleep(timedelta(days=11))  # overdue and first escalation
    fired = len(ev.alarms)
    submitted = await _act(handle, "submit", lc.HOUSEHOLD, 1, scores={"a": 1})
    await env.sleep(timedelta(days=4))
    assert len(ev.alarms) == fired  # the self-assessment chain stopped
    await env.sleep(timedelta(days=4))  # village review limit: 7 days
    village = [a for a in ev.alarms[fired:]]
    assert [a.kind for a in village][:2] == ["reminder", "overdue"]
    assert all(a.status == lc.VILLAGE_REVIEW for a in village)
    # The submit answered the review's deadline and wrote it; no "scheduled" notice was needed.
    assert submitted.due_at == ev.steps[-1].due_at == village[1].due_at
    assert ev.scheduled == []


async def test_evidence_requested_has_the_asking_levels_time_limit(started) -> None:
    handle, ev, env = started
    await _act(handle, "submit", lc.HOUSEHOLD, 1, scores={"a": 1})
    await _act(handle, "request_evidence", lc.VILLAGE, 2, reason="Thiếu minh chứng")
    await env.sleep(timedelta(days=8))
    overdue = [a for a in ev.alarms if a.kind == "overdue"]
    assert [a.status for a in overdue] == [lc.EVIDENCE_REQUESTED]


async def test_a_case_opened_with_its_shape_records_no_patch_marker(temporal_env, workers) -> None:
    """A case opened now carries its shape in its input: the same commands as a case whose shape a
    patch decided (opened before), without the patch marker and its search-attribute upsert."""
    wf_queue, _ = workers
    client: Client = temporal_env.client
    kinds = {}
    for shape in (0, c.CURRENT_SHAPE):
        handle, _ = await _open(client, wf_queue, shape)
        await _act(handle, "submit", lc.HOUSEHOLD, 1, scores={"1.1": 10})
        events = (await handle.fetch_history()).events
        kinds[shape] = {
            "activities": [
                e.activity_task_scheduled_event_attributes.activity_type.name
                for e in events
                if e.HasField("activity_task_scheduled_event_attributes")
            ],
            "patches": sum(e.marker_recorded_event_attributes.marker_name == "core_patch" for e in events),
            "upserts": sum(e.HasField("upsert_workflow_search_attributes_event_attributes") for e in events),
        }
    assert kinds[0]["activities"] == kinds[c.CURRENT_SHAPE]["activities"] == [c.OPEN_CASE, c.RECORD_CASE_STEP]
    assert (kinds[0]["patches"], kinds[0]["upserts"]) == (1, 1)
    assert (kinds[c.CURRENT_SHAPE]["patches"], kinds[c.CURRENT_SHAPE]["upserts"]) == (0, 0)
