"""Anchors of the audit trail in the real S3 server (rclone), over a migrated evaluation database (SQLite,
or PostgreSQL with TEST_POSTGRES_URL): a chain rewritten consistently from the changed entry to its head
(which its own verification cannot see) is found by the anchors, so are the newest entries removed with their
head moved back and an anchor removed from the store; entries too new to have settled wait for the
next anchor; the CLI anchors and verifies every service."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from common.audit import append_many, chain_entries, verify_chain
from common.audit_anchor import AnchorStore, check_anchors, take_anchor, verify_anchors
from common.audit_entry import GENESIS, AuditEntry, entry_body, entry_hash
from common.db import make_engine
from common.storage import ObjectStorage
from infra.audit_anchors import cli
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from tests.conftest import new_bucket

pytestmark = pytest.mark.integration

SETTLED = timedelta(0)  # in these tests every entry written has settled


@pytest.fixture
def engine(make_database_url: Callable[[str], str]) -> Iterator[Engine]:
    url = make_database_url("evaluation")
    upgrade("evaluation", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def storage(s3_server: dict[str, Any]) -> ObjectStorage:
    return new_bucket(s3_server, "anchors")


def write(engine: Engine, chain: str, count: int, at: datetime | None = None) -> None:
    for i in range(count):
        with engine.begin() as conn:
            entry = AuditEntry(chain=chain, action="score.adjusted", actor=f"cán bộ {i}", after={"TC1": i})
            append_many(conn, t.audit, [dataclasses.replace(entry, at=at) if at else entry])


def rewrite_consistently(engine: Engine, chain: str, position: int, actor: str) -> None:
    """What a forger with write access does: change one entry and recompute every hash after it, and the
    head, so that the chain verifies."""
    with engine.begin() as conn:
        entries = chain_entries(conn, t.audit, chain)
        prev = GENESIS if position == 1 else entries[position - 2].hash
        for stored in entries[position - 1 :]:
            entry = dataclasses.replace(stored, actor=actor) if stored.position == position else stored
            new_hash = entry_hash(prev, entry_body(entry, stored.position))
            conn.execute(
                t.audit.update()
                .where(t.audit.c.seq == stored.seq)
                .values(actor=entry.actor, prev_hash=prev, hash=new_hash)
            )
            prev = new_hash
        heads = t.metadata.tables["audit_heads"]
        conn.execute(heads.update().where(heads.c.chain == chain).values(hash=prev))


def test_a_chain_rewritten_consistently_verifies_but_the_anchors_find_it(
    engine: Engine, storage: ObjectStorage
) -> None:
    store = AnchorStore(storage, "evaluation")
    write(engine, "case:a", 3)
    write(engine, "case:b", 2)
    first = take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED)
    assert first is not None and (first.seq_from, first.entries) == (0, 5) and first.prev_digest == GENESIS
    assert take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED) is None  # nothing new
    write(engine, "case:a", 2)
    second = take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED)
    assert second is not None and second.seq_from == first.seq_to and second.prev_digest == first.digest
    assert second.entries == 2
    assert verify_anchors(engine, t.audit, store) == (2, [])

    rewrite_consistently(engine, "case:a", 2, actor="người khác")
    with engine.connect() as conn:
        assert verify_chain(conn, t.audit, "case:a").ok  # the chain alone cannot tell
    count, problems = verify_anchors(engine, t.audit, store)
    assert count == 2 and [(p.kind, p.seq_to) for p in problems] == [
        ("rewritten", first.seq_to),
        ("rewritten", second.seq_to),  # the rewrite ran on past the first anchor to the head
    ]


def test_the_newest_entries_removed_with_their_head_moved_back_and_a_removed_anchor_are_found(
    engine: Engine, storage: ObjectStorage
) -> None:
    store = AnchorStore(storage, "evaluation")
    write(engine, "case:a", 2)
    first = take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED)
    write(engine, "case:b", 2)
    second = take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED)
    assert first and second
    with engine.begin() as conn:  # the newest entry of case:b goes, and its head is moved back to match
        kept = chain_entries(conn, t.audit, "case:b")[0]
        conn.execute(t.audit.delete().where(t.audit.c.seq == second.seq_to))
        heads = t.metadata.tables["audit_heads"]
        conn.execute(heads.update().where(heads.c.chain == "case:b").values(position=1, hash=kept.hash))
    with engine.connect() as conn:
        assert verify_chain(conn, t.audit, "case:b").ok  # the chain alone cannot tell
    problems = verify_anchors(engine, t.audit, store)[1]
    assert [(p.kind, p.seq_to) for p in problems] == [("rewritten", second.seq_to)]
    assert "1 now, 2 anchored" in problems[0].problem
    storage.remove(first.key())  # someone deletes an anchor: the next no longer follows anything
    assert [p.kind for p in verify_anchors(engine, t.audit, store)[1]] == ["broken_sequence", "rewritten"]


def test_entries_that_have_not_settled_wait_for_the_next_anchor(
    engine: Engine, storage: ObjectStorage
) -> None:
    store = AnchorStore(storage, "evaluation")
    write(engine, "case:a", 2, at=datetime.now(UTC) - timedelta(hours=1))
    write(engine, "case:a", 1)  # just now: a transaction below it might still commit
    anchor = take_anchor(engine, t.audit, store, service="evaluation", settle=timedelta(minutes=5))
    assert anchor is not None and anchor.entries == 2
    with engine.connect() as conn:
        assert check_anchors(conn, t.audit, store.all()) == []


def test_the_cli_anchors_and_verifies_every_service(
    make_database_url: Callable[[str], str], s3_server: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = {service: make_database_url(service) for service in ("evaluation", "awards")}
    for service, url in urls.items():
        upgrade(service, url)
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
    monkeypatch.setenv("S3_ENDPOINT", s3_server["endpoint"])
    monkeypatch.setenv("S3_ACCESS_KEY", s3_server["access_key"])
    monkeypatch.setenv("S3_SECRET_KEY", s3_server["secret_key"])
    monkeypatch.setenv("AUDIT_ANCHOR_BUCKET", f"anchors-{uuid.uuid4().hex[:8]}")
    engine = make_engine(urls["evaluation"])
    write(engine, "case:a", 3)
    runner = CliRunner()
    took = runner.invoke(cli, ["anchor", "--settle-seconds", "0"])
    assert took.exit_code == 0, took.output
    assert (
        "evaluation: anchored entries 1–3 (3)" in took.output
        and "awards: nothing new to anchor" in took.output
    )
    checked = runner.invoke(cli, ["verify"])
    assert checked.exit_code == 0, checked.output
    assert "evaluation: 1 chains, 0 tampered; 1 anchors, 0 problems" in checked.output
    with engine.begin() as conn:  # a field changed, hashes left: the chain's own verification finds it
        conn.execute(t.audit.update().where(t.audit.c.position == 2).values(reason="sửa lén"))
    edited = runner.invoke(cli, ["verify"])
    assert edited.exit_code == 1 and "case:a: altered" in edited.output, edited.output
    rewrite_consistently(engine, "case:a", 1, actor="người khác")  # hashes recomputed: only anchors see it
    engine.dispose()
    failed = runner.invoke(cli, ["verify"])
    assert failed.exit_code == 1 and "evaluation: anchor rewritten" in failed.output, failed.output
    assert "evaluation: 1 chains, 0 tampered; 1 anchors, 1 problems" in failed.output


def test_the_verify_endpoint_recomputes_the_anchors_and_still_answers_without_the_object_store(
    make_database_url: Callable[[str], str], s3_server: dict[str, Any]
) -> None:
    from common.auth import Principal
    from common.settings import CommonSettings
    from services.evaluation.app import create_app
    from services.evaluation.config import Settings
    from tests.conftest import free_port
    from tests.signin import bearer

    url = make_database_url("evaluation")
    upgrade("evaluation", url)
    engine = make_engine(url)
    write(engine, "case:a", 3)
    bucket = f"anchors-{uuid.uuid4().hex[:8]}"
    s3 = {"s3_endpoint": s3_server["endpoint"], "s3_access_key": s3_server["access_key"]}
    common = CommonSettings(**s3, s3_secret_key=s3_server["secret_key"], audit_anchor_bucket=bucket)
    auditor = bearer(common.secret_key, Principal("k", "kiem-toan", "auditor", None, ""))
    api = create_app(Settings(database_url=url, common=common)).test_client()
    none_yet = api.get("/audit/verify", headers=auditor).get_json()  # the bucket not made yet: no anchors
    assert none_yet["ok"] is True and none_yet["anchors"] == {
        "checked": True, "anchors": 0, "problems": [], "unavailable": None
    }  # fmt: skip
    storage = ObjectStorage.on(common, bucket)
    storage.ensure_bucket()
    take_anchor(engine, t.audit, AnchorStore(storage, "evaluation"), service="evaluation", settle=SETTLED)
    assert api.get("/audit/verify", headers=auditor).get_json()["anchors"]["anchors"] == 1
    rewrite_consistently(engine, "case:a", 2, actor="người khác")
    engine.dispose()
    found = api.get("/audit/verify", headers=auditor).get_json()
    assert found["ok"] is False and found["bad_chains"] == 0  # the chains alone look fine
    assert [p["kind"] for p in found["anchors"]["problems"]] == ["rewritten"]
    down = CommonSettings(s3_endpoint=f"127.0.0.1:{free_port()}", audit_anchor_bucket=bucket)
    blind = create_app(Settings(database_url=url, common=down)).test_client()
    answer = blind.get("/audit/verify", headers=auditor)
    assert answer.status_code == 200 and answer.get_json()["chains"] == 1
    assert answer.get_json()["anchors"] == {
        "checked": False, "anchors": 0, "problems": [], "unavailable": "object_store"
    }  # fmt: skip


def test_an_anchor_read_in_small_batches_is_the_same_anchor(
    engine: Engine, storage: ObjectStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import common.audit_anchor as anchors

    write(engine, "case:a", 5)
    whole = take_anchor(engine, t.audit, AnchorStore(storage, "one-batch"), service="x", settle=SETTLED)
    monkeypatch.setattr(anchors, "_BATCH", 2)
    batched = take_anchor(engine, t.audit, AnchorStore(storage, "small-batches"), service="x", settle=SETTLED)
    assert whole and batched and (batched.digest, batched.entries) == (whole.digest, 5)


def test_two_anchors_taken_at_once_overlap_and_still_verify(engine: Engine, storage: ObjectStorage) -> None:
    from common.audit_anchor import next_anchor

    store = AnchorStore(storage, "evaluation")
    write(engine, "case:a", 2)
    first = take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED)
    write(engine, "case:a", 1)
    with engine.connect() as conn:  # two anchoring processes, both after `first`
        early = next_anchor(conn, t.audit, service="evaluation", last=first, settle=SETTLED)
    write(engine, "case:b", 2)
    with engine.connect() as conn:
        late = next_anchor(conn, t.audit, service="evaluation", last=first, settle=SETTLED)
    assert early and late and (early.seq_from, late.seq_from) == (first.seq_to, first.seq_to)
    store.put(early)
    store.put(late)
    write(engine, "case:b", 1)
    after = take_anchor(engine, t.audit, store, service="evaluation", settle=SETTLED)
    assert after and after.prev_digest == late.digest  # the next follows the newest
    assert verify_anchors(engine, t.audit, store) == (4, [])
    storage.remove(late.key())  # the one the sequence went on from: its successor now follows nothing
    assert [(p.kind, p.seq_to) for p in verify_anchors(engine, t.audit, store)[1]] == [
        ("broken_sequence", after.seq_to)
    ]
