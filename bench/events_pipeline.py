"""Events per second through outbox -> relay -> broker -> consumer -> inbox, against raw kombu
publish/consume of the same messages on the same transport, in the same run (issue #7; bench).

Measured: N events written to the evaluation outbox in one transaction, published by the outbox
relay, consumed by the notifications EventConsumer (dedupe, fan-out to inbox items, ack after commit);
the clock stops when the last event is recorded as processed. Baseline: the same N message bodies
published with a kombu Producer and consumed (acked) by a plain kombu consumer on a queue of the
same exchange. Both on kombu's SQL transport (SQLite file) and on RabbitMQ (a throwaway vhost).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from kombu import Queue

from bench.harness import Result
from common import events as ev
from common.db import make_engine
from common.outbox import OutboxRelay, add_event
from infra.migrate import upgrade
from services.evaluation.adapters import tables as evaluation_tables
from services.notifications.adapters import tables as nt
from services.notifications.consumers import EventConsumer

NAME = "events_pipeline"
GOAL = "outbox→broker→consumer→inbox ≥ 0.5 × raw kombu publish/consume (events/s)"
AMQP = "amqp://guest:guest@127.0.0.1:5672"


def _events(n: int) -> list[ev.Event]:
    return [
        ev.Event(
            type="case.opened",
            source="evaluation",
            payload={
                "case_id": str(uuid.uuid4()),
                "admin_unit_code": "26506",
                "title": "learning_family",
                "year": 2027,
                "actor": "bench",
            },
        )
        for _ in range(n)
    ]


def pipeline_seconds(broker_url: str, workdir: Path, n: int) -> float:
    """Wall time for n events from the outbox write to the consumer's commit of the last one."""
    ev_url, nt_url = f"sqlite:///{workdir / 'evaluation.db'}", f"sqlite:///{workdir / 'notifications.db'}"
    upgrade("evaluation", ev_url)
    upgrade("notifications", nt_url)
    ev_engine, nt_engine = make_engine(ev_url), make_engine(nt_url)
    conn = ev.broker_connection(broker_url)
    consumer = EventConsumer(conn, nt_engine, dispatch_interval=3600)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    relay = OutboxRelay(ev_engine, evaluation_tables.outbox, broker_url, batch_size=500)
    stop = threading.Event()
    started = time.perf_counter()
    with ev_engine.begin() as db:
        for event in _events(n):
            add_event(db, evaluation_tables.outbox, event)
    relay_thread = threading.Thread(
        target=relay.run_forever, args=(stop,), kwargs={"idle_sleep": 0.05}, daemon=True
    )
    relay_thread.start()
    deadline = started + 600
    while time.perf_counter() < deadline:
        with nt_engine.connect() as db:
            done = db.execute(sa.select(sa.func.count()).select_from(nt.processed_events)).scalar_one()
        if done >= n:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    consumer.should_stop = True
    relay_thread.join(10)
    thread.join(10)
    conn.release()
    if done < n:
        raise RuntimeError(f"only {done} of {n} events arrived in 600 s")
    return elapsed


def raw_seconds(broker_url: str, n: int, *, confirmed: bool = True) -> float:
    """Wall time to publish n bodies with kombu and consume (ack) them all on the same transport.

    On AMQP `confirmed` publishes as kombu does when publishing must not lose a message
    (`confirm_publish`: each publish waits for the broker's confirm), the guarantee the relay gives;
    `confirmed=False` is fire-and-forget, faster and weaker, reported beside it."""
    queue = Queue(f"bench.raw.{uuid.uuid4().hex[:8]}", ev.exchange(), routing_key="case.opened", durable=True)
    bodies = [e.to_message() for e in _events(n)]
    got = 0
    with ev.broker_connection(broker_url, confirm_each_publish=confirmed) as conn:
        started = time.perf_counter()
        producer = conn.Producer(serializer="json")
        for body in bodies:
            producer.publish(
                body,
                exchange=ev.exchange(),
                routing_key="case.opened",
                declare=[queue],
                delivery_mode=2,
                message_id=body["id"],
            )

        def on_message(body: dict, message) -> None:  # type: ignore[no-untyped-def]
            nonlocal got
            got += 1
            message.ack()

        with conn.Consumer([queue], callbacks=[on_message], accept=["json"], prefetch_count=20):
            deadline = started + 600
            while got < n and time.perf_counter() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
        elapsed = time.perf_counter() - started
    if got < n:
        raise RuntimeError(f"raw consumer got {got} of {n}")
    return elapsed


def _compare(label: str, n: int, pipeline: float, raw: float, baseline_is: str = "raw") -> Result:
    measured, baseline = n / pipeline, n / raw
    return Result(
        f"{NAME}[{label}]",
        measured,
        baseline,
        measured / baseline,
        "events/s",
        "≥ 0.5×",
        measured / baseline >= 0.5,
        f"{n} events; pipeline {pipeline:.2f} s, {baseline_is} {raw:.2f} s",
    )


def _rabbit_vhost() -> str | None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True, timeout=60)
        subprocess.run(
            [ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return vhost


def run(quick: bool) -> list[Result]:
    """Both transports: the SQL transport on SQLite, then RabbitMQ if it answers."""
    n = 200 if quick else 3000
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "p").mkdir()
        sql = f"sqla+sqlite:///{work / 'broker.db'}"
        raw_sql = f"sqla+sqlite:///{work / 'raw-broker.db'}"
        results.append(
            _compare("sql-transport", n, pipeline_seconds(sql, work / "p", n), raw_seconds(raw_sql, n))
        )
    vhost = _rabbit_vhost()
    if vhost is None:
        results.append(Result.skipped(f"{NAME}[rabbitmq]", "events/s", "≥ 0.5×", "RabbitMQ not reachable"))
        return results
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"{AMQP}/{vhost}"
            pipeline = pipeline_seconds(url, Path(tmp), n)
            confirmed, unconfirmed = raw_seconds(url, n), raw_seconds(url, n, confirmed=False)
            results.append(_compare("rabbitmq", n, pipeline, confirmed, "raw with a confirm per publish"))
            results.append(
                _compare("rabbitmq, vs unconfirmed raw", n, pipeline, unconfirmed, "raw fire-and-forget")
            )
    finally:
        subprocess.run(
            [shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl", "delete_vhost", vhost],
            capture_output=True,
            check=False,
            timeout=60,
        )
    return results
