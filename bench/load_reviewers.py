"""Load: 50 concurrent reviewers on one commune for 60 s against the evaluation API under gunicorn.

    python -m bench.load_reviewers [--reviewers 50] [--seconds 60] [--cases 10]

Starts the stack the chaos run uses (tools/chaos/stack.py: Temporal dev server, rclone S3, the
evaluation API under gunicorn, the workflow and evaluation workers) on free loopback ports in a temporary
folder, nothing killed. Opens `--cases` cases in one ward and submits them (village_review), creates
`--reviewers` village officers of that ward, signs each in through POST /auth/login, then every reviewer
loops for `--seconds`: read a random case (GET, ETag), adjust one score with If-Match. Several reviewers
hit the same case at once: exactly one write per version may win, the others must get 412.

Checked afterwards (exit 1 otherwise): no 5xx, no connection error, no status but 200/412 on a step;
per case, versions gained == steps answered 200 == score_adjusted audit entries (no lost update: two
writers both told "done" for one version would leave fewer versions than successes); audit chains verify.
Not a ratio benchmark (no NAME/GOAL): `make bench` does not run it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from tools.chaos.drive import Driver, sign_in
from tools.chaos.stack import PASSWORD, USERS, WARD, Stack

TIMEOUT = 120  # as gunicorn's worker timeout: a slow answer is slow, not an error
NEEDED = ("temporal", "s3", "evaluation", "evaluation_worker", "workflow_worker")


def _create_reviewers(stack: Stack, n: int) -> list[str]:
    from common.db import make_engine
    from services.evaluation.adapters.passwords import Argon2Passwords
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service import users

    engine = make_engine(stack.env["EVALUATION_DATABASE_URL"])
    hasher = Argon2Passwords(time_cost=1, memory_kib=8, parallelism=1)  # as the stack's ARGON2_* say
    names = [f"load-reviewer-{i:02d}" for i in range(n)]
    for name in names:
        users.create_user(
            SqlUnitOfWork(engine), hasher, username=name, full_name=f"Cán bộ thôn {name[-2:]}",
            password=PASSWORD, role="village_officer", scope_code=WARD,
        )  # fmt: skip
    engine.dispose()
    return names


def _prepare_cases(stack: Stack, n: int) -> list[str]:
    from tools.chaos.plan import CODE, run_year
    from tools.chaos.round import activate_plan
    from tools.chaos.run import _scores

    deadline = time.monotonic() + 300
    tokens = {role: sign_in(stack.evaluation_url, user, PASSWORD, deadline) for role, user in USERS.items()}
    year = run_year()
    driver = Driver(stack.evaluation_url, tokens, _scores(), deadline=deadline, year=year, plan_code=CODE)
    activate_plan(driver, 1, year)  # the ward's plan, its window open all year (tools/chaos/plan.py)
    ids = []
    for subject in stack.register_households(n):  # POST /cases opens cases for registered subjects only
        case_id = driver._open(subject, year)
        submit = {"action": "submit", "scores": driver.scores}  # the village officer for the household
        driver._step(case_id, "village_officer", "draft", submit, headers={"X-On-Behalf-Of": subject})
        ids.append(case_id)
    for case_id in ids:  # wait until each read model shows village_review
        while (driver._read(case_id, "village_officer") or ("", 0))[0] != "village_review":
            time.sleep(0.1)
    return ids


class Reviewer:
    def __init__(self, base: str, token: str, cases: list[str], until: float, seed: int) -> None:
        self.base, self.cases, self.until = base, cases, until
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.rng = random.Random(seed)
        self.seen: Counter[str] = Counter()
        self.wins: Counter[str] = Counter()
        self.won: list[tuple[str, str]] = []  # (case, If-Match) of every 200: two alike = a lost update
        self.unknown: Counter[str] = Counter()  # steps whose answer never came (timeout): outcome unknown
        self.latencies: list[float] = []
        self.problems: list[str] = []

    def run(self) -> None:
        while time.monotonic() < self.until:
            case_id = self.rng.choice(self.cases)
            sent = False
            try:
                r = self.session.get(f"{self.base}/cases/{case_id}", timeout=TIMEOUT)
                self.seen[f"GET {r.status_code}"] += 1
                if r.status_code != 200:
                    self.problems.append(f"GET {case_id} {r.status_code} {r.text[:200]}")
                    continue
                body = {
                    "action": "adjust_score",
                    "indicator_code": "1.1",
                    "scores": {"1.1": self.rng.choice([0, 1, 2])},
                    "reason": "Điều chỉnh theo biên bản họp thôn",
                }
                started, sent = time.monotonic(), True
                s = self.session.post(
                    f"{self.base}/cases/{case_id}/steps", json=body, headers={"If-Match": r.headers["ETag"]},
                    timeout=TIMEOUT,
                )  # fmt: skip
                self.latencies.append(time.monotonic() - started)
            except requests.RequestException as exc:
                self.problems.append(f"{type(exc).__name__}: {exc}")
                if sent:
                    self.unknown[case_id] += 1
                continue
            self.seen[f"POST {s.status_code}"] += 1
            if s.status_code == 200:
                self.wins[case_id] += 1
                self.won.append((case_id, r.headers["ETag"]))
            elif s.status_code != 412:
                if s.status_code >= 500:  # e.g. 503 after the gateway's 30 s: applied or not, unknown
                    self.unknown[case_id] += 1
                self.problems.append(f"POST {case_id} {s.status_code} {s.text[:200]}")


def _versions(stack: Stack, ids: list[str]) -> dict[str, int]:
    engine = sa.create_engine(stack.env["EVALUATION_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, version FROM cases")).all()
    engine.dispose()
    return {r.id: int(r.version) for r in rows if r.id in ids}


def _audit_counts(stack: Stack) -> Counter[str]:
    engine = sa.create_engine(stack.env["EVALUATION_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT chain FROM audit_log WHERE action = 'case.score_adjusted'")).all()
    engine.dispose()
    return Counter(r.chain.removeprefix("case:") for r in rows)


def run(*, reviewers: int, seconds: float, cases: int, log: Any = print) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="load-reviewers-"))
    stack = Stack.create(root, web_workers=2)
    stack.procs = {n: p for n, p in stack.procs.items() if n in NEEDED}
    try:
        stack.prepare()
        names = _create_reviewers(stack, reviewers)
        stack.start_all()
        ids = _prepare_cases(stack, cases)
        deadline = time.monotonic() + 120
        tokens = [sign_in(stack.evaluation_url, n, PASSWORD, deadline) for n in names]
        before = _versions(stack, ids)
        log(f"load: {reviewers} reviewers, {cases} cases in ward {WARD}, {seconds:g} s")
        until = time.monotonic() + seconds
        crowd = [Reviewer(stack.evaluation_url, t, ids, until, seed=i) for i, t in enumerate(tokens)]
        with ThreadPoolExecutor(reviewers) as pool:
            list(pool.map(lambda r: r.run(), crowd))
        time.sleep(3)  # the last steps' read-model activities
        after, audited = _versions(stack, ids), _audit_counts(stack)
        from tools.chaos.check import Findings, _audit

        findings = Findings()
        _audit(findings, stack)
    finally:
        stack.stop_all()
        shutil.rmtree(root, ignore_errors=True)
    seen = sum((r.seen for r in crowd), Counter())
    wins = sum((r.wins for r in crowd), Counter())
    problems = [p for r in crowd for p in r.problems]
    unknown = sum((r.unknown for r in crowd), Counter())
    won = Counter(w for r in crowd for w in r.won)
    lost: dict[str, Any] = {f"{c} {v}": f"{n} writers told 200" for (c, v), n in won.items() if n > 1}
    for c in ids:  # versions gained = audited steps; between the 200s and the 200s + unanswered tries
        gained = after[c] - before[c]
        if gained != audited[c] or not wins[c] <= gained <= wins[c] + unknown[c]:
            lost[c] = {"versions": gained, "audited": audited[c], "200s": wins[c], "unanswered": unknown[c]}
    lat = sorted(x for r in crowd for x in r.latencies)
    pct = (
        {f"p{q}": round(lat[min(len(lat) - 1, int(len(lat) * q / 100))] * 1000) for q in (50, 95, 99)}
        if lat
        else {}
    )
    return {
        "ok": not problems and not lost and findings.audit_bad_chains == 0,
        "responses": dict(sorted(seen.items())),
        "steps_ok": sum(wins.values()),
        "conflicts_412": seen["POST 412"],
        "steps_per_second": round(sum(wins.values()) / seconds, 1),
        "requests_per_second": round(sum(seen.values()) / seconds, 1),
        "problems": problems[:20],
        "problem_count": len(problems),
        "step_latency_ms": pct,
        "lost_updates": lost,
        "audit": {
            "chains": findings.audit_chains,
            "entries": findings.audit_entries,
            "bad": findings.audit_bad_chains,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load_reviewers", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cases", type=int, default=10)
    args = parser.parse_args(argv)
    # SIGTERM (and SIGINT, which background jobs ignore) stop the clients, then the stack's processes
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    fig = run(reviewers=args.reviewers, seconds=args.seconds, cases=args.cases)
    print(f"responses: {fig['responses']}")
    print(
        f"steps applied: {fig['steps_ok']} ({fig['steps_per_second']}/s), conflicts (412): {fig['conflicts_412']}, "
        f"requests: {fig['requests_per_second']}/s"
    )
    print(f"step latency (ms): {fig['step_latency_ms']}")
    print(f"errors: {fig['problem_count']} {fig['problems'][:5]}")
    print(f"lost updates: {len(fig['lost_updates'])} {fig['lost_updates']}")
    print(f"audit: {fig['audit']}")
    print("RESULT: " + ("OK — no errors, no lost update" if fig["ok"] else "FAILED"))
    return 0 if fig["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
