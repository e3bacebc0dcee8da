"""After the chaos: wait for the stack to settle, then count what was lost or done twice (chaos run).

Reads the services' databases directly (the run owns them; nothing else does):
- cases: every driven subject has exactly one case, at awaiting_decision, version 4 (open + 3 steps) — or,
  when the run drove the yearly round, decided (recognised or not), version 5;
- steps: per case, the outbox holds case.opened ×1, case.submitted ×1, case.review_passed ×2 and
  evidence.uploaded ×1, and the audit chain the same actions as many times;
- the round (`check_round`): every case decided exactly once — one recorded decision item, one
  `case.decided` event and one `case.decided` audit entry, a recognition (with one certificate and its
  `certificate.issued` entry) exactly when recognised, the status and outcome the council's votes give;
  each step of the round's own chain once and the chain verifying; the decision documents, the minutes and
  every certificate read back from S3 with the sha256 recorded on the decision, the recognition and in the
  audit; every case's workflow completed;
- notifications: every event in both outboxes was published and processed; each (event, recipient) the
  routing rules name has exactly one inbox item, and no item goes to anyone else (the round's events and
  `case.decided` included, also counted per type);
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
DECIDED = ("recognised", "not_recognised")
DECIDED_VERSION = FINAL_VERSION + 1  # the decision is one status change
CASE_DECIDED = "case.decided"
# The round's own audit chain, each step once. "round.signed" twice: the signature (numbers, signer) and
# the move to recording; one "decision.documents_stored" per decision that recognised somebody.
ROUND_CHAIN = {
    "round.opened": 1, "round.self_assessment_closed": 1, "round.decision_list_built": 1, "round.posted": 1,
    "round.council_due": 1, "round.council_recorded": 1, "round.awaiting_signature": 1, "round.signed": 2,
    "round.recorded": 1, "round.closed": 1,
}  # fmt: skip
ROUND_EVENT_TYPES = ("round.", "objection.", CASE_DECIDED)


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
    # The yearly round (absent with --no-round: round_checked False)
    round_checked: bool = False
    round_phase: str | None = None
    round_version: int | None = None
    decided_once: int = 0
    decided_twice: list[str] = field(default_factory=list)
    not_decided: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    decision_problems: list[str] = field(default_factory=list)  # inconsistent status, item, recognition
    round_chain: dict[str, int] = field(default_factory=dict)  # actions of the round's audit chain
    round_chain_problems: list[str] = field(default_factory=list)
    documents_checked: int = 0  # files read back from S3: decisions, minutes, certificates
    documents_bad: list[str] = field(default_factory=list)
    case_workflows: dict[str, int] = field(default_factory=dict)  # Temporal status of the cases' workflows
    notifications_by_type: dict[str, str] = field(default_factory=dict)  # the round's: "found/expected"

    @property
    def ok(self) -> bool:
        return not (
            self.lost_cases or self.not_final or self.duplicated_steps or self.unpublished_events
            or self.unprocessed_events or self.lost_notifications or self.duplicated_notifications
            or self.unexpected_notifications or self.audit_bad_chains or self.secrets_in_logs
            or self.decided_twice or self.not_decided or self.decision_problems or self.round_chain_problems
            or self.documents_bad
        )  # fmt: skip


def _engine(stack: Stack, service: str) -> sa.Engine:
    return sa.create_engine(stack.env[f"{service.upper()}_DATABASE_URL"])


def _scalar(engine: sa.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def settle(
    stack: Stack,
    case_ids: list[str],
    *,
    timeout: float,
    log: Any = print,
    round_id: str | None = None,
    workflows: Any = None,
) -> bool:
    """Wait (restarting whatever dies) until every case is final and every event processed; with a round,
    until the round is closed, every case decided and (`workflows()`: how many are still running) every
    case's workflow ended."""
    ev, notif = _engine(stack, "evaluation"), _engine(stack, "notifications")
    statuses = DECIDED if round_id else (FINAL_STATUS,)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            stack.reap_dead()
            final = _count_final(ev, case_ids, statuses)
            pending = _scalar(ev, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
            events = _scalar(ev, "SELECT count(*) FROM outbox")
            processed = _scalar(notif, "SELECT count(*) FROM processed_events")
            phase = (
                _scalar(ev, "SELECT phase FROM rounds WHERE id = :id", id=round_id) if round_id else "closed"
            )
            running = None
            if final == len(case_ids) and pending == 0 and processed >= events and phase == "closed":
                running = workflows() if workflows else 0
                if running == 0:
                    return True
            log(
                f"  settling: {final}/{len(case_ids)} final, {pending} unpublished, {processed}/{events} processed"
                + (f", round {phase}" if round_id else "")
                + (f", {running} case workflows running" if running else "")
            )
            time.sleep(2)
        return False
    finally:
        ev.dispose()
        notif.dispose()


def _count_final(engine: sa.Engine, case_ids: list[str], statuses: tuple[str, ...]) -> int:
    if not case_ids:
        return 0
    stmt = sa.text("SELECT count(*) FROM cases WHERE status IN :s AND id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True), sa.bindparam("s", expanding=True)
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt, {"s": list(statuses), "ids": case_ids}).scalar_one())


