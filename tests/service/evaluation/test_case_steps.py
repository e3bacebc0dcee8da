"""The activities' use cases on a real SQLite database: a case's schedule from its plan, each step and
alarm written once (retries change nothing), scores checked against the criteria set."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from common.db import make_engine
from common.errors import ValidationFailed
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.plans import PLANS_DIR
from services.evaluation.domain.errors import CaseNotFound
from services.evaluation.service import case_steps, cases, plans
from services.evaluation.service.admin_units import sync_official_units
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc

COMMUNE = "15664"  # in Thanh Hóa (38): both the Triệu Sơn and the Vạn Hòa plans cover it
SCORES = {code: 9 for code in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "4.2")}


@pytest.fixture
def uow(tmp_path: Path) -> SqlUnitOfWork:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    upgrade("evaluation", url)
    engine = make_engine(url)
    sync_official_units(SqlUnitOfWork(engine), units=official_units())
    for name in ("van-hoa-2023.yaml", "trieu-son-2023.yaml", "ho-chi-minh-city-2023.yaml"):
        stored, _ = plans.upload_plan(
            SqlUnitOfWork(engine), document=(PLANS_DIR / name).read_text(), uploaded_by="t"
        )
        plans.activate_plan(SqlUnitOfWork(engine), code=stored.code, version=stored.version)
    return SqlUnitOfWork(engine)


def _open(uow: SqlUnitOfWork, plan_code: str | None = "van-hoa-2023", unit: str = COMMUNE) -> c.CaseInput:
    inp = c.CaseInput(
        case_id="case-1",
        year=2026,
        title="learning_family",
        subject_id="HH-1",
        admin_unit_code=unit,
        opened_by="t",
        plan_code=plan_code,
    )
    cases.record_case_opened(
        uow,
        inp=c.CaseOpenedInput(
            case_id=inp.case_id,
            workflow_id="wf-1",
            run_id="run-1",
            year=2026,
            title=inp.title,
            subject_id="HH-1",
            admin_unit_code=unit,
            opened_by="t",
        ),
    )
    return inp


def _step(action: str, frm: str, to: str, version: int, **kw) -> c.CaseStepInput:
    return c.CaseStepInput(
        case_id="case-1",
        workflow_id="wf-1",
        run_id="run-1",
        from_status=frm,
        to_status=to,
        version=version,
        step=c.StepInput(action=action, actor="a", role=lc.HOUSEHOLD, expected_version=version - 1, **kw),
    )


def _events(uow: SqlUnitOfWork) -> list[str]:
    with uow._engine.connect() as db:
        return [r.event_type for r in db.execute(sa.select(t.outbox).order_by(t.outbox.c.seq))]


def test_the_schedule_comes_from_the_named_plan(uow: SqlUnitOfWork) -> None:
    schedule = case_steps.case_schedule(uow, inp=_open(uow))
    assert schedule.plan_code == "van-hoa-2023" and schedule.criteria_set_key == "gia-dinh-hoc-tap@2023.1"
    assert schedule.self_assessment_closes.startswith("2026-10-15T23:59:59")
    assert schedule.review_days == {"village": 7, "commune": 10, "district": 15}
    assert [s.role for s in schedule.escalation] == [
        "village_officer",
        "commune_association_officer",
        "commune_chairman",
    ]


def test_two_plans_covering_a_unit_must_be_named(uow: SqlUnitOfWork) -> None:
    with pytest.raises(ValidationFailed) as err:
        case_steps.case_schedule(uow, inp=_open(uow, plan_code=None))
    assert err.value.errors == {
        "plan_code": ["Hãy chọn một trong các kế hoạch: trieu-son-2023, van-hoa-2023."]
    }
    assert err.value.errors_en == {"plan_code": ["Name one of the plans: trieu-son-2023, van-hoa-2023."]}


def test_a_unit_no_plan_covers_is_refused(uow: SqlUnitOfWork) -> None:
    with pytest.raises(ValidationFailed) as err:
        case_steps.case_schedule(uow, inp=_open(uow, plan_code=None, unit="00070"))  # Hà Nội
    assert err.value.errors == {
        "admin_unit_code": ["Không có kế hoạch đang áp dụng nào bao gồm đơn vị '00070'."]
    }
    assert err.value.errors_en == {"admin_unit_code": ["No active plan covers unit '00070'."]}


def test_an_unknown_unit_is_refused_with_its_code(uow: SqlUnitOfWork) -> None:
    with pytest.raises(ValidationFailed) as err:
        plans.resolve_plan(uow, admin_unit_code="99999")
    assert err.value.errors == {"admin_unit_code": ["Không có đơn vị hành chính mang mã '99999'."]}
    assert err.value.errors_en == {"admin_unit_code": ["No administrative unit has the code '99999'."]}


def test_a_title_or_year_outside_the_plan_is_refused_with_the_reason(uow: SqlUnitOfWork) -> None:
    args = {"subject_id": "HH-1", "admin_unit_code": COMMUNE, "opened_by": "t", "plan_code": "van-hoa-2023"}
    with pytest.raises(ValidationFailed) as err:  # refused before the workflow is started
        cases.open_case(uow, None, year=2026, title="no_such_title", **args)
    assert err.value.errors == {"title": ["Danh hiệu 'no_such_title' không có trong kế hoạch van-hoa-2023."]}
    assert err.value.errors_en == {"title": ["Title 'no_such_title' is not in plan van-hoa-2023."]}
    with pytest.raises(ValidationFailed) as err:
        cases.open_case(uow, None, year=1990, title="learning_family", **args)
    [vi], [en] = err.value.errors["year"], err.value.errors_en["year"]
    assert vi.startswith("Năm phải từ ") and vi.endswith("(thời kỳ của kế hoạch van-hoa-2023).")
    assert en.startswith("The year must be from ") and en.endswith("(plan van-hoa-2023's period).")


def test_a_round_is_refused_for_a_unit_that_is_no_commune(uow: SqlUnitOfWork) -> None:
    from services.evaluation.service import rounds

    with pytest.raises(ValidationFailed) as err:
        rounds.open_round(uow, None, admin_unit_code="38", year=2026, opened_by="t", plan_code="van-hoa-2023")
    assert err.value.errors == {"admin_unit_code": ["'38' không phải mã của một xã, phường."]}
    assert err.value.errors_en == {"admin_unit_code": ["'38' is not the code of a commune."]}
    with pytest.raises(ValidationFailed) as err:
        rounds.open_round(
            uow, None, admin_unit_code=COMMUNE, year=1990, opened_by="t", plan_code="van-hoa-2023"
        )
    assert err.value.errors_en["year"][0].startswith("The year must be from ")
    assert err.value.errors["year"][0].startswith("Năm phải từ ")


def test_an_unknown_action_or_verdict_names_the_ones_that_exist() -> None:
    from services.evaluation.service import evidence, steps

    with pytest.raises(ValidationFailed) as err:
        actor = steps.Actor(username="a", role=lc.HOUSEHOLD)
        steps.take_step(None, None, case_id="case-1", actor=actor, action="fly", expected_version=1)
    known = ", ".join(lc.STEPS)
    assert "submit" in lc.STEPS
    assert err.value.errors == {"action": [f"Thao tác 'fly' không có; thao tác phải là một trong: {known}."]}
    assert err.value.errors_en == {"action": [f"No action 'fly'; it must be one of: {known}."]}
    judge = {"evidence_id": "e", "actor": "a", "role": None}
    with pytest.raises(ValidationFailed) as err:
        evidence.judge_evidence(None, verdict="maybe", reason="", **judge)
    known = "accepted, rejected, more_info_needed"
    assert err.value.errors == {
        "verdict": [f"Kết luận 'maybe' không có; kết luận phải là một trong: {known}."]
    }
    assert err.value.errors_en == {"verdict": [f"No verdict 'maybe'; it must be one of: {known}."]}
    with pytest.raises(ValidationFailed) as err:
        evidence.judge_evidence(None, verdict="rejected", reason=" ", **judge)
    assert err.value.errors == {"reason": ["Bắt buộc khi minh chứng không được chấp nhận: hãy ghi rõ lý do."]}
    assert err.value.errors_en == {"reason": ["Required when the verdict is 'rejected': give the reason."]}


def test_the_single_covering_plan_is_found_by_the_units_province(uow: SqlUnitOfWork) -> None:
    hcmc_ward = next(u.code for u in official_units() if u.level == "commune" and u.path.startswith("79/"))
    assert (
        case_steps.case_schedule(uow, inp=_open(uow, plan_code=None, unit=hcmc_ward)).plan_code
        == "ho-chi-minh-city-2023"
    )


def test_each_step_is_written_once_with_its_scores_and_event(uow: SqlUnitOfWork) -> None:
    case_steps.case_schedule(uow, inp=_open(uow))
    submit = _step("submit", lc.DRAFT, lc.VILLAGE_REVIEW, 2, scores=SCORES, on_behalf_of="HH-1")
    assert case_steps.record_case_step(uow, inp=submit) is True
    assert case_steps.record_case_step(uow, inp=submit) is False  # a retried activity
    with uow:
        case = uow.cases.get("case-1")
        progress = uow.progress.get("case-1")
        scores = uow.progress.scores("case-1")
    assert (case.status, case.version) == (lc.VILLAGE_REVIEW, 2)
    assert progress["waiting_on_role"] == lc.VILLAGE
    assert {s["indicator_code"]: s["self_score"] for s in scores} == SCORES
    assert _events(uow) == ["case.opened", "case.submitted"]


def test_scores_outside_the_criteria_set_are_refused_and_nothing_changes(uow: SqlUnitOfWork) -> None:
    case_steps.case_schedule(uow, inp=_open(uow))
    with pytest.raises(ValidationFailed) as err:
        case_steps.record_case_step(
            uow, inp=_step("submit", lc.DRAFT, lc.VILLAGE_REVIEW, 2, scores={**SCORES, "1.1": 11, "9.9": 1})
        )
    assert {"scores.1.1", "scores.9.9"} <= set(err.value.errors)
    with uow:
        assert uow.cases.get("case-1").version == 1
    assert _events(uow) == ["case.opened"]


def test_alarms_mark_the_case_and_are_recorded_once(uow: SqlUnitOfWork) -> None:
    case_steps.case_schedule(uow, inp=_open(uow))
    alarm = c.CaseAlarmInput(
        case_id="case-1",
        workflow_id="wf-1",
        status=lc.DRAFT,
        kind="escalated",
        due_at="2026-10-15T23:59:59+07:00",
        step=1,
        role=lc.COMMUNE,
        level="commune",
        action="escalate",
    )
    assert case_steps.record_case_alarm(uow, inp=alarm) is True
    assert case_steps.record_case_alarm(uow, inp=alarm) is False
    with uow:
        progress = uow.progress.get("case-1")
    assert progress["overdue"] is True and progress["escalation_step"] == 1
    assert progress["escalated_to_role"] == lc.COMMUNE
    assert _events(uow) == ["case.opened", "case.escalated"]


def test_the_window_opening_is_told_once_and_marks_nothing_overdue(uow: SqlUnitOfWork) -> None:
    case_steps.case_schedule(uow, inp=_open(uow))
    alarm = c.CaseAlarmInput(
        case_id="case-1",
        workflow_id="wf-1",
        status=lc.DRAFT,
        kind="opened",
        due_at="2026-10-15T23:59:59+07:00",
    )
    assert case_steps.record_case_alarm(uow, inp=alarm) is True
    assert case_steps.record_case_alarm(uow, inp=alarm) is False
    with uow:
        progress = uow.progress.get("case-1")
        entries = uow.audit.entries("case:case-1")
    assert progress["overdue"] is False and progress["escalation_step"] == -1
    assert entries[-1].action == "self_assessment.opened" and entries[-1].actor == "system"
    assert _events(uow) == ["case.opened", "case.self_assessment_opened"]


def _opened(plan_code: str | None = "van-hoa-2023", title: str = "learning_family") -> c.CaseOpenedInput:
    return c.CaseOpenedInput(
        case_id="case-1",
        workflow_id="wf-1",
        run_id="run-1",
        year=2026,
        title=title,
        subject_id="HH-1",
        admin_unit_code=COMMUNE,
        opened_by="t",
        plan_code=plan_code,
    )


def test_open_case_writes_the_case_and_its_draft_due_date_once_and_answers_the_schedule(
    uow: SqlUnitOfWork,
) -> None:
    schedule = case_steps.open_case(uow, inp=_opened())
    again = case_steps.open_case(uow, inp=_opened())  # a retried activity
    assert again == schedule and schedule.plan_code == "van-hoa-2023"
    with uow:
        case = uow.cases.get("case-1")
        progress = uow.progress.get("case-1")
    assert (case.status, case.version) == (lc.DRAFT, 1)
    assert progress["village_code"] is None  # HH-1 is in no register here
    assert progress["waiting_on_role"] == lc.WAITING_ON[lc.DRAFT]
    assert progress["criteria_set_key"] == "gia-dinh-hoc-tap@2023.1"
    assert progress["due_at"] == datetime.fromisoformat(schedule.self_assessment_closes)
    assert _events(uow) == ["case.opened"]


@pytest.mark.parametrize(
    ("opened", "field"),
    [
        (_opened(plan_code=None), "plan_code"),  # two plans cover the commune: one must be named
        (_opened(title="learning_clan_of_mars"), "title"),  # a title the plan does not recognise
    ],
)
def test_open_case_refused_by_the_plan_writes_nothing(uow: SqlUnitOfWork, opened, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        case_steps.open_case(uow, inp=opened)
    assert field in err.value.errors
    with uow:
        assert uow.cases.get("case-1") is None
        assert uow.progress.get("case-1") is None
    assert _events(uow) == []


def test_a_step_that_begins_a_phase_writes_its_due_date(uow: SqlUnitOfWork) -> None:
    case_steps.open_case(uow, inp=_opened())
    submit = _step("submit", lc.DRAFT, lc.VILLAGE_REVIEW, 2, scores=SCORES)
    due = "2026-10-22T23:59:59+07:00"
    case_steps.record_case_step(uow, inp=dataclasses.replace(submit, due_at=due))
    with uow:
        progress = uow.progress.get("case-1")
    assert progress["due_at"] == datetime.fromisoformat(due)
    assert progress["waiting_on_role"] == lc.VILLAGE and not progress["overdue"]


def test_a_case_is_placed_by_its_village_else_by_its_unit_in_one_read(uow: SqlUnitOfWork) -> None:
    from services.evaluation.domain.admin_units import AdminUnit
    from services.evaluation.service import scopes

    with uow:
        commune = uow.admin_units.get(COMMUNE)
        uow.admin_units.upsert_many(
            [AdminUnit(f"{COMMUNE}-T1", "Thôn 1", "village", "thon", COMMUNE, f"{commune.path}/{COMMUNE}-T1")]
        )
        uow.commit()
    _open(uow)  # no progress row yet: placed by its unit
    placed = scopes.placed_case_or_raise(uow, case_id="case-1")
    assert (placed.case.id, placed.progress, placed.path) == ("case-1", None, commune.path)
    case_steps.case_schedule(uow, inp=_open(uow))  # a progress row, no village yet
    placed = scopes.placed_case_or_raise(uow, case_id="case-1")
    assert placed.progress["criteria_set_key"] == "gia-dinh-hoc-tap@2023.1" and placed.path == commune.path
    for village, path in (
        (f"{COMMUNE}-T1", f"{commune.path}/{COMMUNE}-T1"),
        ("unknown-village", commune.path),
    ):
        with uow:
            uow.progress.upsert("case-1", village_code=village)
            uow.commit()
        placed = scopes.placed_case_or_raise(uow, case_id="case-1")
        assert (placed.progress["village_code"], placed.path) == (village, path)
        with uow:
            assert placed.case == uow.cases.get("case-1")
            assert placed.progress == uow.progress.get("case-1")
    with pytest.raises(CaseNotFound):
        scopes.placed_case_or_raise(uow, case_id="no-such-case")


def test_a_case_is_read_with_its_progress_row_in_one_statement(uow: SqlUnitOfWork) -> None:
    """What record_case_step reads first: the case and its progress row (None before it has one)."""
    with uow:
        assert uow.cases.with_progress("no-such-case") is None
    _open(uow)  # a case recorded by the old activity: no progress row yet
    with uow:
        assert uow.cases.with_progress("case-1") == (uow.cases.get("case-1"), None)
        uow.progress.upsert("case-1", waiting_on_role=lc.HOUSEHOLD)
        uow.commit()
    with uow:
        case, progress = uow.cases.with_progress("case-1")
        assert case == uow.cases.get("case-1") and progress == uow.progress.get("case-1")
        assert progress["waiting_on_role"] == lc.HOUSEHOLD


def test_a_step_of_an_unknown_case_is_refused(uow: SqlUnitOfWork) -> None:
    with pytest.raises(CaseNotFound):
        case_steps.record_case_step(uow, inp=_step("submit", lc.DRAFT, lc.VILLAGE_REVIEW, 2, scores=SCORES))


def test_a_case_is_placed_in_its_subjects_village_when_it_opens(uow: SqlUnitOfWork, tmp_path: Path) -> None:
    """The inbox's village filter and the progress report by village count a case in its subject's
    village: a household's, a citizen's household's, a village community's own; a clan's in none."""
    from tests.signin import add_household

    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    add_household(url, commune_code=COMMUNE, code="H001", household_id="HH-1", village="T1")
    add_household(url, commune_code=COMMUNE, code="H002", household_id="HH-2", village="T2")
    with make_engine(url).begin() as db:
        db.execute(
            t.citizens.insert().values(
                id="CD-1",
                citizen_key="001",
                full_name="Lê Văn A",
                household_id="HH-2",
                birth_year=1980,
                gender="male",
                citizen_group="adult",
            )
        )
    opened = {
        "case-1": _opened(),
        "case-2": dataclasses.replace(_opened(), case_id="case-2", workflow_id="wf-2", subject_id="HH-2"),
        "case-3": dataclasses.replace(
            _opened(title="learning_citizen"), case_id="case-3", workflow_id="wf-3", subject_id="CD-1"
        ),
        "case-4": dataclasses.replace(
            _opened(title="learning_community_village"),
            case_id="case-4",
            workflow_id="wf-4",
            subject_id=f"{COMMUNE}.T2",
        ),
        "case-5": dataclasses.replace(
            _opened(title="learning_clan"), case_id="case-5", workflow_id="wf-5", subject_id="DH-1"
        ),
    }
    for inp in opened.values():
        case_steps.open_case(uow, inp=inp)
    with uow:
        villages = {case_id: uow.progress.get(case_id)["village_code"] for case_id in opened}
    assert villages == {
        "case-1": f"{COMMUNE}.T1",
        "case-2": f"{COMMUNE}.T2",
        "case-3": f"{COMMUNE}.T2",
        "case-4": f"{COMMUNE}.T2",
        "case-5": None,
    }
    # Its events name the village, so the village's own staff are told (notifications cover it).
    case_steps.record_case_step(uow, inp=_step("submit", lc.DRAFT, lc.VILLAGE_REVIEW, 2, scores=SCORES))
    with uow._engine.connect() as db:
        bodies = [json.loads(r.body) for r in db.execute(sa.select(t.outbox).order_by(t.outbox.c.seq))]
    told = [(b["type"], b["payload"]["village_code"]) for b in bodies if b["payload"]["case_id"] == "case-1"]
    assert told == [("case.opened", f"{COMMUNE}.T1"), ("case.submitted", f"{COMMUNE}.T1")]
    # ... and whose case it is, by the register's name and code, read with the case (no statement more)
    whose = {
        (b["payload"]["case_id"], b["payload"]["subject_name"], b["payload"]["subject_code"]) for b in bodies
    }
    assert whose >= {
        ("case-1", "Nguyễn Văn Hộ", "H001"),
        ("case-3", "Lê Văn A", "001"),
        ("case-5", None, None),  # a clan the register does not hold
    }, whose
    case_steps.record_case_alarm(
        uow,
        inp=c.CaseAlarmInput(
            case_id="case-3",
            workflow_id="wf-3",
            status=lc.DRAFT,
            kind="reminder",
            due_at="2026-10-15T23:59:59+07:00",
        ),
    )
    with uow._engine.connect() as db:
        last = json.loads(
            db.execute(sa.select(t.outbox.c.body).order_by(t.outbox.c.seq.desc())).scalars().first()
        )
    assert (last["type"], last["payload"]["subject_name"], last["payload"]["subject_code"]) == (
        "case.reminder_due",
        "Lê Văn A",
        "001",
    )
