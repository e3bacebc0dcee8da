"""After the chaos: wait for the stack to settle, then count what was lost or done twice (chaos run).

Reads the services' databases directly (the run owns them; nothing else does):
- cases: every driven subject has exactly one case, at awaiting_decision, version 4 (open + 3 steps);
- steps: per case, the outbox holds case.opened ×1, case.submitted ×1, case.review_passed ×2 and
  evidence.uploaded ×1, and the audit chain the same actions as many times;
- notifications: every event in both outboxes was published and processed; each (event, recipient) the
  routing rules name has exactly one inbox item, and no item goes to anyone else;
- audit: every chain of the evaluation audit verifies.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tools.chaos.stack import USERS, WARD, Stack

EXPECTED_STEPS = {"case.opened": 1, "case.submitted": 1, "case.review_passed": 2, "evidence.uploaded": 1}
FINAL_STATUS, FINAL_VERSION = "awaiting_decision", 4


@dataclass
class Findings:
    """The figures the run prints; `ok` when nothing was lost or doubled."""

    cases_expected: int = 0
    cases_found: int = 0
    cases_final: int = 0
    lost_cases: list[str] = field(default_factory=list)
    not_final: dict[str, str] = field(default_factory=dict)
    duplicated_steps: list[str] = field(default_factory=list)
    events: int = 0
    unpublished_events: int = 0
    unprocessed_events: int = 0
    notifications_expected: int = 0
    notifications_found: int = 0
    lost_notifications: list[str] = field(default_factory=list)
    duplicated_notifications: list[str] = field(default_factory=list)
    unexpected_notifications: list[str] = field(default_factory=list)
    audit_chains: int = 0
    audit_entries: int = 0
    audit_bad_chains: int = 0
    secrets_in_logs: list[str] = field(default_factory=list)
    decided_twice: str = "n/a: the batch decision is not in main yet; checked instead: each step once"

    @property
    def ok(self) -> bool:
        return not (
            self.lost_cases or self.not_final or self.duplicated_steps or self.unpublished_events
            or self.unprocessed_events or self.lost_notifications or self.duplicated_notifications
            or self.unexpected_notifications or self.audit_bad_chains or self.secrets_in_logs
        )  # fmt: skip


def _engine(stack: Stack, service: str) -> sa.Engine:
    return sa.create_engine(stack.env[f"{service.upper()}_DATABASE_URL"])


def _scalar(engine: sa.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def settle(stack: Stack, case_ids: list[str], *, timeout: float, log: Any = print) -> bool:
    """Wait (restarting whatever dies) until every case is final and every event processed."""
    ev, notif = _engine(stack, "evaluation"), _engine(stack, "notifications")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            stack.reap_dead()
            final = _count_final(ev, case_ids)
            pending = _scalar(ev, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
            events = _scalar(ev, "SELECT count(*) FROM outbox")
            processed = _scalar(notif, "SELECT count(*) FROM processed_events")
            if final == len(case_ids) and pending == 0 and processed >= events:
                return True
            log(
                f"  settling: {final}/{len(case_ids)} final, {pending} unpublished, {processed}/{events} processed"
            )
            time.sleep(2)
        return False
    finally:
        ev.dispose()
        notif.dispose()


def _count_final(engine: sa.Engine, case_ids: list[str]) -> int:
    if not case_ids:
        return 0
    stmt = sa.text("SELECT count(*) FROM cases WHERE status = :s AND id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt, {"s": FINAL_STATUS, "ids": case_ids}).scalar_one())


def check(stack: Stack, subjects: list[str], *, year: int = 2027) -> Findings:
    """Count lost and doubled cases, steps, notifications; verify the audit chains."""
    from services.evaluation.domain.model import case_id_for
    from workflows import ids

    f = Findings(cases_expected=len(subjects))
    case_of = {case_id_for(ids.recognition_workflow_id(year, "learning_family", s)): s for s in subjects}
    ev, notif = _engine(stack, "evaluation"), _engine(stack, "notifications")
    try:
        with ev.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, status, version, subject_id FROM cases")).all()
            outbox = conn.execute(
                sa.text("SELECT event_id, event_type, body, published_at FROM outbox")
            ).all()
            audit = conn.execute(sa.text("SELECT chain, action FROM audit_log")).all()
        per_subject = Counter(r.subject_id for r in rows)
        for r in rows:
            if r.id in case_of:
                f.cases_found += 1
                if r.status == FINAL_STATUS and r.version == FINAL_VERSION:
                    f.cases_final += 1
                else:
                    f.not_final[r.id] = f"{r.status} v{r.version}"
        f.lost_cases = sorted(case_of[c] for c in set(case_of) - {r.id for r in rows})
        f.duplicated_steps += [f"subject {s}: {n} cases" for s, n in per_subject.items() if n > 1]
        _steps(f, case_of, outbox, audit)
        _notifications(f, outbox, notif)
        _audit(f, stack)
    finally:
        ev.dispose()
        notif.dispose()
    return f


def _steps(f: Findings, case_of: dict[str, str], outbox: list[Any], audit: list[Any]) -> None:
    events: dict[str, Counter[str]] = {c: Counter() for c in case_of}
    for row in outbox:
        case_id = json.loads(row.body)["payload"].get("case_id")
        if case_id in events:
            events[case_id][row.event_type] += 1
    actions: dict[str, Counter[str]] = {c: Counter() for c in case_of}
    for row in audit:
        case_id = row.chain.removeprefix("case:")
        if case_id in actions:
            actions[case_id][row.action] += 1
    for case_id in case_of:
        for kind, expected in EXPECTED_STEPS.items():
            if events[case_id][kind] != expected:
                f.duplicated_steps.append(f"{case_id}: outbox {kind} ×{events[case_id][kind]}")
            if actions[case_id][kind] != expected:
                f.duplicated_steps.append(f"{case_id}: audit {kind} ×{actions[case_id][kind]}")


def _notifications(f: Findings, outbox: list[Any], notif: sa.Engine) -> None:
    from common.events import Event
    from services.notifications.domain import routing

    by_role = dict(USERS)
    with notif.connect() as conn:
        processed = {r[0] for r in conn.execute(sa.text("SELECT event_id FROM processed_events"))}
        items = Counter(
            (r.event_id, r.recipient)
            for r in conn.execute(sa.text("SELECT event_id, recipient FROM inbox_items"))
        )
    f.events = len(outbox)
    f.notifications_found = sum(items.values())
    expected: set[tuple[str, str]] = set()
    for row in outbox:
        if row.published_at is None:
            f.unpublished_events += 1
        if row.event_id not in processed:
            f.unprocessed_events += 1
        event = Event.from_message(json.loads(row.body))
        if routing.admin_unit_of(event) != WARD:
            continue
        actor = routing.actor_of(event)
        for role in routing.roles_for(event):
            user = by_role.get(role)
            if user and user != actor:
                expected.add((event.id, user))
    f.notifications_expected = len(expected)
    f.lost_notifications = sorted(f"{e} → {u}" for e, u in expected if items[(e, u)] == 0)
    f.duplicated_notifications = sorted(f"{e} → {u} ×{n}" for (e, u), n in items.items() if n > 1)
    f.unexpected_notifications = sorted(f"{e} → {u}" for (e, u) in items if (e, u) not in expected)


def _audit(f: Findings, stack: Stack) -> None:
    from common.db import make_engine
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service import audit

    engine = make_engine(stack.env["EVALUATION_DATABASE_URL"])
    try:
        report = audit.verify_audit(SqlUnitOfWork(engine), max_problems=20)
    finally:
        engine.dispose()
    f.audit_chains, f.audit_entries, f.audit_bad_chains = report.chains, report.entries, report.bad_chains


def scan_logs(f: Findings, stack: Stack, secrets: dict[str, str]) -> None:
    """Every process's output must hold none of the secrets (signing key, S3 secret, passwords, tokens)."""
    for log in sorted((stack.root / "logs").glob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace")
        f.secrets_in_logs += [
            f"{name} in {log.name}" for name, value in secrets.items() if value and value in text
        ]


def history_lengths(
    stack: Stack, subjects: list[str], *, sample: int = 20, year: int = 2027
) -> list[tuple[int, int]]:
    """Temporal history length (events, bytes) of a sample of the cases' workflows: a measured input for
    sizing history shards (docs/scaling.md)."""
    import asyncio

    from temporalio.client import Client

    from workflows import ids

    async def lengths() -> list[tuple[int, int]]:
        client = await Client.connect(stack.env["TEMPORAL_ADDRESS"])
        out = []
        for subject in subjects[:sample]:
            handle = client.get_workflow_handle(ids.recognition_workflow_id(year, "learning_family", subject))
            info = (await handle.describe()).raw_description.workflow_execution_info
            out.append((int(info.history_length), int(info.history_size_bytes)))
        return out

    try:
        # A loop of its own that leaves the caller's current loop alone (asyncio.run would unset it, which
        # breaks pytest-asyncio's session loop for the tests after the chaos smoke test).
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            return runner.run(asyncio.wait_for(lengths(), 60))
    except Exception:  # informational only
        return []
