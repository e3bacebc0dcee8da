"""A subject that moves takes its open cases along (services/evaluation/service/moves.py): a register
import that puts a household in another village, or a citizen in a household of another village, moves
their cases that are not yet decided or withdrawn, each with an audit entry naming the file; decided
and withdrawn cases stay where they were judged; importing the same file again moves nothing."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from common.audit import chain_entries, verify_chain
from common.db import make_engine
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.imports import ImportOptions
from services.evaluation.service import imports
from services.evaluation.service.audit import case_chain
from services.evaluation.service.cases import record_case_opened
from tests.conftest import HCMC_WARD, seed_reference_data
from workflows.recognition import contracts as c

DEMO = Path(__file__).resolve().parents[3] / "infra" / "samples" / "demo"
HEADER = "Mã xã,Mã thôn,Mã hộ,Chủ hộ,Địa chỉ,Số định danh,Họ và tên,Năm sinh,Giới tính,Đối tượng,Quan hệ với chủ hộ\n"
# H001 now lives in KP02; H002's head is now registered with H003 (KP02); H003 as it was.
MOVED = HEADER + (
    "26506,KP02,H001,Nguyễn Văn Hộ,Số 5 đường Trần Phú,077075001234,Nguyễn Văn Hộ,1975,Nam,Người dân,Chủ hộ\n"
    "26506,KP02,H003,Trần Văn Bình,Số 40 đường Thùy Vân,077066007890,Trần Văn Bình,1966,Nam,Người dân,Chủ hộ\n"
    "26506,KP02,H003,Trần Văn Bình,Số 40 đường Thùy Vân,077182006789,Lê Thị Hồng,1982,Nữ,Người dân,Em\n"
)


def _import(url: str, name: str, source: object) -> imports.ImportRun:
    run = imports.import_subjects(
        SqlUnitOfWork(make_engine(url)),
        kind="households",
        file_name=name,
        source=source,  # type: ignore[arg-type]
        file_format="csv",
        options=ImportOptions(commune_code=HCMC_WARD),
        created_by="can-bo-hoi",
    )
    assert run.status == "imported", run.entries[:3]
    return run


@pytest.fixture
def register(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    for kind in ("villages", "households"):
        imports.import_subjects(
            SqlUnitOfWork(make_engine(url)),
            kind=kind,  # type: ignore[arg-type]
            file_name=f"{kind}.csv",
            source=str(DEMO / f"{kind}.csv"),
            file_format="csv",
            options=ImportOptions(commune_code=HCMC_WARD),
            created_by="test",
        )
    return url


def _ids(url: str) -> dict[str, str]:
    """Register code (household code or national ID) -> id."""
    with make_engine(url).connect() as db:
        households = {r.household_code: r.id for r in db.execute(sa.select(t.households))}
        citizens = {r.citizen_key: r.id for r in db.execute(sa.select(t.citizens))}
    return households | citizens


def _open(url: str, title: str, subject_id: str, *, status: str | None = None) -> str:
    case_id = str(uuid.uuid4())
    inp = c.CaseOpenedInput(
        case_id=case_id,
        workflow_id=f"test-{case_id}",
        run_id="run",
        year=2026,
        title=title,
        subject_id=subject_id,
        admin_unit_code=HCMC_WARD,
        opened_by="test",
    )
    assert record_case_opened(SqlUnitOfWork(make_engine(url)), inp=inp)
    if status:
        with make_engine(url).begin() as db:
            db.execute(t.cases.update().where(t.cases.c.id == case_id).values(status=status))
    return case_id


def _village(url: str, case_id: str) -> str | None:
    with make_engine(url).connect() as db:
        q = sa.select(t.case_progress.c.village_code).where(t.case_progress.c.case_id == case_id)
        return db.execute(q).scalar()


def _moves(url: str, case_id: str) -> list[tuple[str, object, object, str | None]]:
    with make_engine(url).connect() as db:
        entries = chain_entries(db, t.audit, case_chain(case_id))
    return [(e.actor, e.before, e.after, e.reason) for e in entries if e.action == "case.village_changed"]


def test_open_cases_follow_a_household_and_a_citizen_to_their_new_village(register: str) -> None:
    ids = _ids(register)
    family = _open(register, "learning_family", ids["H001"])
    head = _open(register, "learning_citizen", ids["077075001234"])  # H001's head: moves with it
    citizen = _open(register, "learning_citizen", ids["077182006789"])  # H002's head, now in H003
    assert {_village(register, k) for k in (family, head, citizen)} == {"26506.KP01"}

    run = _import(register, "ho-chuyen.csv", io.BytesIO(MOVED.encode()))

    assert run.written["cases_moved"] == 3
    with make_engine(register).connect() as db:
        q = sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "case.village_changed")
        told = [json.loads(body)["payload"] for body in db.execute(q).scalars()]
    assert sorted((p["case_id"], p["village_code"], p["from_village_code"]) for p in told) == sorted(
        (case_id, "26506.KP02", "26506.KP01") for case_id in (family, head, citizen)
    )
    assert {p["village_name"] for p in told} == {"Khu phố 2"}
    # whose case each is, by its register code (a citizen's key), for the new village's staff
    assert {p["case_id"]: p["subject_code"] for p in told} == {
        family: "H001",
        head: "077075001234",
        citizen: "077182006789",
    }
    assert all(p["subject_name"] for p in told)
    for case_id in (family, head, citizen):
        assert _village(register, case_id) == "26506.KP02"
        [(actor, before, after, reason)] = _moves(register, case_id)
        assert actor == "can-bo-hoi"
        assert before == {"village_code": "26506.KP01", "assignee": None}
        assert after == {"village_code": "26506.KP02", "assignee": None}
        assert reason == "Sổ đăng ký nhập từ tệp “ho-chuyen.csv” ghi đối tượng ở Khu phố 2 (26506.KP02)."
        with make_engine(register).connect() as db:
            assert verify_chain(db, t.audit, case_chain(case_id)).ok


def test_decided_and_withdrawn_cases_stay_and_a_second_import_moves_nothing(register: str) -> None:
    ids = _ids(register)
    recognised = _open(register, "learning_family", ids["H001"], status="recognised")
    withdrawn = _open(register, "learning_citizen", ids["077075001234"], status="withdrawn")
    open_case = _open(register, "learning_citizen", ids["077178004321"])  # H001's wife: moves with H001

    first = _import(register, "ho-chuyen.csv", io.BytesIO(MOVED.encode()))
    again = _import(register, "ho-chuyen.csv", io.BytesIO(MOVED.encode()))

    assert first.written["cases_moved"] == 1 and "cases_moved" not in again.written
    assert _village(register, recognised) == "26506.KP01" and not _moves(register, recognised)
    assert _village(register, withdrawn) == "26506.KP01" and not _moves(register, withdrawn)
    assert _village(register, open_case) == "26506.KP02" and len(_moves(register, open_case)) == 1


def test_the_old_villages_claim_ends_and_the_communes_stays(register: str) -> None:
    ids = _ids(register)
    at_village = _open(register, "learning_family", ids["H001"], status="village_review")
    at_commune = _open(register, "learning_citizen", ids["077075001234"], status="commune_review")
    with make_engine(register).begin() as db:
        for case_id, holder in ((at_village, "thon-kp01"), (at_commune, "can-bo-hoi")):
            db.execute(
                t.case_progress.update().where(t.case_progress.c.case_id == case_id).values(assignee=holder)
            )

    _import(register, "ho-chuyen.csv", io.BytesIO(MOVED.encode()))

    [(_, before, after, _)] = _moves(register, at_village)
    assert before == {"village_code": "26506.KP01", "assignee": "thon-kp01"}
    assert after == {"village_code": "26506.KP02", "assignee": None}
    [(_, before, after, _)] = _moves(register, at_commune)
    assert (
        after
        == {"village_code": "26506.KP02", "assignee": "can-bo-hoi"}
        == {**before, "village_code": "26506.KP02"}
    )
    with make_engine(register).connect() as db:
        held = dict(db.execute(sa.select(t.case_progress.c.case_id, t.case_progress.c.assignee)).all())
    assert held[at_village] is None and held[at_commune] == "can-bo-hoi"