def case_ids_of(subjects: list[str], year: int) -> dict[str, str]:
    """case id -> subject, for the run's subjects."""
    from services.evaluation.domain.model import case_id_for
    from workflows import ids

    return {case_id_for(ids.recognition_workflow_id(year, "learning_family", s)): s for s in subjects}


def check(stack: Stack, subjects: list[str], *, year: int = 2027, round_id: str | None = None) -> Findings:
    """Count lost and doubled cases, steps, decisions, notifications; verify the audit chains and the
    round's documents. `round_id`: the run drove that round, so every case must be decided once."""
    f = Findings(cases_expected=len(subjects))
    case_of = case_ids_of(subjects, year)
    ev, notif = _engine(stack, "evaluation"), _engine(stack, "notifications")
    try:
        with ev.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, status, version, subject_id FROM cases")).all()
            outbox = conn.execute(
                sa.text("SELECT event_id, event_type, body, published_at FROM outbox")
            ).all()
            audit = conn.execute(
                sa.text("SELECT chain, action, after_state, evidence_sha256 FROM audit_log ORDER BY seq")
            ).all()
        per_subject = Counter(r.subject_id for r in rows)
        for r in rows:
            if r.id in case_of:
                f.cases_found += 1
                if (round_id and r.status in DECIDED and r.version == DECIDED_VERSION) or (
                    not round_id and r.status == FINAL_STATUS and r.version == FINAL_VERSION
                ):
                    f.cases_final += 1
                else:
                    f.not_final[r.id] = f"{r.status} v{r.version}"
        f.lost_cases = sorted(case_of[c] for c in set(case_of) - {r.id for r in rows})
        f.duplicated_steps += [f"subject {s}: {n} cases" for s, n in per_subject.items() if n > 1]
        _steps(f, case_of, outbox, audit)
        if round_id:
            check_round(f, stack, ev, round_id, case_of, {r.id: r for r in rows}, outbox, audit)
        _notifications(f, outbox, notif)
        _audit(f, stack)
    finally:
        ev.dispose()
        notif.dispose()
    return f


