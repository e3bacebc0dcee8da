"""Use case: build a round's decision list from its cases awaiting decision, judging each subject's
recognition dependencies at that moment (service layer).

One draft decision per title. Dependencies come from the criteria set's data (rules and the lowest
level): a village community needs a share of its households holding Learning Family, a clan a share of
its households, a unit a share of its members holding Learning Citizen. "Holding" counts the
recognitions already recorded for the year and the subjects this same list recognises (titles without
dependencies are judged first), so one quarter-IV decision can recognise families and their village.

A supplementary list (after the main decision is recorded) is built the same way from the cases awaiting
decision that are on no list of the round yet.

The dependencies of the draft lists are judged again (`rejudge_dependencies`) whenever an outcome on them
may have changed: an upheld objection, the council's votes, a revocation, and the signature (last guard).
Recorded recognitions are never re-judged into a revocation: a revocation flags those it leaves short of
their dependency (`flag_unmet_dependencies`), and a supplementary decision whose recognitions meet the
share again restores the flag when they are recorded (`restore_met_dependencies`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from common.errors import InvalidTransition
from common.events import Event
from services.evaluation.adapters import tables as t
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.criteria import TITLE_NAMES_VI
from services.evaluation.service.audit import case_entry
from services.evaluation.service.decision_batch import stable_id
from services.evaluation.service.round_audit import get_round_or_raise, round_chain, round_entry
from services.evaluation.service.subjects import with_subject_labels
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


# The titles whose recognition depends on their members' (a village's or a clan's households, a unit's
# members); a family's adult members are not judged here (docs/yearly-round.md).
DEPENDENT_TITLES = ("learning_community_village", "learning_clan", "learning_unit")
_DEPENDENCY_REASON = "Tỷ lệ đạt danh hiệu “"  # how every dependency reason begins


def is_dependency_reason(reason: str | None) -> bool:
    """Whether a list row's reason is a dependency's shortfall (and nothing else refused it since)."""
    return reason is not None and reason.startswith(_DEPENDENCY_REASON)


def _share(dep: Any, members: list[str], holders: set[str]) -> tuple[bool, str]:
    """Whether the members' share holding the dependency's title meets it, and the sentence saying so."""
    share = (sum(1 for m in members if m in holders) / len(members)) if members else 0.0
    name = TITLE_NAMES_VI.get(dep.title, dep.title)
    if share + 1e-9 < dep.min_share:
        return False, (
            f"{_DEPENDENCY_REASON}{name}” là {share:.0%}, "
            f"chưa đạt {dep.min_share:.0%} ({len(members)} thành viên)."
        )
    return True, (
        f"{_DEPENDENCY_REASON}{name}” là {share:.0%}, đạt mức {dep.min_share:.0%} ({len(members)} thành viên)."
    )


class _Judge:
    """Judges dependent subjects against their dependencies within one round's year. Who holds a title
    is read once per title (recorded recognitions of the year, plus the subjects the lists recognise:
    `decided`, which grows while a list is built — read again when it has grown)."""

    def __init__(self, conn: Any, year: int, decided: dict[str, set[str]]) -> None:
        self._conn, self._year, self._decided = conn, year, decided
        self._held: dict[str, tuple[int, set[str]]] = {}

    def _holders(self, title: str) -> set[str]:
        size = len(self._decided.get(title, ()))
        cached = self._held.get(title)
        if cached is None or cached[0] != size:
            cached = (size, _holders(self._conn, title, self._year, self._decided))
            self._held[title] = cached
        return cached[1]

    def judge(self, title: str, subject_id: str, deps: list[Any]) -> tuple[str, str | None, list[str]]:
        """The outcome, the refusal's reason (None when recognised) and every share judged, in order."""
        if title not in DEPENDENT_TITLES or not deps:
            return lc.RECOGNISED, None, []
        members = _members(self._conn, title, subject_id)
        why = []
        for dep in deps:
            met, text = _share(dep, members, self._holders(dep.title))
            if not met:
                return lc.NOT_RECOGNISED, text, [text]
            why.append(text)
        return lc.RECOGNISED, None, why


