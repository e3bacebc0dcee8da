"""Clients driving cases through the lifecycle over HTTP while servers die under them (chaos run).

Each case: open (village officer), submit the self-assessment and one evidence PDF (the village officer
on behalf of the household, as for a paper form brought to the office), pass the village review, pass the commune review → awaiting_decision. Every call is retried through connection
errors and 502/503/504 (a killed or restarting server). A step is retried only after reading the case
again: when the read model shows the step already happened, the client moves on; when it shows the
old state, the step is sent again with the version read (If-Match), so a step the server applied
before it died comes back 412 instead of being applied twice. An evidence upload is retried only after
listing the case's evidence and finding no file with the same sha256.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

RETRYABLE = {502, 503, 504}
ORDER = ["draft", "village_review", "commune_review", "awaiting_decision"]
# The smallest PDF the content sniffer accepts; the case id makes each file distinct.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Gave_up(Exception):  # noqa: N801 - reads as a sentence in tracebacks
    """A case could not make progress before its deadline."""


@dataclass
class Tally:
    """What the clients saw, shared by the threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    done: int = 0
    started: list[str] = field(default_factory=list)  # subjects whose case this run began
    gave_up: list[str] = field(default_factory=list)

    def saw(self, key: str) -> None:
        with self.lock:
            self.statuses[key] += 1

    def error(self, key: str) -> None:
        with self.lock:
            self.errors[key] += 1


