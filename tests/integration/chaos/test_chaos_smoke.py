"""Chaos smoke run: the real stack as separate processes (Temporal dev server with a SQLite file, rclone
S3, three gunicorn APIs, workflow and activity workers, relays, the notifications consumer), each
SIGKILLed and restarted while cases go through the lifecycle over HTTP and the ward's yearly round
decides them (council minutes, the chairman's signature, the decision recorded, documents stored);
nothing lost, nothing doubled, no case decided twice. The full-size run is `make chaos` (docs/chaos.md).
The RabbitMQ variant runs the broker as a private RabbitMQ node, SIGKILLed and restarted with the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.chaos.rabbitmq import available as rabbitmq_unavailable
from tools.chaos.run import RABBITMQ, VICTIMS, run, summary
from tools.chaos.stack import USERS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    # The stack here is the embedded one (SQLite; kombu's SQL broker or a private RabbitMQ node the run
    # starts): CI's PostgreSQL/RabbitMQ leg would only run the same thing again.
    pytest.mark.skipif(
        bool(os.environ.get("TEST_POSTGRES_URL") or os.environ.get("TEST_RABBITMQ_URL")),
        reason="embedded stack only; covered by the first CI leg",
    ),
]


def test_every_process_killed_nothing_lost_nothing_doubled(tmp_path: Path) -> None:
    fig = run(
        cases=8, concurrency=4, kill_every=1.5, pace=1.0, seed=20261124, timeout=200, settle_timeout=60, root=tmp_path,
        log=lambda *_: None,
    )  # fmt: skip
    print(summary(fig))
    f = fig["findings"]
    assert set(fig["kills"]) == set(VICTIMS), fig["kills"]  # each process died at least once
    assert fig["client"]["cases_done"] == 8 and not fig["client"]["gave_up"]
    assert f["cases_final"] == 8 and not f["lost_cases"] and not f["not_final"]
    assert not f["duplicated_steps"]
    assert f["notifications_expected"] > 0 and f["notifications_found"] == f["notifications_expected"]
    assert (
        not f["lost_notifications"]
        and not f["duplicated_notifications"]
        and not f["unexpected_notifications"]
    )
    assert f["audit_chains"] >= 8 and f["audit_bad_chains"] == 0
    # The round: every case decided exactly once, two of the eight voted down by the council
    r = fig["round"]
    assert r["error"] is None and f["round_phase"] == "closed", (r, f["round_phase"])
    assert (r["listed"], r["voted_down"]) == (8, 2)
    assert f["decided_once"] == 8 and not f["decided_twice"] and not f["not_decided"]
    assert f["outcomes"] == {"recognised": 6, "not_recognised": 2} and not f["decision_problems"]
    assert f["round_chain"]["round.council_recorded"] == 1 and not f["round_chain_problems"]
    # decision DOCX + PDF + minutes, and a certificate (DOCX + PDF) per recognised case, read back from S3
    assert f["documents_checked"] == 3 + 2 * 6 and not f["documents_bad"]
    assert f["case_workflows"] == {"COMPLETED": 8}
    assert f["notifications_by_type"]["case.decided"] == "8/8"
    assert r["seconds_to_decide"] is not None
    assert fig["aimed_kills"]  # kills aimed at the round's steps (one is skipped if its process is down)
    assert not f["secrets_in_logs"]
    assert not fig["client"]["unexpected_5xx"], fig["client"]["unexpected_5xx"]
    assert fig["ok"] and fig["settled"]


@pytest.mark.skipif(
    bool(rabbitmq_unavailable()), reason=f"no private RabbitMQ node: {rabbitmq_unavailable()}"
)
def test_rabbitmq_broker_killed_too_nothing_lost(tmp_path: Path) -> None:
    """`--broker rabbitmq --no-round`: the stack on a private RabbitMQ node (durable queue, persistent
    messages confirmed before the outbox marks them sent), the node SIGKILLed and restarted like every other
    process; every event still reaches the consumer exactly once (~1.5 min). The openings span 24 s and
    the first round of kills (each process once, ~1 s apart plus the pauses) falls inside it, so the node
    dies while the relays publish and the consumer consumes."""
    fig = run(
        cases=12, concurrency=4, kill_every=1.0, pace=2.0, seed=20261125, timeout=200, settle_timeout=90,
        root=tmp_path, log=lambda *_: None, decide=False, broker="rabbitmq",
    )  # fmt: skip
    print(summary(fig))
    f = fig["findings"]
    assert fig["broker"].startswith("rabbitmq (node chaos-")
    assert set(fig["kills"]) == {*VICTIMS, RABBITMQ}, fig["kills"]  # the node died at least once too
    assert fig["client"]["cases_done"] == 12 and not fig["client"]["gave_up"]
    assert f["cases_final"] == 12 and not f["lost_cases"] and not f["not_final"] and not f["duplicated_steps"]
    # 5 events per case, and one per import of the run's register (villages, households), each told to
    # the commune association officer
    assert f["events"] == 60 + 2 and f["unpublished_events"] == 0 and f["unprocessed_events"] == 0
    assert f["notifications_expected"] == 24 + 2 and f["notifications_found"] == 24 + 2
    assert (
        not f["lost_notifications"]
        and not f["duplicated_notifications"]
        and not f["unexpected_notifications"]
    )
    # one chain per case and one per account the stack created (its staff and the national auditor)
    assert f["audit_chains"] == 12 + len(USERS) + 1 and f["audit_bad_chains"] == 0
    assert not f["secrets_in_logs"]
    assert fig["ok"] and fig["settled"]
