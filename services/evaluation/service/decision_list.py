"""Use case: build a round's decision list from its cases awaiting decision, judging each subject's
recognition dependencies at that moment (service layer).

One draft decision per title. Dependencies come from the criteria set's data (rules and the lowest
level): a village community needs a share of its households holding Learning Family, a clan a share of
its households, a unit a share of its members holding Learning Citizen. "Holding" counts the
recognitions already recorded for the year and the subjects this same list recognises (titles without
dependencies are judged first), so one quarter-IV decision can recognise families and their village.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from services.evaluation.adapters import tables as t
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.criteria import TITLE_NAMES_VI
from services.evaluation.service.decision_batch import stable_id
from services.evaluation.service.round_audit import get_round_or_raise, round_entry
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

# Titles judged first: nothing depends on them being judged after anything else.
_ORDER = (
    "learning_citizen",
    "learning_family",
    "learning_clan",
    "learning_community_village",
    "learning_unit",
    "learning_community_commune",
)
SYMBOL = "QĐ-UBND"


def _dependencies(criteria_key: str | None) -> list[Any]:
    if not criteria_key:
        return []
    code, _, version = criteria_key.partition("@")
    rules = get_criteria_set(code, version).rules
    lowest = min(rules.levels, key=lambda lv: lv.level).dependencies if rules.levels else ()
    return [*rules.dependencies, *lowest]


def _names(conn: Any, commune: str) -> dict[str, tuple[str, str | None]]:
    """Subject id -> (display name, village code) for every register subject of the commune."""
    h, c, cl, u, au = t.households, t.citizens, t.clans, t.units, t.admin_units
    out: dict[str, tuple[str, str | None]] = {}
    for row in conn.execute(
        sa.select(h.c.id, h.c.head_name, h.c.village_code).where(h.c.commune_code == commune)
    ):
        out[row.id] = (row.head_name, row.village_code)
    q = sa.select(c.c.id, c.c.citizen_key, c.c.full_name, h.c.village_code).join(
        h, c.c.household_id == h.c.id
    )
    for row in conn.execute(q.where(h.c.commune_code == commune)):
        out[row.id] = out[row.citizen_key] = (row.full_name, row.village_code)
    for row in conn.execute(sa.select(cl.c.id, cl.c.name).where(cl.c.commune_code == commune)):
        out[row.id] = (row.name, None)
    for row in conn.execute(sa.select(u.c.id, u.c.name).where(u.c.commune_code == commune)):
        out[row.id] = (row.name, None)
    for row in conn.execute(sa.select(au.c.code, au.c.name).where(au.c.parent_code == commune)):
        out[row.code] = (row.name, row.code)
    return out


def _members(conn: Any, kind: str, subject_id: str) -> list[str]:
    """The ids of a subject's members that a dependency counts (households or citizen keys)."""
    h, ch, um = t.households, t.clan_households, t.unit_members
    if kind == "learning_community_village":
        return list(conn.execute(sa.select(h.c.id).where(h.c.village_code == subject_id)).scalars())
    if kind == "learning_clan":
        return list(conn.execute(sa.select(ch.c.household_id).where(ch.c.clan_id == subject_id)).scalars())
    if kind == "learning_unit":
        return list(conn.execute(sa.select(um.c.citizen_key).where(um.c.unit_id == subject_id)).scalars())
    return []


def _holders(conn: Any, title: str, year: int, decided: dict[str, set[str]]) -> set[str]:
    """Who holds a title this year: recorded recognitions and this list's recognised subjects (citizens
    both by id and by citizen key)."""
    rec, c = t.recognitions, t.citizens
    held = set(
        conn.execute(
            sa.select(rec.c.subject_id).where(
                rec.c.title == title, rec.c.year == year, rec.c.revoked.is_(False)
            )
        ).scalars()
    )
    held |= decided.get(title, set())
    if title == "learning_citizen" and held:
        ids = list(held)
        for i in range(0, len(ids), 500):
            held |= set(
                conn.execute(sa.select(c.c.citizen_key).where(c.c.id.in_(ids[i : i + 500]))).scalars()
            )
    return held


def _judge(
    conn: Any, title: str, subject_id: str, deps: list[Any], year: int, decided: dict[str, set[str]]
) -> tuple[str, str | None]:
    if title not in ("learning_community_village", "learning_clan", "learning_unit"):
        return lc.RECOGNISED, None  # a family's adult members are not judged here (docs/yearly-round.md)
    for dep in deps:
        members = _members(conn, title, subject_id)
        holders = _holders(conn, dep.title, year, decided)
        share = (sum(1 for m in members if m in holders) / len(members)) if members else 0.0
        if share + 1e-9 < dep.min_share:
            return lc.NOT_RECOGNISED, (
                f"Tỷ lệ đạt danh hiệu “{TITLE_NAMES_VI.get(dep.title, dep.title)}” là {share:.0%}, "
                f"chưa đạt {dep.min_share:.0%} ({len(members)} thành viên)."
            )
    return lc.RECOGNISED, None