def check_round(
    f: Findings,
    stack: Stack,
    ev: sa.Engine,
    round_id: str,
    case_of: dict[str, str],
    cases: dict[str, Any],
    outbox: list[Any],
    audit: list[Any],
) -> None:
    """Every case of the run decided exactly once, consistently, with its documents in S3."""
    f.round_checked = True
    with ev.connect() as conn:
        rnd = conn.execute(
            sa.text("SELECT phase, version, council FROM rounds WHERE id = :id"), {"id": round_id}
        ).one_or_none()
        decisions = {
            d.id: d
            for d in conn.execute(
                sa.text("SELECT id, status, number, documents FROM decisions WHERE round_id = :id"),
                {"id": round_id},
            )
        }
        items: dict[str, list[Any]] = {c: [] for c in case_of}
        for item in conn.execute(
            sa.text("SELECT decision_id, case_id, outcome, recorded FROM decision_items")
        ):
            if item.decision_id in decisions and item.case_id in items:
                items[item.case_id].append(item)
        recognitions: dict[str, list[Any]] = {c: [] for c in case_of}
        for rec in conn.execute(
            sa.text("SELECT case_id, decision_id, certificate, revoked FROM recognitions")
        ):
            if rec.case_id in recognitions:
                recognitions[rec.case_id].append(rec)
    if rnd is None:
        f.decision_problems.append(f"round {round_id} not found")
        f.not_decided = sorted(case_of)
        return
    f.round_phase, f.round_version = rnd.phase, rnd.version
    council = json.loads(rnd.council) if rnd.council else {}
    down = {v["case_id"] for v in council.get("votes", []) if v["against"] >= v["in_favour"]}
    events: dict[str, list[dict[str, Any]]] = {c: [] for c in case_of}
    for row in outbox:
        if row.event_type == CASE_DECIDED:
            payload = json.loads(row.body)["payload"]
            if payload.get("case_id") in events:
                events[payload["case_id"]].append(payload)
    entries: dict[str, Counter[str]] = {c: Counter() for c in case_of}
    certificates: dict[str, list[dict[str, Any]]] = {c: [] for c in case_of}
    round_chain: Counter[str] = Counter()
    stored_docs: dict[str, list[dict[str, Any]]] = {}
    for row in audit:
        if row.chain == f"round:{round_id}":
            round_chain[row.action] += 1
            if row.action == "decision.documents_stored":
                after = json.loads(row.after_state)
                stored_docs.setdefault(after["decision_id"], []).append(after)
            continue
        case_id = row.chain.removeprefix("case:")
        if case_id in entries:
            entries[case_id][row.action] += 1
            if row.action == "certificate.issued":
                certificates[case_id].append(json.loads(row.after_state))
    f.round_chain = dict(sorted(round_chain.items()))
    recognising = {i.decision_id for its in items.values() for i in its if i.outcome == "recognised"}
    with_docs = [d for d in decisions.values() if d.id in recognising]  # the others issue no document
    expected_chain = {**ROUND_CHAIN, "decision.documents_stored": len(with_docs)}
    for action in sorted(set(expected_chain) | set(round_chain)):
        if round_chain[action] != expected_chain.get(action, round_chain[action]):
            f.round_chain_problems.append(
                f"{action} ×{round_chain[action]} (expected {expected_chain[action]})"
            )
    _verify_round_chain(f, stack, round_id)
    outcomes: Counter[str] = Counter()
    files: list[tuple[str, dict[str, Any]]] = []  # (what, {key, sha256, size?}) to read back from S3
    for case_id in sorted(case_of):
        its, recs, evs, n_audit = (
            items[case_id],
            recognitions[case_id],
            events[case_id],
            entries[case_id][CASE_DECIDED],
        )
        recorded = [i for i in its if i.recorded]
        case = cases.get(case_id)
        if len(recorded) > 1 or len(evs) > 1 or n_audit > 1 or len(recs) > 1:
            f.decided_twice.append(
                f"{case_id}: items {len(recorded)}, events {len(evs)}, audit {n_audit}, recognitions {len(recs)}"
            )
            continue
        if not recorded or not evs or not n_audit or case is None or case.status not in DECIDED:
            f.not_decided.append(
                f"{case_id}: items {len(recorded)}/{len(its)}, events {len(evs)}, audit {n_audit}, "
                f"status {case.status if case else None}"
            )
            continue
        f.decided_once += 1
        item, event = recorded[0], evs[0]
        expected = "not_recognised" if case_id in down else "recognised"
        outcomes[case.status] += 1
        problems = []
        if not (item.outcome == event["outcome"] == case.status == expected):
            problems.append(
                f"item {item.outcome}, event {event['outcome']}, status {case.status}, votes: {expected}"
            )
        if case.version != DECIDED_VERSION:
            problems.append(f"version {case.version}")
        if event["decision_id"] != item.decision_id:
            problems.append("event names another decision")
        if expected == "recognised":
            rec = recs[0] if recs else None
            if rec is None or rec.decision_id != item.decision_id or rec.revoked:
                problems.append(f"recognition {rec and (rec.decision_id, rec.revoked)}")
            elif entries[case_id]["certificate.issued"] != 1 or not rec.certificate:
                problems.append(f"certificate.issued ×{entries[case_id]['certificate.issued']}")
            else:
                cert, audited = json.loads(rec.certificate), certificates[case_id][0]
                for kind in ("docx", "pdf"):
                    if cert[kind]["sha256"] != audited[kind]["sha256"]:
                        problems.append(f"certificate {kind}: audit digest differs")
                    files.append((f"certificate {case_id[:8]} {kind}", cert[kind]))
        elif recs or entries[case_id]["certificate.issued"]:
            problems.append("not recognised, yet a recognition or certificate")
        f.decision_problems += [f"{case_id}: {p}" for p in problems]
    f.outcomes = dict(outcomes)
    for d in with_docs:
        docs = json.loads(d.documents) if d.documents else {}
        audited = stored_docs.get(d.id, [{}])[0]
        for kind in ("docx", "pdf", "minutes"):
            if kind not in docs:
                f.documents_bad.append(f"decision {d.number}: no {kind}")
                continue
            if audited.get(kind, {}).get("sha256") != docs[kind]["sha256"]:
                f.documents_bad.append(f"decision {d.number} {kind}: audit digest differs")
            files.append((f"decision {d.number} {kind}", docs[kind]))
    _read_back(f, stack, files)


