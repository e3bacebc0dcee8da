"""The task inbox on a real SQLite database: cases waiting on my role in my scope, escalated first,
then by due date; filters; claim and reassign."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from common.db import make_engine
from common.errors import Conflict
from infra.migrate import upgrade
from services.evaluation.adapters import identity_tables as identity
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.documents.plans import PLANS_DIR
from services.evaluation.service import case_steps, cases, plans, tasks
from services.evaluation.service.admin_units import sync_official_units
from services.evaluation.service.steps import Actor
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


def _staff(uow: SqlUnitOfWork, username: str, role: str = lc.VILLAGE, scope: str | None = COMMUNE) -> Actor:
    from tests.signin import create_user

    create_user(str(uow._engine.url), role=role, scope_code=scope, username=username)
    return Actor(username=username, role=role)


def test_claim_and_reassign(uow) -> None:
    case_id = _case(uow, 1, COMMUNE)
    an, binh = _staff(uow, "can-bo-an"), _staff(uow, "can-bo-binh")
    chair = _staff(uow, "chu-tich", role="commune_chairman")
    assert tasks.claim_task(uow, case_id=case_id, username="can-bo-an", actor=an)["assignee"] == "can-bo-an"
    again = tasks.claim_task(uow, case_id=case_id, username="can-bo-an", actor=an)  # claiming again is fine
    assert again["previous"] == "can-bo-an"
    with pytest.raises(Conflict) as refused:
        tasks.claim_task(uow, case_id=case_id, username="can-bo-binh", actor=binh)
    assert refused.value.errors == {
        "assignee": ["Hồ sơ đang do can-bo-an xử lý; chỉ giao cho người khác được bằng cách phân công lại."]
    }
    assert refused.value.errors_en == {
        "assignee": ["Claimed by can-bo-an; only a reassignment gives it to someone else."]
    }
    moved = tasks.claim_task(
        uow, case_id=case_id, username="CAN-BO-BINH ", actor=chair, force=True, reason="An nghỉ phép"
    )
    assert moved == {
        "case_id": case_id,
        "assignee": "can-bo-binh",
        "previous": "can-bo-an",
    }  # the account's own name
    mine = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE, mine_only_for="can-bo-binh")
    assert [t["id"] for t in mine.items] == [case_id]


def test_each_claim_and_reassignment_is_in_the_cases_history_and_the_new_holder_is_told(uow) -> None:
    from services.evaluation.service import audit
    from tests.signin import add_household

    add_household(str(uow._engine.url), commune_code=COMMUNE, code="H001", household_id="HH-1")
    case_id = _case(uow, 1, COMMUNE)
    an = _staff(uow, "can-bo-an")
    chair = _staff(uow, "chu-tich", role="commune_chairman")
    _staff(uow, "can-bo-binh")
    tasks.claim_task(uow, case_id=case_id, username="can-bo-an", actor=an)
    tasks.claim_task(
        uow, case_id=case_id, username="can-bo-an", actor=an
    )  # nothing changes: nothing recorded
    tasks.claim_task(
        uow, case_id=case_id, username="can-bo-binh", actor=chair, force=True, reason="An nghỉ phép"
    )

    history = audit.case_history(uow, case_id=case_id)
    assert history.verification.ok
    claimed, reassigned = [e for e in history.entries if e.action in ("case.claimed", "case.reassigned")]
    assert (claimed.action, claimed.actor, claimed.before, claimed.after) == (
        "case.claimed",
        "can-bo-an",
        {"assignee": None},
        {"assignee": "can-bo-an"},
    )
    assert (reassigned.actor, reassigned.role, reassigned.reason) == (
        "chu-tich",
        "commune_chairman",
        "An nghỉ phép",
    )
    assert (reassigned.before, reassigned.after) == ({"assignee": "can-bo-an"}, {"assignee": "can-bo-binh"})
    with uow._engine.connect() as db:
        bodies = db.execute(sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "case.assigned"))
        told = [json.loads(body)["payload"] for body in bodies.scalars()]
    assert len(told) == 1  # a claim of one's own tells nobody
    assert (told[0]["addressee"], told[0]["role"]) == ("can-bo-binh", lc.VILLAGE)
    assert (told[0]["subject_code"], told[0]["subject_name"]) == ("H001", "Nguyễn Văn Hộ")  # whose case
    assert (told[0]["previous"], told[0]["reason"], told[0]["actor"]) == (
        "can-bo-an",
        "An nghỉ phép",
        "chu-tich",
    )


@pytest.mark.parametrize(
    ("username", "problem_vi", "problem_en"),
    [
        (
            "khong-ton-tai",
            "Không có tài khoản nào tên 'khong-ton-tai'.",
            "No account is named 'khong-ton-tai'.",
        ),
        (
            "ho-gia-dinh",
            "Tài khoản ho-gia-dinh không phải tài khoản cán bộ: chỉ giao việc cho cán bộ.",
            "Account ho-gia-dinh is not a staff account: only staff are handed work.",
        ),
        (
            "kiem-toan",
            "Tài khoản kiem-toan không phải tài khoản cán bộ: chỉ giao việc cho cán bộ.",
            "Account kiem-toan is not a staff account: only staff are handed work.",
        ),
        (
            "xa-khac",
            "Tài khoản xa-khac không phụ trách đơn vị của việc này.",
            "Account xa-khac does not cover this work's unit.",
        ),
        (
            "bi-khoa",
            "Tài khoản bi-khoa đang bị khoá: không giao việc được.",
            "Account bi-khoa is locked: it cannot be handed work.",
        ),
    ],
)
def test_a_case_is_handed_only_to_an_active_staff_account_covering_its_unit(
    uow, username: str, problem_vi: str, problem_en: str
) -> None:
    from common.errors import ValidationFailed
    from services.evaluation.service import audit
    from tests.signin import add_household, create_user

    case_id = _case(uow, 1, COMMUNE)
    url = str(uow._engine.url)
    an, chair = _staff(uow, "can-bo-an"), _staff(uow, "chu-tich", role="commune_chairman")
    tasks.claim_task(uow, case_id=case_id, username="can-bo-an", actor=an)
    household = add_household(url, commune_code=COMMUNE, code="H1")
    create_user(
        url, role="household_representative", scope_code=COMMUNE, username="ho-gia-dinh", subject_id=household
    )
    create_user(url, role="auditor", scope_code=None, username="kiem-toan")
    create_user(url, role=lc.VILLAGE, scope_code=OTHER_COMMUNE, username="xa-khac")
    locked = create_user(url, role=lc.VILLAGE, scope_code=COMMUNE, username="bi-khoa")
    with uow._engine.begin() as db:
        db.execute(sa.update(identity.users).where(identity.users.c.id == locked.id).values(active=False))

    with pytest.raises(ValidationFailed) as refused:
        tasks.claim_task(uow, case_id=case_id, username=username, actor=chair, force=True)

    assert (refused.value.errors, refused.value.errors_en) == (
        {"username": [problem_vi]},
        {"username": [problem_en]},
    )
    with uow:  # nothing written: the case stays with its holder, nothing recorded
        assert uow.progress.get(case_id)["assignee"] == "can-bo-an"
    assert [e.action for e in audit.case_history(uow, case_id=case_id).entries].count("case.reassigned") == 0


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
    assert (one["village_code"], one["village_name"]) == (f"{COMMUNE}.T1", "Thôn T1")  # where it lives
    unregistered = cases.case_with_recognition(uow, case_id="case-2")
    assert (unregistered["village_code"], unregistered["village_name"]) == (None, None)
    # A village community is its admin unit: named by the unit's code and name.
    community = _case(uow, 3, COMMUNE, title="learning_community_village", submit=False)
    with uow:
        uow.connection.execute(t.cases.update().where(t.cases.c.id == community).values(subject_id=COMMUNE))
        uow.commit()
        commune_name = uow.admin_units.get(COMMUNE).name
    mine = cases.case_with_recognition(uow, case_id=community)
    assert (mine["subject_code"], mine["subject_name"]) == (COMMUNE, commune_name)


def test_the_village_filter_keeps_a_villages_cases_and_refuses_a_code_naming_no_village_of_my_scope(
    uow, tmp_path: Path
) -> None:
    from common.errors import ValidationFailed
    from tests.signin import add_household

    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    add_household(url, commune_code=COMMUNE, code="H001", household_id="HH-1", village="T1")
    add_household(url, commune_code=COMMUNE, code="H002", household_id="HH-2", village="T2")
    add_household(url, commune_code=OTHER_COMMUNE, code="H009", household_id="HH-9", village="T1")
    _case(uow, 1, COMMUNE)
    _case(uow, 2, COMMUNE)
    page = tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE, village=f"{COMMUNE}.T1")
    assert [i["id"] for i in page.items] == ["case-1"] and page.total == 1
    assert page.items[0]["village_name"] == "Thôn T1"  # each row says where
    assert tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=None, village=f"{COMMUNE}.T2").total == 1
    for village in ("T1", "khong-co", COMMUNE, f"{OTHER_COMMUNE}.T1"):
        with pytest.raises(ValidationFailed) as refused:
            tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE, village=village)
        assert refused.value.errors == {
            "village": [f"Không có thôn mang mã '{village}' trong phạm vi của bạn."]
        }


def test_staff_of_a_village_see_their_villages_tasks_only(uow, tmp_path: Path) -> None:
    from tests.signin import add_household

    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    add_household(url, commune_code=COMMUNE, code="H001", household_id="HH-1", village="T1")
    add_household(url, commune_code=COMMUNE, code="H002", household_id="HH-2", village="T2")
    _case(uow, 1, COMMUNE)
    _case(uow, 2, COMMUNE)
    village = f"{COMMUNE}.T1"
    assert [i["id"] for i in tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=village).items] == ["case-1"]
    assert tasks.list_tasks(uow, role=lc.VILLAGE, scope_code=COMMUNE).total == 2


def test_the_case_list_holds_every_case_of_my_scope_whatever_waits_on_whom(uow) -> None:
    submitted, draft = _case(uow, 1, COMMUNE), _case(uow, 2, COMMUNE, submit=False)
    clan = _case(uow, 3, COMMUNE, title="learning_clan")
    _case(uow, 4, OTHER_COMMUNE)
    page = tasks.list_cases(uow, scope_code=COMMUNE)
    assert [i["id"] for i in page.items] == [clan, submitted, draft] and page.total == 3  # title, then id
    assert {i["id"]: i["status"] for i in page.items}[submitted] == lc.VILLAGE_REVIEW
    assert tasks.list_cases(uow, scope_code="38").total == 4  # the province holds both communes
    assert [i["id"] for i in tasks.list_cases(uow, scope_code=COMMUNE, subject_id="HH-1").items] == [
        submitted
    ]
    assert tasks.list_cases(uow, scope_code=COMMUNE, subject_id="").total == 0  # a household without a link
    assert tasks.list_cases(uow, scope_code=COMMUNE, subject_id="HH-4").total == 0  # not in my scope
    assert [i["id"] for i in tasks.list_cases(uow, scope_code=COMMUNE, status=lc.DRAFT).items] == [draft]
    assert tasks.list_cases(uow, scope_code=COMMUNE, title="learning_clan").items[0]["id"] == clan
    assert tasks.list_cases(uow, scope_code=COMMUNE, year=2025).total == 0
    second = tasks.list_cases(uow, scope_code=COMMUNE, limit=2, offset=2)
    assert [i["id"] for i in second.items] == [draft] and second.total == 3


def test_a_case_says_who_it_waits_on_until_when_and_where_it_was_escalated(uow) -> None:
    case_id = _case(uow, 1, COMMUNE)
    fresh = cases.case_with_recognition(uow, case_id=case_id)
    assert (fresh["waiting_on_role"], fresh["overdue"], fresh["escalated_to_role"]) == (
        lc.VILLAGE,
        False,
        None,
    )
    _alarm(uow, case_id, "escalated", "2026-11-05T23:59:59+07:00", step=2, role="commune_chairman")
    late = cases.case_with_recognition(uow, case_id=case_id)
    assert (late["waiting_on_role"], late["overdue"], late["escalated_to_role"]) == (
        lc.VILLAGE,
        True,
        "commune_chairman",
    )
    assert late["due_at"] is not None
