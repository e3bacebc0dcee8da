"""The task inbox on a real SQLite database: cases waiting on my role in my scope, escalated first,
then by due date; filters; claim and reassign."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.db import make_engine
from common.errors import Conflict
from infra.migrate import upgrade
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.documents.plans import PLANS_DIR
from services.evaluation.service import case_steps, cases, plans, tasks
from services.evaluation.service.admin_units import sync_official_units
from workflows.recognition import contracts as c
from workflows.recognition import lifecycle as lc

COMMUNE, OTHER_COMMUNE = "15664", "15667"


@pytest.fixture
def uow(tmp_path: Path) -> SqlUnitOfWork:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    upgrade("evaluation", url)
    engine = make_engine(url)
    sync_official_units(SqlUnitOfWork(engine), units=official_units())
    stored, _ = plans.upload_plan(
        SqlUnitOfWork(engine), document=(PLANS_DIR / "van-hoa-2023.yaml").read_text(), uploaded_by="t"
    )
    plans.activate_plan(SqlUnitOfWork(engine), code=stored.code, version=stored.version)
    return SqlUnitOfWork(engine)


def _case(uow: SqlUnitOfWork, n: int, unit: str, title: str = "learning_family", submit: bool = True) -> str:
    case_id = f"case-{n}"
    cases.record_case_opened(
        uow,
        inp=c.CaseOpenedInput(
            case_id=case_id,
            workflow_id=f"wf-{n}",
            run_id="r",
            year=2026,
            title=title,
            subject_id=f"HH-{n}",
            admin_unit_code=unit,
            opened_by="t",
        ),
    )
    case_steps.case_schedule(
        uow,
        inp=c.CaseInput(
            case_id=case_id,
            year=2026,
            title=title,
            subject_id=f"HH-{n}",
            admin_unit_code=unit,
            opened_by="t",
            plan_code="van-hoa-2023",
        ),
    )
    if submit:
        with uow:
            key = uow.progress.get(case_id)["criteria_set_key"]
        criteria = get_criteria_set(*key.split("@"))
        full = {
            i.code: (i.max_points if i.max_points is not None else True)
            for i in criteria.indicators_for(None)
        }
        case_steps.record_case_step(
            uow,
            inp=c.CaseStepInput(
                case_id=case_id,
                workflow_id=f"wf-{n}",
                run_id="r",
                from_status=lc.DRAFT,
                to_status=lc.VILLAGE_REVIEW,
                version=2,
                step=c.StepInput(
                    action="submit", actor="hh", role=lc.HOUSEHOLD, expected_version=1, scores=full
                ),
            ),
        )
    return case_id


def _alarm(
    uow: SqlUnitOfWork, case_id: str, kind: str, due: str, step: int = -1, role: str | None = None
) -> None:
    case_steps.record_case_alarm(
        uow,
        inp=c.CaseAlarmInput(
            case_id=case_id,
            workflow_id=f"wf-{case_id}",
            status=lc.VILLAGE_REVIEW,
            kind=kind,
            due_at=due,
            step=step,
            role=role,
        ),
    )


def test_the_inbox_holds_my_roles_cases_in_my_scope_escalated_first_then_soonest_due(uow) -> None:
    a, b, esc = _case(uow, 1, COMMUNE), _case(uow, 2, COMMUNE), _case(uow, 3, COMMUNE)
    _case(uow, 4, OTHER_COMMUNE)
    _case(uow, 5, COMMUNE, submit=False)  # still a draft: the household's task, not the officer's
    _alarm(uow, a, "reminder", "2026-11-03T23:59:59+07:00")
    _alarm(uow, b, "reminder", "2026-11-01T23:59:59+07:00")
    _alarm(uow, esc, "escalated", "2026-11-05T23:59:59+07:00", step=0, role=lc.VILLAGE)
    page = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE)
    assert [t["id"] for t in page.items] == [esc, b, a] and page.total == 3
    assert page.items[0]["overdue"] is True and page.items[0]["escalation_step"] == 0
    household = tasks.list_tasks(uow, role=lc.HOUSEHOLD, scope_code=COMMUNE)
    assert [t["id"] for t in household.items] == ["case-5"]


def test_a_case_escalated_to_the_chairman_appears_in_the_chairmans_inbox(uow) -> None:
    case_id = _case(uow, 1, COMMUNE)
    assert tasks.list_tasks(uow, role="commune_chairman", scope_code=COMMUNE).total == 0
    _alarm(uow, case_id, "escalated", "2026-11-05T23:59:59+07:00", step=2, role="commune_chairman")
    assert [t["id"] for t in tasks.list_tasks(uow, role="commune_chairman", scope_code=COMMUNE).items] == [
        case_id
    ]


def test_filters_and_paging(uow) -> None:
    for n in range(5):
        _case(uow, n, COMMUNE, title="learning_family" if n % 2 else "learning_clan")
    families = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE, title="learning_family")
    assert families.total == 2
    page = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code="38", limit=2, offset=2)  # the whole province
    assert page.total == 5 and len(page.items) == 2
    assert tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE, status=lc.DRAFT).total == 0


def test_claim_and_reassign(uow) -> None:
    case_id = _case(uow, 1, COMMUNE)
    assert tasks.claim_task(uow, case_id=case_id, username="an")["assignee"] == "an"
    assert tasks.claim_task(uow, case_id=case_id, username="an")["previous"] == "an"  # claiming again is fine
    with pytest.raises(Conflict) as refused:
        tasks.claim_task(uow, case_id=case_id, username="binh")
    assert refused.value.errors == {
        "assignee": ["Hồ sơ đang do an xử lý; chỉ giao cho người khác được bằng cách phân công lại."]
    }
    assert refused.value.errors_en == {
        "assignee": ["Claimed by an; only a reassignment gives it to someone else."]
    }
    assert tasks.claim_task(uow, case_id=case_id, username="binh", force=True)["previous"] == "an"
    mine = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE, mine_only_for="binh")
    assert [t["id"] for t in mine.items] == [case_id]


def test_each_task_and_case_names_its_subject_by_register_name_and_code(uow, tmp_path: Path) -> None:
    from services.evaluation.adapters import tables as t
    from tests.signin import add_household

    add_household(
        f"sqlite:///{tmp_path / 'evaluation.db'}", commune_code=COMMUNE, code="H001", household_id="HH-1"
    )
    _case(uow, 1, COMMUNE)  # registered: named
    _case(uow, 2, COMMUNE)  # HH-2 is in no register here: its id alone
    page = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE)
    named = {i["id"]: (i["subject_code"], i["subject_name"]) for i in page.items}
    assert named == {"case-1": ("H001", "Nguyễn Văn Hộ"), "case-2": (None, None)}
    one = cases.case_with_recognition(uow, case_id="case-1")
    assert (one["subject_code"], one["subject_name"]) == ("H001", "Nguyễn Văn Hộ")
    # A village community is its admin unit: named by the unit's code and name.
    community = _case(uow, 3, COMMUNE, title="learning_community_village", submit=False)
    with uow:
        uow.connection.execute(t.cases.update().where(t.cases.c.id == community).values(subject_id=COMMUNE))
        uow.commit()
        commune_name = uow.admin_units.get(COMMUNE).name
    mine = cases.case_with_recognition(uow, case_id=community)
    assert (mine["subject_code"], mine["subject_name"]) == (COMMUNE, commune_name)