def build_decision_list(uow: Any, *, round_id: str, actor: str = "system") -> rc.DecisionList:
    """The round's draft decisions (one per title) and their lists, built once."""
    now = datetime.now(UTC)
    with uow:
        rnd = get_round_or_raise(uow, round_id)
        existing = [d for d in uow.decisions.of_round(round_id) if d["kind"] == "recognition"]
        if existing:
            return _summary(uow, existing)
        conn = uow.connection
        cs, cp = t.cases, t.case_progress
        q = (
            sa.select(cs.c.id, cs.c.title, cs.c.subject_id, cp.c.village_code, cp.c.criteria_set_key)
            .select_from(cs.join(cp, cp.c.case_id == cs.c.id, isouter=True))
            .where(
                cs.c.admin_unit_code == rnd["admin_unit_code"],
                cs.c.year == rnd["year"],
                cs.c.status == lc.AWAITING_DECISION,
            )
            .where(sa.or_(cp.c.plan_code == rnd["plan_code"], cp.c.plan_code.is_(None)))
        )
        by_title: dict[str, list[Any]] = defaultdict(list)
        for row in conn.execute(q):
            by_title[row.title].append(row)
        names = _names(conn, rnd["admin_unit_code"])
        decided: dict[str, set[str]] = {}
        decisions = []
        for title in sorted(by_title, key=lambda x: _ORDER.index(x) if x in _ORDER else 99):
            decision_id = stable_id("decision", round_id, title)
            uow.decisions.add(
                id=decision_id,
                round_id=round_id,
                title=title,
                kind="recognition",
                amends_id=None,
                number=None,
                symbol=SYMBOL,
                status="draft",
                signed_by=None,
                signer_name=None,
                signed_on=None,
                reason=None,
                documents=None,
                created_at=now,
                updated_at=now,
            )
            rows = []
            for case in by_title[title]:
                outcome, reason = _judge(
                    conn, title, case.subject_id, _dependencies(case.criteria_set_key), rnd["year"], decided
                )
                if outcome == lc.RECOGNISED:
                    decided.setdefault(title, set()).add(case.subject_id)
                name, village = names.get(case.subject_id, (case.subject_id, None))
                village = case.village_code or village
                rows.append(
                    {
                        "decision_id": decision_id,
                        "case_id": case.id,
                        "subject_id": case.subject_id,
                        "subject_name": name,
                        "village_code": village,
                        "village_name": names.get(village, (village, None))[0] if village else None,
                        "outcome": outcome,
                        "reason": reason,
                        "recorded": False,
                    }
                )
            uow.decisions.add_items(rows)
            decisions.append(uow.decisions.get(decision_id))
        summary = _summary(uow, decisions)
        uow.record(
            round_entry(
                rnd,
                action="round.decision_list_built",
                actor=actor,
                after={
                    "decisions": summary.decision_ids,
                    "recognised": summary.recognised,
                    "not_recognised": summary.not_recognised,
                },
                at=now,
            )
        )
        uow.commit()
    return summary


def _summary(uow: Any, decisions: list[dict[str, Any]]) -> rc.DecisionList:
    ids = [d["id"] for d in decisions]
    return rc.DecisionList(
        decision_ids=ids,
        recognised=sum(uow.decisions.count_items(i, outcome=lc.RECOGNISED) for i in ids),
        not_recognised=sum(uow.decisions.count_items(i, outcome=lc.NOT_RECOGNISED) for i in ids),
    )


def decision_list(
    uow: Any,
    *,
    round_id: str,
    title: str | None,
    outcome: str | None,
    village: str | None,
    offset: int,
    limit: int,
) -> dict[str, Any]:
    """A page of the round's decision lists (for the posting, the council and the chairman)."""
    di, d = t.decision_items, t.decisions
    with uow:
        get_round_or_raise(uow, round_id)
        q = (
            sa.select(di, d.c.title)
            .join(d, d.c.id == di.c.decision_id)
            .where(d.c.round_id == round_id, d.c.kind == "recognition")
        )
        if title:
            q = q.where(d.c.title == title)
        if outcome:
            q = q.where(di.c.outcome == outcome)
        if village:
            q = q.where(di.c.village_code == village)
        conn = uow.connection
        total = int(conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one())
        rows = conn.execute(
            q.order_by(d.c.title, di.c.village_code, di.c.subject_name, di.c.case_id)
            .offset(offset)
            .limit(limit)
        ).mappings()
        return {"items": [dict(r) for r in rows], "total": total}
