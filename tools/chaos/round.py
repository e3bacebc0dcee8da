"""The chaos run's yearly round: the ward's quarter-IV decision driven over HTTP while the killing goes on.

Once every case awaits the decision, an administrator of the ward uploads and activates the second version
of the ward's plan (tools/chaos/plan.py: the window closed, the decision due, no objection period); the
commune association officer opens the round (`POST /rounds`), which passes self-assessment, review and the
posting at once and waits for the council; the association officer then records the council's minutes
(attendance and a vote per subject: every fourth subject voted down, so both outcomes are decided), the
chairman signs, and the round records the decision on every case and stores its documents; the
association then closes the round (no supplementary decision in this run).

Besides the monkey's random kills, two kills are aimed at the round's steps (`strike`), so that even a small
round, which takes a second or two, is killed in its middle: the evaluation worker 0.3 s after the minutes
are sent (while it records them: the client's try fails or times out, it reads the round and decides
again) and right after the signature (while it records the decision on the cases: the page's transaction
may or may not have committed when the worker dies, and the retried page must decide nobody twice). Each
costs the activity's timeout (30 s; the decision pages heartbeat, so 30 s too, not their 5 minutes). The
rest of the round (phases, documents) is left to the random kills; in a large round they take minutes.

The same careful client as for the case steps: every call goes through `Driver.call` (retried through
connection errors and 502/503/504); the minutes and the signature are sent once per try (`once=True`)
and a try whose answer is lost, or refused as stale (412) or out of phase (409), is followed by reading
the round again: a round already past the step means it was taken, else the step is sent again with the
version just read in `If-Match`. Opening the round, uploading and activating the plan are idempotent
(the same call again answers 200), so they are simply repeated.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.chaos.drive import Driver, Gave_up
from tools.chaos.plan import CODE, plan_document, today
from tools.chaos.stack import WARD
from workflows.yearly_round import contracts as rc

PHASES = rc.PHASES  # self_assessment … closed, in order
# With more subjects than this the minutes carry only the votes against (a subject without a vote keeps
# its outcome): the API takes 20,000 votes, and the minutes travel whole in the round's Temporal history
# (as the Update and the activity's input, each under Temporal's 2 MB payload limit; ~100 bytes a vote).
ALL_VOTES_UP_TO = 5000
ATTENDANCE = [
    "Nguyễn Văn An (Chủ tịch Hội Khuyến học phường)",
    "Trần Thị Bình (Phó Chủ tịch UBND phường)",
    "Lê Văn Cường (Trung tâm học tập cộng đồng)",
    "Phạm Thị Dung (Hội Liên hiệp Phụ nữ phường)",
    "Hoàng Văn Em (Đoàn Thanh niên phường)",
]


def voted_down(case_ids: list[str]) -> set[str]:
    """The subjects the council votes down: every fourth of the list, by case id."""
    return {c for i, c in enumerate(sorted(case_ids)) if i % 4 == 3}


@dataclass
class RoundRun:
    """What the round's driver did and when (seconds from opening the round)."""

    round_id: str | None = None
    year: int = 0
    listed: int = 0
    voted_down: int = 0
    votes_sent: int = 0
    phase: str | None = None
    version: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    tries: dict[str, int] = field(default_factory=dict)  # POSTs of the minutes, the signature, the closing
    error: str | None = None