def _criteria_keys(conn: Any, case_ids: list[str]) -> dict[str, str | None]:
    """Each case's criteria set key (its dependency rules), read in batches of 500."""
    cp = t.case_progress
    keys: dict[str, str | None] = {}
    for n in range(0, len(case_ids), 500):
        q = sa.select(cp.c.case_id, cp.c.criteria_set_key).where(cp.c.case_id.in_(case_ids[n : n + 500]))
        keys.update({r.case_id: r.criteria_set_key for r in conn.execute(q)})
    return keys


def rejudge_dependencies(
    uow: Any,
    rnd: dict[str, Any],
    *,
    actor: str,
    trigger: str,
    role: str | None = None,
    on_behalf_of: str | None = None,
) -> list[dict[str, Any]]:
    """Judge the dependencies of the round's draft lists again, inside the caller's transaction, after
    an outcome on them changed (an upheld objection, the council's votes, a revocation) and when the
    chairman signs. A dependent subject (village community, clan, unit) whose share now falls short
    becomes `not_recognised` with the reason; one refused for its dependency alone (its reason is the
    dependency's) whose share is met again becomes `recognised`; one refused for another reason is left
    as it is. "Holding" counts as at building: the recorded recognitions of the year (not revoked) and
    the subjects the drafts recognise now. Each change is written on the row and audited in the round's
    chain and the case's (`decision.item_rejudged`: reason, before, after, trigger). Returns the
    changes."""
    conn = uow.connection
    drafts = [d for d in uow.decisions.of_round(rnd["id"]) if d["status"] == "draft"]
    lists = [(d, uow.decisions.items(d["id"])) for d in drafts]
    decided: dict[str, set[str]] = defaultdict(set)
    for d, items in lists:
        decided[d["title"]].update(i["subject_id"] for i in items if i["outcome"] == lc.RECOGNISED)
    dependent = [
        (d, i)
        for d, items in lists
        if d["title"] in DEPENDENT_TITLES
        for i in items
        if i["outcome"] == lc.RECOGNISED or is_dependency_reason(i["reason"])
    ]
    if not dependent:
        return []
    keys = _criteria_keys(conn, [i["case_id"] for _, i in dependent])
    rules: dict[str | None, list[Any]] = {}
    judge = _Judge(conn, rnd["year"], decided)
    changes = []
    for d, item in dependent:
        key = keys.get(item["case_id"])
        if key not in rules:
            rules[key] = _dependencies(key)
        if not rules[key]:
            continue  # nothing to judge (no criteria set known): the row stays as built
        outcome, reason, why = judge.judge(d["title"], item["subject_id"], rules[key])
        if outcome == item["outcome"] and reason == item["reason"]:
            continue
        uow.decisions.set_item(d["id"], item["case_id"], outcome=outcome, reason=reason)
        change = {
            "decision_id": d["id"],
            "case_id": item["case_id"],
            "subject_id": item["subject_id"],
            "title": d["title"],
            "before": {"outcome": item["outcome"], "reason": item["reason"]},
            "after": {"outcome": outcome, "reason": reason},
        }
        changes.append(change)
        fields = {
            "role": role,
            "on_behalf_of": on_behalf_of,
            "reason": " ".join(why),
            "before": change["before"],
            "after": {
                **change["after"],
                "trigger": trigger,
                "decision_id": d["id"],
                "case_id": item["case_id"],
                "subject_id": item["subject_id"],
                "title": d["title"],
            },
        }
        uow.record(round_entry(rnd, action="decision.item_rejudged", actor=actor, **fields))
        case = uow.cases.get(item["case_id"])
        if case is not None:
            uow.record(case_entry(case, action="decision.item_rejudged", actor=actor, **fields))
    return changes


def _judge_recorded(
    conn: Any, year: int, rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], bool, str, list[str]]]:
    """Each of `rows` (each with case_id, title, subject_id) judged against its dependency, "holding"
    being the year's recorded, not revoked recognitions: (row, met, the refusal's reason or "", every
    share judged, in order). Rows whose criteria set is unknown are not judged (left out)."""
    if not rows:
        return []
    keys = _criteria_keys(conn, [r["case_id"] for r in rows])
    rules: dict[str | None, list[Any]] = {}
    judge = _Judge(conn, year, {})  # recorded recognitions only, none revoked
    judged = []
    for r in rows:
        key = keys.get(r["case_id"])
        if key not in rules:
            rules[key] = _dependencies(key)
        if not rules[key]:
            continue
        outcome, reason, why = judge.judge(r["title"], r["subject_id"], rules[key])
        judged.append((r, outcome == lc.RECOGNISED, reason or "", why))
    return judged


