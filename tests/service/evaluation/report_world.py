"""Test data for the progress reports, written through the evaluation service's own code and tables:
two Hồ Chí Minh City wards, villages, households, citizens and cases, some recognised.

Ward 26506 (Phường Vũng Tàu): KP1 with 4 households, KP2 with 6; recognised learning families in 2025:
3 in KP1, 3 in KP2, 1 whose village is unknown, and one more in KP1 whose recognition was revoked
(not counted); 2 in 2024; 2 still awaiting the decision in 2025.
Ward 26526 (Phường Tam Thắng): KP1 with 5 households, 2 recognised in 2025. 2 clans in 26506, 1 recognised.
"""

from __future__ import annotations

import itertools
import uuid

import sqlalchemy as sa

from common.db import make_engine
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.service import admin_units, cases
from workflows.recognition import contracts as c

WARD, OTHER_WARD = "26506", "26526"
_ids = itertools.count(1)


def add_households(url: str, commune: str, village_local: str, n: int) -> list[str]:
    """n households (one adult and one child each) in a village, created if absent."""
    engine = make_engine(url)
    village = f"{commune}.{village_local}"
    with engine.begin() as db:
        exists = db.execute(sa.select(t.admin_units.c.code).where(t.admin_units.c.code == village)).first()
    if not exists:
        admin_units.create_village(
            SqlUnitOfWork(engine),
            commune_code=commune,
            local_code=village_local,
            name=f"Khu phố {village_local[2:]}",
            kind="khu_pho",
        )
    ids = []
    with engine.begin() as db:
        for _ in range(n):
            k = next(_ids)
            hid = str(uuid.uuid4())
            db.execute(
                t.households.insert().values(
                    id=hid,
                    commune_code=commune,
                    household_code=f"HH{k:04d}",
                    village_code=village,
                    head_name="Nguyễn Văn Bình",
                    address=village,
                )
            )
            for j, birth in enumerate((1980, 2015)):
                db.execute(
                    t.citizens.insert().values(
                        id=str(uuid.uuid4()),
                        citizen_key=f"{commune}/HH{k:04d}/{j}",
                        full_name="Trần Thị Lan",
                        birth_year=birth,
                        gender="nu",
                        citizen_group="adult" if birth < 2000 else "child",
                        household_id=hid,
                        relation="head" if j == 0 else "child",
                    )
                )
            ids.append(hid)
    engine.dispose()
    return ids


def add_case(
    url: str,
    *,
    year: int,
    commune: str,
    village: str | None,
    status: str = "recognised",
    title: str = "learning_family",
) -> str:
    """A case opened through the service, then moved to `status` in the read model (as the yearly
    round's decision does) with its village recorded."""
    n = next(_ids)
    case_id = str(uuid.uuid4())
    engine = make_engine(url)
    uow = SqlUnitOfWork(engine)
    cases.record_case_opened(
        uow,
        inp=c.CaseOpenedInput(
            case_id=case_id,
            workflow_id=f"recognition/{year}/{title}/S{n}",
            run_id="r",
            year=year,
            title=title,
            subject_id=f"S{n}",
            admin_unit_code=commune,
            opened_by="test",
        ),
    )
    with uow:
        if village:
            uow.progress.upsert(case_id, village_code=f"{commune}.{village}")
        uow.commit()
    with engine.begin() as db:
        db.execute(t.cases.update().where(t.cases.c.id == case_id).values(status=status))
    engine.dispose()
    return case_id


def revoke(url: str, case_id: str, *, commune: str, year: int, title: str = "learning_family") -> None:
    """Record the case's recognition as the yearly round does, then flag it revoked as an amending
    decision does (rows written straight into the round's tables)."""
    from datetime import UTC, date, datetime

    now = datetime.now(UTC)
    round_id, decision_id = str(uuid.uuid4()), str(uuid.uuid4())
    engine = make_engine(url)
    with engine.begin() as db:
        db.execute(
            t.rounds.insert().values(
                id=round_id,
                workflow_id=f"yearly-round/{commune}/{year}/{round_id}",
                admin_unit_code=commune,
                year=year,
                plan_code="ho-chi-minh-city-2023",
                phase="decided",
                version=1,
                opened_by="test",
                created_at=now,
                updated_at=now,
            )
        )
        db.execute(
            t.decisions.insert().values(
                id=decision_id,
                round_id=round_id,
                title=title,
                kind="recognition",
                symbol="QĐ-UBND",
                status="recorded",
                created_at=now,
                updated_at=now,
            )
        )
        db.execute(
            t.recognitions.insert().values(
                id=str(uuid.uuid4()),
                subject_id=f"revoked-{case_id}",
                subject_kind="household",
                title=title,
                year=year,
                case_id=case_id,
                decision_id=decision_id,
                decision_number="01/QĐ-UBND",
                decided_on=date(year, 12, 15),
                admin_unit_code=commune,
                streak=1,
                revoked=True,
            )
        )
    engine.dispose()


def add_clans(url: str, commune: str, n: int) -> None:
    """n clans in a commune."""
    engine = make_engine(url)
    with engine.begin() as db:
        for _ in range(n):
            db.execute(
                t.clans.insert().values(
                    id=str(uuid.uuid4()), commune_code=commune, clan_code=f"DH{next(_ids)}", name="Họ Nguyễn"
                )
            )
    engine.dispose()


def build(url: str) -> str:
    """The whole scenario described in the module docstring; returns a household of the ward (for a
    household representative's account)."""
    [first, *_] = add_households(url, WARD, "KP1", 4)
    add_households(url, WARD, "KP2", 6)
    add_households(url, OTHER_WARD, "KP1", 5)
    for village, n in (("KP1", 3), ("KP2", 3), (None, 1)):
        for _ in range(n):
            add_case(url, year=2025, commune=WARD, village=village)
    for _ in range(2):
        add_case(url, year=2024, commune=WARD, village="KP1")
        add_case(url, year=2025, commune=WARD, village="KP2", status="awaiting_decision")
        add_case(url, year=2025, commune=OTHER_WARD, village="KP1")
    revoke(url, add_case(url, year=2025, commune=WARD, village="KP1"), commune=WARD, year=2025)
    add_clans(url, WARD, 2)
    add_case(url, year=2025, commune=WARD, village=None, title="learning_clan")
    return first
