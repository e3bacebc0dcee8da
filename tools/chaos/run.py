"""Chaos run: cases through the lifecycle while every process of the stack is SIGKILLed and restarted.

    python -m tools.chaos [--cases 2000] [--duration S] [--quick] [--concurrency 16] [--kill-every 4] [--seed N]
                          [--no-round] [--broker sql|rabbitmq]

Starts the real stack (tools/chaos/stack.py) on free loopback ports in a temporary folder, drives the
cases over HTTP from a thread pool (tools/chaos/drive.py) while a monkey kills a random process with
SIGKILL every few seconds (random gaps around --kill-every) and restarts it after a random pause; any
process that dies on its own is restarted too. The cases run under the ward's own plan (tools/chaos/plan.py).
Once they all await the decision, and while the killing goes on, the ward's yearly round is driven to its
decision (tools/chaos/round.py; skipped with --no-round). With --broker rabbitmq the broker is a private
RabbitMQ node the run starts (tools/chaos/rabbitmq.py), killed and restarted like the rest. Then the killing stops, the stack settles, and
tools/chaos/check.py counts what was lost or done twice. Bounded in count (--cases) and time: after
--duration seconds no new case starts (the cases already started are finished, decided and checked),
--timeout bounds the driving (the round included), --settle the settling. Exit 0 only when nothing was
lost or doubled.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tools.chaos.check import (
    Findings,
    case_ids_of,
    check,
    history_lengths,
    scan_logs,
    settle,
    workflow_statuses,
)
from tools.chaos.drive import Driver, Gave_up, sign_in
from tools.chaos.plan import CODE, run_year
from tools.chaos.rabbitmq import available as rabbitmq_available
from tools.chaos.round import RoundDriver, RoundRun, activate_plan
from tools.chaos.stack import PASSWORD, USERS, Stack

VICTIMS = (
    "workflow_worker", "evaluation_worker", "awards_worker", "consumer",
    "evaluation", "awards", "notifications", "s3", "temporal",
)  # fmt: skip
RABBITMQ = "rabbitmq"  # a victim too with --broker rabbitmq (its epmd is not: it only maps names to ports)


class Monkey(threading.Thread):
    """Kills a victim (each once per round, in random order) every `every` seconds on average and restarts it after a short pause."""

    def __init__(
        self, stack: Stack, *, every: float, seed: int, log: Any, victims: tuple[str, ...] = VICTIMS
    ) -> None:
        super().__init__(name="chaos-monkey", daemon=True)
        self.stack, self.every, self.rng, self.log = stack, every, random.Random(seed), log
        self.victims = victims
        self.stop = threading.Event()
        self.kills: Counter[str] = Counter()
        self.strikes: list[str] = []  # aimed kills (`strike`), also counted in `kills`
        self.round_done = threading.Event()  # every victim killed at least once

    def run(self) -> None:
        order: list[str] = []
        while not self.stop.wait(self.rng.uniform(0.3, 1.7) * self.every):
            if not order:  # every process once per round, in a random order
                order = self.rng.sample(self.victims, len(self.victims))
            victim = order.pop()
            with self.stack.lock:
                if self.stack.kill(victim):  # not when an aimed kill has it down already
                    self.kills[victim] += 1
            down = self.rng.uniform(0.1, 2.0)
            self.log(f"  SIGKILL {victim}; restart in {down:.1f} s")
            self.stop.wait(down)
            with self.stack.lock:
                self.stack.start(victim)
                self.stack.reap_dead()
            if not order:
                self.round_done.set()

    def strike(self, victim: str, *, after: float = 0.0) -> None:
        """An aimed kill, beside the random ones: SIGKILL `victim` `after` seconds from now and restart it
        after the same random pause (in a thread of its own: the caller goes on at once)."""

        def kill() -> None:
            if self.stop.wait(after):
                return
            with self.stack.lock:
                if not self.stack.kill(victim):
                    return  # down already (the monkey's kill): its restart brings it back
            self.kills[victim] += 1
            self.strikes.append(victim)
            down = self.rng.uniform(0.1, 2.0)
            self.log(f"  SIGKILL {victim} (aimed); restart in {down:.1f} s")
            time.sleep(down)
            with self.stack.lock:
                self.stack.start(victim)

        threading.Thread(target=kill, name=f"strike-{victim}", daemon=True).start()


def _scores() -> dict[str, float]:
    from services.evaluation.documents.criteria import get_criteria_set

    return {i.code: i.max_points for i in get_criteria_set("gia-dinh-hoc-tap", "2023.1").indicators_for(None)}


def run(
    *, cases: int, concurrency: int, kill_every: float, seed: int, timeout: float, settle_timeout: float,
    root: Path | None = None, log: Any = print, pace: float = 0.0, duration: float | None = None,
    decide: bool = True, broker: str = "sql",
) -> dict[str, Any]:  # fmt: skip
    """The whole run; returns its figures (also when something was lost: `ok` says)."""
    own_root = root is None
    root = root or Path(tempfile.mkdtemp(prefix="chaos-"))
    stack = Stack.create(root, broker=broker)
    started = time.monotonic()
    log(
        f"chaos: {cases} cases, {concurrency} clients, a SIGKILL every ~{kill_every:g} s, seed {seed}, "
        f"broker {broker}, in {root}"
    )
    stack.prepare()
    subjects = stack.register_households(cases)  # the cases' households, in the ward's register
    stack.start_all()
    log(f"  stack up in {time.monotonic() - started:.1f} s")
    victims = (*VICTIMS, RABBITMQ) if stack.rabbit else VICTIMS
    monkey = Monkey(stack, every=kill_every, seed=seed, log=log, victims=victims)
    tokens: dict[str, str] = {}
    year = run_year()
    round_run: RoundRun | None = None
    try:
        deadline = time.monotonic() + timeout
        tokens = {
            role: sign_in(stack.evaluation_url, user, PASSWORD, deadline) for role, user in USERS.items()
        }
        driver = Driver(stack.evaluation_url, tokens, _scores(), deadline=deadline, year=year, plan_code=CODE)
        activate_plan(driver, 1, year)  # the ward's plan, before any case opens (and before the killing)
        reaper_stop = threading.Event()
        threading.Thread(target=_reaper, args=(stack, reaper_stop), daemon=True).start()
        monkey.start()
        t0 = time.monotonic()
        if duration is not None:  # bounded in time: after `duration` no new case starts
            timer = threading.Timer(duration, driver.no_new.set)
            timer.daemon = True
            timer.start()
        pool = ThreadPoolExecutor(concurrency)
        try:
            futures = []
            for subject in subjects:  # `pace`: spread the openings so the kills fall amid every step
                futures.append(pool.submit(driver.case, subject))
                time.sleep(pace)
            done = [c for c in (f.result() for f in futures) if c]
        except BaseException:  # Ctrl-C: stop the clients, then the stack (finally)
            driver.abort.set()
            driver.no_new.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            driver.no_new.set()
        drive_seconds = time.monotonic() - t0
        log(
            f"  driven: {len(done)} cases done of {len(driver.tally.started)} started in {drive_seconds:.1f} s"
        )
        if decide:  # the round, while the monkey goes on killing
            round_run = RoundDriver(driver, year, log=log, strike=monkey.strike).drive()
            log(
                f"  round: {round_run.phase} v{round_run.version} {round_run.seconds} {round_run.error or ''}"
            )
        monkey.round_done.wait(max(0.0, deadline - time.monotonic()))  # each process killed at least once
        monkey.stop.set()
        monkey.join(30)
        log("  settling")
        started_subjects = list(driver.tally.started)
        done_ids = set(done)
        done_subjects = [s for c, s in case_ids_of(started_subjects, year).items() if c in done_ids]
        round_id = round_run.round_id if round_run else None

        def running() -> int:  # the done cases' workflows not yet ended by the decision
            statuses = workflow_statuses(stack, done_subjects, year=year)
            return sum(n for status, n in statuses.items() if status != "COMPLETED")

        settled = settle(
            stack, list(done), timeout=settle_timeout, log=log, round_id=round_id,
            workflows=running if round_id else None,
        )  # fmt: skip
        reaper_stop.set()
        findings = check(stack, started_subjects, year=year, round_id=round_id)
        if decide and round_id is None:
            findings.not_decided = sorted(case_ids_of(started_subjects, year))  # the round never opened
        findings.case_workflows = workflow_statuses(stack, started_subjects, year=year)
        if round_id and set(findings.case_workflows) - {"COMPLETED"}:
            findings.decision_problems.append(f"case workflows not ended: {findings.case_workflows}")
        histories = history_lengths(stack, started_subjects, year=year)
    except Gave_up as exc:  # the ward's plan could not be put in force before the deadline
        raise RuntimeError(f"chaos run: {exc}") from exc
    finally:
        monkey.stop.set()
        stack.stop_all()
    secrets = {"SECRET_KEY": stack.env["SECRET_KEY"], "S3_SECRET_KEY": stack.env["S3_SECRET_KEY"]}
    secrets["password"] = PASSWORD
    secrets.update({f"token of {role}": token for role, token in tokens.items()})
    scan_logs(findings, stack, secrets)
    figures = _figures(stack, findings, driver, monkey, drive_seconds, settled, time.monotonic() - started)
    figures["year"] = year
    figures["broker"] = f"rabbitmq (node {stack.rabbit.name})" if stack.rabbit else "sql (kombu, SQLite)"
    figures["round"] = _round_figures(round_run) if decide else None
    figures["history_events_per_case"] = (
        {
            "sample": len(histories),
            "events_min": min(h[0] for h in histories),
            "events_max": max(h[0] for h in histories),
            "bytes_mean": round(sum(h[1] for h in histories) / len(histories)),
        }
        if histories
        else None
    )
    if own_root and findings.ok:
        shutil.rmtree(root, ignore_errors=True)
    else:
        figures["folder"] = str(root)
    return figures


def _reaper(stack: Stack, stop: threading.Event) -> None:
    """Restart whatever died on its own (a worker that gave up while Temporal was down)."""
    while not stop.wait(0.5):
        with stack.lock:
            stack.reap_dead()


def _figures(
    stack: Stack,
    f: Findings,
    driver: Driver,
    monkey: Monkey,
    drive_seconds: float,
    settled: bool,
    total: float,
) -> dict[str, Any]:
    t = driver.tally
    return {
        "ok": f.ok and settled and not t.gave_up,
        "settled": settled,
        "seconds": {"drive": round(drive_seconds, 1), "total": round(total, 1)},
        "cases_per_second": round(t.done / drive_seconds, 2) if drive_seconds else None,
        "kills": dict(monkey.kills),
        "sigkills": sum(monkey.kills.values()),
        "aimed_kills": list(monkey.strikes),
        "exited_on_their_own": {n: p.exits for n, p in stack.procs.items() if p.exits},
        "client": {
            "cases_started": len(t.started),
            "cases_done": t.done,
            "gave_up": t.gave_up[:20],
            "connection_errors": dict(t.errors),
            "responses": dict(sorted(t.statuses.items())),
            "unexpected_5xx": t.server_errors[:20],
        },
        "findings": {
            k: (
                v
                if not isinstance(v, list | dict) or len(v) <= 20
                else f"{len(v)} items, first: {list(v)[:20]}"
            )
            for k, v in asdict(f).items()
        },
    }


def _round_figures(r: RoundRun | None) -> dict[str, Any] | None:
    if r is None:
        return None
    s = r.seconds
    out = asdict(r)
    # Time to decide: from the chairman's signature until the decision is recorded on every case (the round
    # in `documents`); from opening the round until then too (council and signature at the client's pace).
    out["seconds_to_decide"] = round(s["decided"] - s["signed"], 1) if "decided" in s else None
    out["seconds_open_to_decided"] = round(s["decided"] - s["opened"], 1) if "decided" in s else None
    return out


def summary(fig: dict[str, Any]) -> str:
    """The figures as the lines the run prints."""
    f = fig["findings"]

    def n(v: Any) -> int:
        return len(v) if isinstance(v, list | dict) else (int(v.split()[0]) if isinstance(v, str) else int(v))

    r = fig.get("round")
    final = "decided v5" if r else "at awaiting_decision v4"
    lines = [
        f"cases: {f['cases_expected']} started, {f['cases_found']} found, {f['cases_final']} {final}",
        f"lost cases: {n(f['lost_cases'])}; not final: {n(f['not_final'])}; duplicated steps: {n(f['duplicated_steps'])}",
    ]
    if r is None:
        lines.append("cases decided twice: n/a (--no-round: the yearly round was not driven)")
    else:
        s = r["seconds"]
        lines += [
            f"cases decided once: {f['decided_once']}, twice: {n(f['decided_twice'])}, "
            f"not decided: {n(f['not_decided'])}; outcomes {f['outcomes']}; inconsistent: {n(f['decision_problems'])}",
            f"round {fig['year']}: {f['round_phase']} v{f['round_version']}; {r['listed']} on the list, "
            f"{r['voted_down']} voted down ({r['votes_sent']} votes sent); tries {r['tries']}"
            + (f"; ERROR {r['error']}" if r["error"] else ""),
            f"round times (s from the plan's version 2): {s}",
            f"time to decide: {r['seconds_to_decide']} s from the signature to every case recorded "
            f"({r['seconds_open_to_decided']} s from opening the round)",
            f"round audit chain: {f['round_chain']}; problems {n(f['round_chain_problems'])}",
            f"documents read back from S3: {f['documents_checked']}, bad {n(f['documents_bad'])}; "
            f"case workflows: {f['case_workflows']}",
            f"notifications of the round (found/expected): {f['notifications_by_type']}",
        ]
    lines += [
        f"events: {f['events']} ({f['unpublished_events']} unpublished, {f['unprocessed_events']} unprocessed)",
        f"notifications: {f['notifications_expected']} expected, {f['notifications_found']} in inboxes; "
        f"lost {n(f['lost_notifications'])}, duplicated {n(f['duplicated_notifications'])}, "
        f"unexpected {n(f['unexpected_notifications'])}",
        f"audit: {f['audit_chains']} chains, {f['audit_entries']} entries, {f['audit_bad_chains']} failing",
        f"secrets in the processes' logs: {n(f['secrets_in_logs'])}",
        f"broker: {fig.get('broker')}",
        f"SIGKILLs: {fig['sigkills']} {fig['kills']} (aimed at the round: {fig['aimed_kills']}); "
        f"exited on their own: {fig['exited_on_their_own']}",
        f"client: {fig['client']['cases_done']} done, gave up {len(fig['client']['gave_up'])}, "
        f"connection errors {sum(fig['client']['connection_errors'].values())}, "
        f"unexpected 5xx {len(fig['client']['unexpected_5xx'])}",
        f"Temporal history events per case (sample): {fig.get('history_events_per_case')}",
        f"time: driving {fig['seconds']['drive']} s ({fig['cases_per_second']} cases/s), total {fig['seconds']['total']} s",
        "RESULT: " + ("OK — nothing lost, nothing doubled" if fig["ok"] else "FAILED"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 30 cases, a kill every ~2 s")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--kill-every", type=float, default=4.0, help="mean seconds between SIGKILLs")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between opening two cases")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds after which no new case starts (those started finish)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="hard bound on driving, in seconds")
    parser.add_argument("--settle", type=float, default=300, help="seconds for the stack to settle")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--no-round",
        dest="decide",
        action="store_false",
        help="skip the yearly round: the cases stop at awaiting_decision",
    )
    parser.add_argument(
        "--broker",
        choices=("sql", "rabbitmq"),
        default="sql",
        help="sql: kombu's SQL transport (embedded); rabbitmq: a private RabbitMQ node, killed too",
    )
    args = parser.parse_args(argv)
    if args.broker == "rabbitmq" and (why := rabbitmq_available()):
        parser.error(f"--broker rabbitmq: {why}")
    # SIGTERM (and SIGINT, which background jobs ignore) stop the clients, then the stack's processes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.cases, args.kill_every, args.timeout, args.settle = min(args.cases, 30), 1.5, 300, 120
        args.pace = args.pace or 0.5
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    fig = run(
        cases=args.cases, concurrency=args.concurrency, kill_every=args.kill_every, seed=seed,
        timeout=args.timeout, settle_timeout=args.settle, pace=args.pace, duration=args.duration,
        decide=args.decide, broker=args.broker,
    )  # fmt: skip
    fig["seed"] = seed
    print(summary(fig), flush=True)
    if args.json:
        args.json.write_text(json.dumps(fig, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not fig["ok"]:
        print(json.dumps(fig, ensure_ascii=False, indent=1)[:6000], file=sys.stderr)
    return 0 if fig["ok"] else 1