class Driver:
    """Drives cases through the evaluation API at `base` as the chaos users."""

    def __init__(
        self,
        base: str,
        tokens: dict[str, str],
        scores: dict[str, float],
        *,
        deadline: float,
        year: int = 2027,
        plan_code: str | None = None,
    ) -> None:
        self.base = base.rstrip("/")
        self.tokens = tokens
        self.scores = scores
        self.year, self.plan_code = year, plan_code  # the cases' year and plan (None: the unit's plan)
        self.deadline = deadline  # time.monotonic() after which cases give up
        self.tally = Tally()
        self._local = threading.local()
        self.no_new = threading.Event()  # the run's time is up: start no further case
        self.abort = threading.Event()  # interrupted: every call gives up

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def call(self, method: str, path: str, role: str, *, once: bool = False, **kwargs: Any) -> Any:
        """One request, retried through dead servers (connection errors, 5xx) until the deadline; with
        `once`, a single try whose failure gives None (the caller checks before trying again)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **kwargs.pop("headers", {})}
        pause = 0.05
        while True:
            if time.monotonic() > self.deadline or self.abort.is_set():
                raise Gave_up(f"{method} {path}: deadline")
            try:
                r = self._session().request(method, self.base + path, headers=headers, timeout=30, **kwargs)
            except requests.RequestException as exc:
                self.tally.error(type(exc).__name__)
                self._local.session = requests.Session()  # the pooled connection died with the server
                if once:
                    return None
            else:
                self.tally.saw(f"{method} {r.status_code}")
                if r.status_code >= 500:
                    if r.status_code not in RETRYABLE:
                        with self.tally.lock:
                            self.tally.server_errors.append(f"{method} {path} {r.status_code} {r.text[:200]}")
                if r.status_code < 500 or once:
                    return r
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    # --- one case ----------------------------------------------------------------------------------

    def case(self, subject_id: str) -> str | None:
        """Drive one case to awaiting_decision; its id, or None when it gave up (counted) or was never
        started (the run's time was up)."""
        if self.no_new.is_set() or self.abort.is_set():
            return None
        with self.tally.lock:
            self.tally.started.append(subject_id)
        try:
            case_id = self._open(subject_id, self.year)
            on_behalf = {"X-On-Behalf-Of": subject_id}
            submit = {"action": "submit", "scores": self.scores}
            self._step(case_id, "village_officer", "draft", submit, headers=on_behalf)
            self._evidence(case_id, headers=on_behalf)
            self._step(case_id, "village_officer", "village_review", {"action": "pass_review"})
            self._step(case_id, "commune_association_officer", "commune_review", {"action": "pass_review"})
        except Gave_up as exc:
            with self.tally.lock:
                self.tally.gave_up.append(f"{subject_id}: {exc}")
            return None
        with self.tally.lock:
            self.tally.done += 1
        return case_id

    def _open(self, subject_id: str, year: int) -> str:
        from tools.chaos.stack import WARD

        body = {"year": year, "title": "learning_family", "subject_id": subject_id, "admin_unit_code": WARD}
        if self.plan_code:
            body["plan_code"] = self.plan_code
        r = self.call("POST", "/cases", "village_officer", json=body)
        if r.status_code not in (200, 202):
            raise Gave_up(f"open -> {r.status_code} {r.text[:200]}")
        return str(r.json()["case_id"])

    def _read(self, case_id: str, role: str) -> tuple[str, int] | None:
        r = self.call("GET", f"/cases/{case_id}", role)
        if r.status_code == 404:  # the opening activity has not written the read model yet
            return None
        if r.status_code != 200:
            raise Gave_up(f"read -> {r.status_code} {r.text[:200]}")
        body = r.json()
        return str(body["status"]), int(body["version"])

    def _step(
        self,
        case_id: str,
        role: str,
        before: str,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send a step taken in state `before`, unless the case has already moved past it."""
        pause = 0.02
        while True:
            state = self._read(case_id, role)
            if state is not None:
                status, version = state
                if status not in ORDER:
                    raise Gave_up(f"{body['action']}: unexpected status {status}")
                if ORDER.index(status) > ORDER.index(before):
                    return  # done, by this client's earlier try or a lost answer
                if status == before:
                    r = self.call(
                        "POST",
                        f"/cases/{case_id}/steps",
                        role,
                        json=body,
                        headers={"If-Match": f'"{version}"', **(headers or {})},
                    )
                    if r.status_code == 200:
                        return
                    # 412: a try the server applied before dying, or a lagging read model; 409 NotReady:
                    # the workflow has not finished opening. Read again and decide again.
                    if r.status_code not in (409, 412):
                        raise Gave_up(f"{body['action']} -> {r.status_code} {r.text[:200]}")
                    self.tally.saw(f"step {r.status_code}")
            if time.monotonic() > self.deadline:
                raise Gave_up(f"{body['action']}: deadline")
            time.sleep(pause)
            pause = min(pause * 1.5, 1.0)

    def _evidence(self, case_id: str, headers: dict[str, str]) -> None:
        content = PDF + f"% {case_id}\n".encode()
        digest = hashlib.sha256(content).hexdigest()
        role = "village_officer"
        while True:
            listed = self.call("GET", f"/cases/{case_id}/evidence", role)
            if listed.status_code == 200 and any(e.get("sha256") == digest for e in listed.json()):
                return
            files = {"file": ("giay-khen.pdf", content, "application/pdf")}
            r = self.call(
                "POST",
                f"/cases/{case_id}/evidence",
                role,
                once=True,
                files=files,
                data={"indicator_code": "1.1"},
                headers=headers,
            )
            if r is None:
                time.sleep(0.2)
                continue
            if r.status_code == 201:
                return
            self.tally.saw(f"evidence {r.status_code}")
            if r.status_code < 500 and r.status_code not in (404, 409):
                raise Gave_up(f"evidence -> {r.status_code} {r.text[:200]}")
            time.sleep(0.2)


def sign_in(base: str, username: str, password: str, deadline: float) -> str:
    """A bearer token from POST /auth/login, retried while the service starts."""
    while True:
        try:
            r = requests.post(
                f"{base}/auth/login", json={"username": username, "password": password}, timeout=10
            )
            if r.status_code == 200:
                return str(r.json()["token"])
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"cannot sign in as {username}")
        time.sleep(0.2)
