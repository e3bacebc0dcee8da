"""The task inbox query: cases waiting on a role within a set of communes, soonest due first (adapter layer).

Served by the indexes ix_case_progress_waiting (role, due date) and ix_cases_unit_status.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t

c, p = t.cases, t.case_progress


def task_page(
    conn: Connection,
    *,
    role: str,
    communes: list[str] | None,
    title: str | None,
    status: str | None,
    village: str | None,
    assignee: str | None,
    limit: int,
    subject_id: str | None = None,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the cases waiting on `role` (or escalated to it), with the total."""
    waiting = sa.or_(p.c.waiting_on_role == role, p.c.escalated_to_role == role)
    query = (
        sa.select(
            c.c.id,
            c.c.workflow_id,
            c.c.year,
            c.c.title,
            c.c.subject_id,
            c.c.admin_unit_code,
            c.c.status,
            c.c.version,
            p.c.due_at,
            p.c.overdue,
            p.c.escalation_step,
            p.c.escalated_to_role,
            p.c.waiting_on_role,
            p.c.assignee,
            p.c.village_code,
            p.c.plan_code,
        )
        .join(p, p.c.case_id == c.c.id)
        .where(waiting)
    )
    if communes is not None:
        query = query.where(c.c.admin_unit_code.in_(communes))
    if subject_id is not None:  # "" matches no case: a household representative without a household
        query = query.where(c.c.subject_id == subject_id)
    for column, value in (
        (c.c.title, title),
        (c.c.status, status),
        (p.c.village_code, village),
        (p.c.assignee, assignee),
    ):
        if value:
            query = query.where(column == value)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    ordered = query.order_by(p.c.escalated_to_role.is_(None), p.c.due_at.is_(None), p.c.due_at, c.c.id)
    rows = conn.execute(ordered.limit(limit).offset(offset)).mappings()
    return [dict(r) for r in rows], int(total)
