"""The task inbox query: cases waiting on a role within a set of communes, soonest due first; and the
case list: every case of a set of communes or of one subject (adapter layer).

Served by the indexes ix_case_progress_waiting (role, due date), ix_cases_unit_status and
ix_cases_subject.
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
    query = _filtered(
        _listed(outer=False).where(waiting),
        communes=communes,
        subject_id=subject_id,
        equal={c.c.title: title, c.c.status: status, p.c.village_code: village, p.c.assignee: assignee},
    )
    ordered = query.order_by(p.c.escalated_to_role.is_(None), p.c.due_at.is_(None), p.c.due_at, c.c.id)
    return _page(conn, query, ordered, limit=limit, offset=offset)


def case_page(
    conn: Connection,
    *,
    communes: list[str] | None,
    subject_id: str | None,
    year: int | None,
    title: str | None,
    status: str | None,
    village: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the cases within a set of communes (or of one subject), whatever waits on whom: the
    newest year first, then by title and id."""
    query = _filtered(
        _listed(outer=True),
        communes=communes,
        subject_id=subject_id,
        equal={c.c.year: year, c.c.title: title, c.c.status: status, p.c.village_code: village},
    )
    return _page(conn, query, query.order_by(c.c.year.desc(), c.c.title, c.c.id), limit=limit, offset=offset)


def _listed(*, outer: bool) -> sa.Select[Any]:
    """A case with its progress row: what a row of the inbox or of a case list shows. The inbox takes
    cases with a progress row only; the case list (`outer`) also a case opened before session 7's single
    opening activity wrote its row with it (its progress columns are then null)."""
    return sa.select(
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
    ).join(p, p.c.case_id == c.c.id, isouter=outer)


def _filtered(
    query: sa.Select[Any], *, communes: list[str] | None, subject_id: str | None, equal: dict[Any, Any]
) -> sa.Select[Any]:
    if communes is not None:
        query = query.where(c.c.admin_unit_code.in_(communes))
    if subject_id is not None:  # "" matches no case: a household representative without a household
        query = query.where(c.c.subject_id == subject_id)
    for column, value in equal.items():
        if value:
            query = query.where(column == value)
    return query


def _page(
    conn: Connection, query: sa.Select[Any], ordered: sa.Select[Any], *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    # counted over the case ids alone: a LEFT JOIN whose columns nobody reads is then dropped by the planner
    counted = query.with_only_columns(c.c.id).subquery()
    total = conn.execute(sa.select(sa.func.count()).select_from(counted)).scalar_one()
    rows = conn.execute(ordered.limit(limit).offset(offset)).mappings()
    return [dict(r) for r in rows], int(total)