class RoundDriver:
    """Drives the ward's round for `year` through the evaluation API, as the chaos users."""

    def __init__(
        self, driver: Driver, year: int, *, log: Any = print, strike: Callable[..., None] | None = None
    ) -> None:
        self.d, self.year, self.log = driver, year, log
        self.run = RoundRun(year=year)
        self._t0 = 0.0
        self._strike = strike or (lambda victim, after=0.0: None)

    def _mark(self, name: str) -> None:
        self.run.seconds[name] = round(time.monotonic() - self._t0, 1)

    def drive(self) -> RoundRun:
        """The whole round, opening to closed; a failure is recorded in `run.error` (and counted)."""
        self._t0 = time.monotonic()
        try:
            activate_plan(self.d, 2, self.year)
            self._mark("plan_v2_active")
            rid = self.run.round_id = self._open()
            self._mark("opened")
            body = self._wait(rid, "council")
            self._mark("council_due")
            self._council(rid, body)
            self._mark("minutes_recorded")
            self._sign(rid)
            self._mark("signed")
            self._strike("evaluation_worker")
            self._wait(rid, "documents")
            self._mark("decided")  # every case of the list recorded
            # The round then takes supplementary decisions until the end of its year: the association
            # closes it (docs/yearly-round.md); a round past 31/12 has closed by itself.
            self._wait(rid, "supplementary")
            self._step(rid, "supplementary", "commune_association_officer", f"/rounds/{rid}/close", {}, None)
            self._wait(rid, "closed")
            self._mark("closed")
        except Gave_up as exc:
            self.run.error = str(exc)
            with self.d.tally.lock:
                self.d.tally.gave_up.append(f"round: {exc}")
        return self.run

    # --- steps ----------------------------------------------------------------------------------

    def _open(self) -> str:
        body = {"admin_unit_code": WARD, "year": self.year, "plan_code": CODE}
        r = self.d.call("POST", "/rounds", "commune_association_officer", json=body)
        if r.status_code not in (200, 202):
            raise Gave_up(f"open round -> {r.status_code} {r.text[:200]}")
        return str(r.json()["id"])

    def _read(self, rid: str, role: str = "commune_association_officer") -> dict[str, Any] | None:
        r = self.d.call("GET", f"/rounds/{rid}", role)
        if r.status_code == 404:  # the workflow's first activity has not written the round yet
            return None
        if r.status_code != 200:
            raise Gave_up(f"read round -> {r.status_code} {r.text[:200]}")
        body: dict[str, Any] = r.json()
        self.run.phase, self.run.version = body["phase"], body["version"]
        return body

    def _wait(self, rid: str, phase: str) -> dict[str, Any]:
        """Read the round until it reaches `phase` (or a later one)."""
        pause = 0.1
        while True:
            body = self._read(rid)
            if body is not None and PHASES.index(body["phase"]) >= PHASES.index(phase):
                return body
            if time.monotonic() > self.d.deadline or self.d.abort.is_set():
                raise Gave_up(f"round: waiting for {phase}, at {body and body['phase']}")
            time.sleep(pause)
            pause = min(pause * 1.5, 2.0)

    def _list(self, rid: str) -> list[str]:
        """The case ids on the round's decision list (all pages)."""
        ids: list[str] = []
        while True:
            r = self.d.call(
                "GET", f"/rounds/{rid}/decision-list", "commune_association_officer",
                params={"limit": 1000, "offset": len(ids)},
            )  # fmt: skip
            if r.status_code != 200:
                raise Gave_up(f"decision list -> {r.status_code} {r.text[:200]}")
            page = r.json()
            ids += [i["case_id"] for i in page["items"]]
            if not page["items"] or len(ids) >= page["total"]:
                return ids

    def _council(self, rid: str, body: dict[str, Any]) -> None:
        listed = self._list(rid)
        down = voted_down(listed)
        present = len(ATTENDANCE)
        votes = [
            {
                "case_id": c,
                "in_favour": 1 if c in down else present,
                "against": present - 1 if c in down else 0,
            }
            for c in sorted(listed)
            if c in down or len(listed) <= ALL_VOTES_UP_TO
        ]
        self.run.listed, self.run.voted_down, self.run.votes_sent = len(listed), len(down), len(votes)
        minutes = {
            "met_on": today().isoformat(),
            "chair": ATTENDANCE[0],
            "secretary": ATTENDANCE[2],
            "attendance": ATTENDANCE,
            "absent": ["Vũ Thị Giang (Mặt trận Tổ quốc phường)"],
            "votes": votes,
            "notes": "Họp xét công nhận danh hiệu Gia đình học tập (chạy thử chaos).",
        }
        self._strike("evaluation_worker", after=0.3)
        self._step(rid, "council", "commune_association_officer", f"/rounds/{rid}/council", minutes, body)

    def _sign(self, rid: str) -> None:
        body = {"signer_name": "Trần Văn Ký", "signed_on": today().isoformat()}
        self._step(rid, "awaiting_signature", "commune_chairman", f"/rounds/{rid}/sign", body, None)

    def _step(
        self, rid: str, phase: str, role: str, path: str, body: dict[str, Any], read: dict[str, Any] | None
    ) -> None:
        """Send a round step taken in `phase`, unless the round has moved past it; re-read before re-sending."""
        pause = 0.2
        while True:
            state = read or self._read(rid, role)
            read = None
            if state is not None:
                at = PHASES.index(state["phase"])
                if at > PHASES.index(phase):
                    return  # taken: by an earlier try whose answer was lost
                if at == PHASES.index(phase):
                    self.run.tries[phase] = self.run.tries.get(phase, 0) + 1
                    r = self.d.call(
                        "POST",
                        path,
                        role,
                        once=True,
                        json=body,
                        headers={"If-Match": f'"{state["version"]}"'},
                    )
                    if r is not None:
                        if r.status_code == 200:
                            return
                        self.d.tally.saw(f"round {phase} {r.status_code}")
                        # 409: the stored phase lags (the step's activity has not written it yet) or the
                        # workflow took the step from an earlier try; 412: the round changed; 5xx: the
                        # outcome is unknown. In every case: read again and decide again.
                        if r.status_code < 500 and r.status_code not in (409, 412):
                            raise Gave_up(f"{phase} -> {r.status_code} {r.text[:300]}")
            if time.monotonic() > self.d.deadline or self.d.abort.is_set():
                raise Gave_up(f"{phase}: deadline")
            time.sleep(pause)
            pause = min(pause * 1.5, 2.0)


def activate_plan(driver: Driver, version: int, year: int) -> None:
    """Upload a version of the ward's plan and make it the active one, as the ward's administrator (both
    calls are idempotent: the same upload again answers 200, activating the active version changes
    nothing)."""
    document = plan_document(version, year)
    r = driver.call("POST", "/plans", "administrator", json={"document": document})
    if r.status_code not in (200, 201):
        raise Gave_up(f"upload plan v{version} -> {r.status_code} {r.text[:300]}")
    r = driver.call("POST", f"/plans/{CODE}/versions/{version}/activate", "administrator")
    if r.status_code != 200:
        raise Gave_up(f"activate plan v{version} -> {r.status_code} {r.text[:300]}")