def _verify_round_chain(f: Findings, stack: Stack, round_id: str) -> None:
    from common.db import make_engine
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork

    engine = make_engine(stack.env["EVALUATION_DATABASE_URL"])
    try:
        uow = SqlUnitOfWork(engine)
        with uow:
            verdict = uow.audit.verify_chain(f"round:{round_id}")
    finally:
        engine.dispose()
    if not verdict.ok:
        f.round_chain_problems.append(f"round chain does not verify: {verdict}")


def _read_back(f: Findings, stack: Stack, files: list[tuple[str, dict[str, Any]]]) -> None:
    """Read each file back from the S3 server and compare its sha256 (and size) with the recorded one."""
    import hashlib

    from common.storage import ObjectStorage

    env = stack.env
    storage = ObjectStorage(
        env["S3_ENDPOINT"], env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], env["EVIDENCE_BUCKET"],
        secure=False, region=env.get("S3_REGION", "us-east-1"),
    )  # fmt: skip
    for what, ref in files:
        for attempt in range(5):  # the S3 server may be restarting after its last kill
            try:
                digest, size = hashlib.sha256(), 0
                for chunk in storage.iter_object(ref["key"]):
                    digest.update(chunk)
                    size += len(chunk)
                break
            except Exception as exc:  # noqa: BLE001 - reported below after the last try
                error = exc
                stack.reap_dead()
                time.sleep(1 + attempt)
        else:
            f.documents_bad.append(f"{what}: not read back ({type(error).__name__}: {str(error)[:100]})")
            continue
        f.documents_checked += 1
        if digest.hexdigest() != ref["sha256"] or ("size" in ref and size != ref["size"]):
            f.documents_bad.append(f"{what}: S3 holds {size} bytes, sha256 {digest.hexdigest()[:12]}…")


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
    type_of: dict[str, str] = {}
    for row in outbox:
        if row.published_at is None:
            f.unpublished_events += 1
        if row.event_id not in processed:
            f.unprocessed_events += 1
        event = Event.from_message(json.loads(row.body))
        type_of[event.id] = event.type
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
    per_type: dict[str, list[int]] = {}
    for e, _ in expected:
        per_type.setdefault(type_of[e], [0, 0])[1] += 1
    for (e, _), n in items.items():
        if e in type_of:
            per_type.setdefault(type_of[e], [0, 0])[0] += n
    f.notifications_by_type = {
        t: f"{found}/{wanted}"
        for t, (found, wanted) in sorted(per_type.items())
        if t.startswith(ROUND_EVENT_TYPES)
    }


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


def workflow_statuses(stack: Stack, subjects: list[str], *, year: int = 2027) -> dict[str, int]:
    """How many of the cases' workflows are in each Temporal status (RUNNING, COMPLETED, ...)."""
    import asyncio

    from temporalio.client import Client

    from workflows import ids

    async def statuses() -> dict[str, int]:
        client = await Client.connect(stack.env["TEMPORAL_ADDRESS"])
        sem = asyncio.Semaphore(16)

        async def one(subject: str) -> str:
            async with sem:
                wid = ids.recognition_workflow_id(year, "learning_family", subject)
                try:
                    status = (await client.get_workflow_handle(wid).describe()).status
                except RPCError as exc:  # NOT_FOUND: never opened (the case gave up before)
                    return exc.status.name
                return status.name if status else "UNKNOWN"

        return dict(Counter(await asyncio.gather(*(one(s) for s in subjects))))

    from temporalio.service import RPCError

    try:
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            return runner.run(asyncio.wait_for(statuses(), 120))
    except Exception as exc:  # noqa: BLE001 - Temporal not answering: reported as such
        return {f"UNANSWERED ({type(exc).__name__})": len(subjects)}


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