def _short_of_dependency(
    conn: Any, year: int, rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], str]]:
    """The recognitions among `rows` (each with case_id, title, subject_id) whose dependency the year's
    recorded, not revoked recognitions no longer meet, each with the reason; rows whose criteria set is
    unknown are not judged."""
    return [(r, reason) for r, met, reason, _ in _judge_recorded(conn, year, rows) if not met]


def still_short(uow: Any, rnd: dict[str, Any], warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flagged recognitions (`warnings`) still short of their dependency, judged now: a later decision
    (a supplementary one, a correction) that restored the share clears the warning; the flag stays in
    the audit trail."""
    short = {r["case_id"] for r, _ in _short_of_dependency(uow.connection, rnd["year"], warnings)}
    return [w for w in warnings if w["case_id"] in short]


DEPENDENCY_UNMET = "decision.dependency_unmet"  # audit action (round's and case's chains) of a flag
UNMET_EVENT = "recognition.dependency_unmet"


def flag_unmet_dependencies(
    uow: Any,
    rnd: dict[str, Any],
    *,
    trigger: str,
    trigger_number: str,
    actor: str,
    role: str | None = None,
    on_behalf_of: str | None = None,
) -> list[dict[str, Any]]:
    """After a revocation (`trigger`, the revoking decision's id), inside its transaction: the recorded,
    not revoked recognitions of a dependent title (village community, clan, unit) of the round's commune
    and year whose dependency is no longer met are **flagged**, never revoked (a revocation is the
    chairman's signed act). Judged with the same rules as the draft lists, "holding" being the year's
    recorded recognitions that are not revoked, this revocation's included. Each flag is an audit entry
    `decision.dependency_unmet` in the round's chain and the dependent case's, and an outbox event
    `recognition.dependency_unmet` (id from the trigger and the case: a retried request publishes it
    once). Returns the flags."""
    conn = uow.connection
    rec = t.recognitions
    standing = [
        dict(r)
        for r in conn.execute(
            sa.select(rec)
            .where(
                rec.c.admin_unit_code == rnd["admin_unit_code"],
                rec.c.year == rnd["year"],
                rec.c.title.in_(DEPENDENT_TITLES),
                rec.c.revoked.is_(False),
            )
            .order_by(rec.c.title, rec.c.subject_id, rec.c.case_id)
        ).mappings()
    ]
    flags = []
    for r, reason in _short_of_dependency(conn, rnd["year"], standing):
        flags.append(
            _record_dependency_change(
                uow,
                rnd,
                r,
                action=DEPENDENCY_UNMET,
                event_type=UNMET_EVENT,
                event_id=stable_id("event", UNMET_EVENT, trigger, r["case_id"]),
                year=r["year"],
                reason=reason,
                trigger=trigger,
                trigger_number=trigger_number,
                actor=actor,
                role=role,
                on_behalf_of=on_behalf_of,
            )
        )
    return flags


DEPENDENCY_RESTORED = "decision.dependency_restored"  # audit action (round's and case's chains)
RESTORED_EVENT = "recognition.dependency_restored"


def restore_met_dependencies(
    uow: Any,
    rnd: dict[str, Any],
    *,
    trigger: str,
    trigger_number: str,
    actor: str,
    role: str | None = None,
    on_behalf_of: str | None = None,
) -> list[dict[str, Any]]:
    """After a decision's recognitions are written (`trigger`, a supplementary decision recording a
    page), inside that transaction: every recognition still standing as a flag in the round's chain
    (its latest `decision.dependency_unmet` entry is followed by no `decision.dependency_restored` entry
    for its case, and it is not revoked) whose dependency the year's recorded, not revoked recognitions
    now meet again (the judge and rules of `still_short`) is **restored**: an audit entry
    `decision.dependency_restored` in the round's chain and the dependent case's, and an outbox event
    `recognition.dependency_restored`, the counterparts of the flag's. The warning itself is still judged
    on reading; this is its audit trace. Idempotent: a restored flag is not standing any more, so the
    same step again writes nothing. Returns the restores."""
    flags = uow.rounds.dependency_warnings(
        rnd["id"], round_chain(rnd["id"]), DEPENDENCY_UNMET, cleared_by=DEPENDENCY_RESTORED
    )
    restored = []
    for w, met, _, why in _judge_recorded(uow.connection, rnd["year"], flags):
        if not met:
            continue
        event_id = stable_id("event", RESTORED_EVENT, trigger, w["case_id"])
        if uow.has_event(event_id):
            # This decision already restored the case once, on an earlier page, and a revocation flagged
            # it again meanwhile: the flag's own trigger tells the two restores apart.
            event_id = stable_id("event", RESTORED_EVENT, trigger, w["case_id"], w["trigger"])
        restored.append(
            _record_dependency_change(
                uow,
                rnd,
                w,
                action=DEPENDENCY_RESTORED,
                event_type=RESTORED_EVENT,
                event_id=event_id,
                year=rnd["year"],
                reason=" ".join(why),  # the share met, in the judge's words
                trigger=trigger,
                trigger_number=trigger_number,
                actor=actor,
                role=role,
                on_behalf_of=on_behalf_of,
            )
        )
    return restored


def _record_dependency_change(
    uow: Any,
    rnd: dict[str, Any],
    row: dict[str, Any],
    *,
    action: str,
    event_type: str,
    event_id: str,
    year: int,
    reason: str,
    trigger: str,
    trigger_number: str,
    actor: str,
    role: str | None,
    on_behalf_of: str | None,
) -> dict[str, Any]:
    """A recorded recognition's dependency flagged or restored: the audit entry in the round's chain and
    the dependent case's, and the event to the commune; returns what was recorded, with its reason."""
    after = {
        "decision_id": row["decision_id"],
        "decision_number": row["decision_number"],
        "case_id": row["case_id"],
        "subject_id": row["subject_id"],
        "title": row["title"],
        "trigger": trigger,
        "trigger_number": trigger_number,
    }
    fields = {"role": role, "on_behalf_of": on_behalf_of, "reason": reason, "after": after}
    uow.record(round_entry(rnd, action=action, actor=actor, **fields))
    case = uow.cases.get(row["case_id"])
    if case is not None:
        uow.record(case_entry(case, action=action, actor=actor, **fields))
    (named,) = with_subject_labels(uow, [{"title": row["title"], "subject_id": row["subject_id"]}])
    uow.publish(
        Event(
            id=event_id,
            type=event_type,
            source="evaluation",
            payload={
                **after,
                "subject_code": named["subject_code"],  # whose title it is, as the register names it
                "subject_name": named["subject_name"],
                "round_id": rnd["id"],
                "year": year,
                "reason": reason,
                # The commune (no village_code): its association and chairman are told.
                "admin_unit_code": rnd["admin_unit_code"],
                "subject_village_code": row["village_code"],
            },
        )
    )
    return {**after, "reason": reason}


def _awaiting(conn: Any, rnd: dict[str, Any], *, outside_round: bool) -> dict[str, list[Any]]:
    """The round's cases awaiting decision, by title; `outside_round`: only those in no decision list of
    the round yet (a supplementary list)."""
    cs, cp, di, d = t.cases, t.case_progress, t.decision_items, t.decisions
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
    if outside_round:
        listed = sa.select(di.c.case_id).join(d, d.c.id == di.c.decision_id).where(d.c.round_id == rnd["id"])
        q = q.where(cs.c.id.not_in(listed))
    by_title: dict[str, list[Any]] = defaultdict(list)
    for row in conn.execute(q.order_by(cs.c.id)):
        by_title[row.title].append(row)
    return by_title


def _draft(
    uow: Any, rnd: dict[str, Any], by_title: dict[str, list[Any]], *, kind: str, id_parts: tuple[Any, ...]
) -> list[dict[str, Any]]:
    """Write one draft decision per title with its list, dependencies judged; return the decisions."""
    now = datetime.now(UTC)
    conn = uow.connection
    names = _names(conn, rnd["admin_unit_code"])
    decided: dict[str, set[str]] = {}
    judge = _Judge(conn, rnd["year"], decided)
    decisions = []
    for title in sorted(by_title, key=lambda x: _ORDER.index(x) if x in _ORDER else 99):
        decision_id = stable_id("decision", rnd["id"], *id_parts, title)
        uow.decisions.add(
            id=decision_id,
            round_id=rnd["id"],
            title=title,
            kind=kind,
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
            outcome, reason, _ = judge.judge(title, case.subject_id, _dependencies(case.criteria_set_key))
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
    return decisions


def build_decision_list(uow: Any, *, round_id: str, actor: str = "system") -> rc.DecisionList:
    """The round's draft decisions (one per title) and their lists, built once."""
    now = datetime.now(UTC)
    with uow:
        rnd = get_round_or_raise(uow, round_id)
        existing = [d for d in uow.decisions.of_round(round_id) if d["kind"] == "recognition"]
        if existing:
            return _summary(uow, existing)
        by_title = _awaiting(uow.connection, rnd, outside_round=False)
        decisions = _draft(uow, rnd, by_title, kind="recognition", id_parts=())
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


SUPPLEMENTARY = "supplementary"  # decisions.kind of a supplementary decision (quyết định công nhận bổ sung)


def supplementary_candidates(uow: Any, rnd: dict[str, Any]) -> int:
    """How many of the round's cases await a decision and are in no decision list of the round."""
    return sum(len(v) for v in _awaiting(uow.connection, rnd, outside_round=True).values())


def build_supplementary_list(uow: Any, *, inp: rc.SupplementListInput) -> rc.DecisionList:
    """A supplementary list (one draft per title) of the round's cases awaiting decision that are in no
    decision of the round yet, dependencies judged as for the main list. Once per supplementary: a retry
    finds the drafts it wrote. None such: nothing is written and the answer has no decision."""
    now = datetime.now(UTC)
    s = inp.supplement
    with uow:
        rnd = get_round_or_raise(uow, inp.round_id, lock=True)
        drafts = [
            d
            for d in uow.decisions.of_round(inp.round_id)
            if d["kind"] == SUPPLEMENTARY and d["status"] == "draft"
        ]
        if drafts:
            return _summary(uow, drafts)
        if rnd["phase"] != rc.SUPPLEMENTARY:
            raise InvalidTransition(
                "Chỉ lập danh sách bổ sung sau khi quyết định chính đã được ghi nhận.",
                "A supplementary list is built only once the round's decision is recorded.",
            )
        by_title = _awaiting(uow.connection, rnd, outside_round=True)
        if not by_title:
            return rc.DecisionList(decision_ids=[], recognised=0, not_recognised=0)
        decisions = _draft(uow, rnd, by_title, kind=SUPPLEMENTARY, id_parts=(SUPPLEMENTARY, inp.version))
        summary = _summary(uow, decisions)
        uow.record(
            round_entry(
                rnd,
                action="round.supplementary_list_built",
                actor=s.actor,
                role=s.role,
                on_behalf_of=s.on_behalf_of,
                after={
                    "decisions": summary.decision_ids,
                    "recognised": summary.recognised,
                    "not_recognised": summary.not_recognised,
                    "version": inp.version,
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
    kind: str = "recognition",
) -> dict[str, Any]:
    """A page of the round's decision lists (for the posting, the council and the chairman): the main
    decision's (`kind` "recognition") or the supplementary ones' ("supplementary")."""
    di, d, rec = t.decision_items, t.decisions, t.recognitions
    with uow:
        get_round_or_raise(uow, round_id)
        q = (
            # `revoked`: the recognition this row gave was revoked since by an amending decision.
            sa.select(di, d.c.title, sa.func.coalesce(rec.c.revoked, False).label("revoked"))
            .join(d, d.c.id == di.c.decision_id)
            .outerjoin(rec, sa.and_(rec.c.case_id == di.c.case_id, rec.c.decision_id == di.c.decision_id))
            .where(d.c.round_id == round_id, d.c.kind == kind)
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
        items = with_subject_labels(uow, [dict(r) for r in rows])  # each subject's register code
        return {"items": items, "total": total}
