"""Cases awaiting the yearly decision, written straight into the evaluation tables (bench and tests):
households with Vietnamese names spread over a commune's villages, one Learning Family case each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.evaluation.adapters import tables as t
from services.evaluation.domain.model import case_id_for
from services.evaluation.service import admin_units
from workflows import ids

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô")
GIVEN_NAMES = ("Văn Hưng", "Thị Hương", "Đức Thắng", "Thị Mỹ", "Văn Lợi", "Quang Huy", "Hữu Phước", "Thị Hoà")


def ensure_villages(uow_factory: Any, commune: str, count: int) -> list[str]:
    """`count` villages (thôn) in the commune, created once; their codes."""
    codes = []
    for i in range(1, count + 1):
        try:
            v = admin_units.create_village(
                uow_factory(), commune_code=commune, local_code=f"T{i:02d}", name=f"Thôn {i}", kind="thon"
            )
            codes.append(v.code)
        except Exception:  # already there
            with uow_factory() as uow:
                found = [
                    u
                    for u in uow.connection.execute(
                        sa.select(t.admin_units.c.code).where(
                            t.admin_units.c.parent_code == commune, t.admin_units.c.name == f"Thôn {i}"
                        )
                    ).scalars()
                ]
            codes.extend(found)
    return codes


def seed_awaiting_cases(
    engine: sa.Engine,
    *,
    commune: str,
    year: int,
    plan_code: str,
    villages: list[str],
    count: int,
    prefix: str = "HH",
    title: str = "learning_family",
) -> list[str]:
    """`count` households and their cases, every case awaiting decision; returns the case ids."""
    now = datetime.now(UTC)
    households, cases, progress = [], [], []
    for i in range(count):
        hid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{commune}/{prefix}-{i}"))
        village = villages[i % len(villages)]
        households.append(
            {
                "id": hid,
                "commune_code": commune,
                "household_code": f"{prefix}-{i:05d}",
                "village_code": village,
                "head_name": f"{FAMILY_NAMES[i % 10]} {GIVEN_NAMES[(i // 10) % 8]}",
                "address": f"Thôn {village}",
            }
        )
        wid = ids.recognition_workflow_id(year, title, hid)
        cid = case_id_for(wid)
        cases.append(
            {
                "id": cid,
                "workflow_id": wid,
                "run_id": "seed",
                "year": year,
                "title": title,
                "subject_id": hid,
                "admin_unit_code": commune,
                "status": "awaiting_decision",
                "version": 7,
                "opened_by": "seed",
                "created_at": now,
                "updated_at": now,
            }
        )
        progress.append(
            {
                "case_id": cid,
                "plan_code": plan_code,
                "plan_version": 1,
                "criteria_set_key": "gia-dinh-hoc-tap@2023.1",
                "waiting_on_role": "commune_chairman",
                "overdue": False,
                "escalation_step": -1,
                "village_code": village,
            }
        )
    with engine.begin() as conn:
        for table, rows in ((t.households, households), (t.cases, cases), (t.case_progress, progress)):
            for i in range(0, len(rows), 2000):
                conn.execute(table.insert(), rows[i : i + 2000])
    return [c["id"] for c in cases]
