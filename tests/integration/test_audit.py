"""The audit trail on a migrated evaluation database (SQLite, or PostgreSQL with TEST_POSTGRES_URL):
each kind of tampering done with raw SQL is found, concurrent appends keep one valid chain, and the
use cases, the history endpoint and the CLI report what happened."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import Engine

from common.audit import append_many, chain_entries, verify_all, verify_chain
from common.audit_entry import GENESIS, AuditEntry, entry_body, entry_hash
from common.db import make_engine
from common.settings import CommonSettings
from common.storage import StoredObject
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.cli import cli
from services.evaluation.config import Settings
from services.evaluation.service import cases, evidence
from tests.conftest import free_port
from workflows.recognition import contracts as c

pytestmark = pytest.mark.integration

CHAIN = "case:tampered"
OTHER = "case:untouched"
PDF = b"%PDF-1.4\n" + b"minh chung " * 100


@pytest.fixture
def database_url(make_database_url: Callable[[str], str]) -> str:
    url = make_database_url("evaluation")
    upgrade("evaluation", url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def write(engine: Engine, chain: str, count: int) -> list[int]:
    """`count` entries appended to `chain`, one transaction each; their seqs."""
    seqs = []
    for i in range(count):
        with engine.begin() as conn:
            entry = AuditEntry(chain=chain, action="score.adjusted", actor=f"cán bộ {i}", after={"TC1": i})
            seqs.append(append_many(conn, t.audit, [entry])[0].seq)
    return seqs


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def check(engine: Engine, chain: str = CHAIN) -> Any:
    with engine.connect() as conn:
        return verify_chain(conn, t.audit, chain)


@pytest.fixture
def seqs(engine: Engine) -> list[int]:
    """Five entries in the chain under attack, three in another one, interleaved."""
    out: list[int] = []
    for i in range(5):
        out += write(engine, CHAIN, 1)
        if i < 3:
            write(engine, OTHER, 1)
    assert check(engine).ok and check(engine, OTHER).ok
    return out


def assert_only_the_attacked_chain_fails(engine: Engine, kind: str) -> None:
    with engine.connect() as conn:
        report = verify_all(conn, t.audit)
    assert not report.ok and report.bad_chains == 1, report
    assert [(p.chain, p.kind) for p in report.problems] == [(CHAIN, kind)]


def test_an_untouched_log_verifies(engine: Engine, seqs: list[int]) -> None:
    with engine.connect() as conn:
        report = verify_all(conn, t.audit)
        positions = [e.position for e in chain_entries(conn, t.audit, CHAIN)]
    assert report.ok and report.chains == 2 and report.entries == 8
    assert positions == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "column, value",
    [("actor", "kẻ giả mạo"), ("after_state", '{"TC1":9}'), ("reason", "thêm vào"), ("occurred_at", None)],
)
def test_a_changed_field_is_found(engine: Engine, seqs: list[int], column: str, value: Any) -> None:
    if column == "occurred_at":  # the earliest time in the log, in the column's own storage format
        earliest = "SELECT MIN(occurred_at) FROM audit_log"
        sql(engine, f"UPDATE audit_log SET occurred_at = ({earliest}) WHERE seq = :s", s=seqs[2])
    else:
        sql(engine, f"UPDATE audit_log SET {column} = :v WHERE seq = :s", v=value, s=seqs[2])
    result = check(engine)
    assert (result.ok, result.kind, result.first_bad_seq, result.checked) == (False, "altered", seqs[2], 2)
    assert_only_the_attacked_chain_fails(engine, "altered")


def test_a_rewritten_hash_is_found(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "UPDATE audit_log SET hash = :h WHERE seq = :s", h="f" * 64, s=seqs[1])
    assert (check(engine).kind, check(engine).first_bad_seq) == ("altered", seqs[1])


def test_a_deleted_middle_entry_is_found(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "DELETE FROM audit_log WHERE seq = :s", s=seqs[2])
    result = check(engine)
    assert (result.ok, result.kind, result.first_bad_seq, result.checked) == (False, "missing", seqs[3], 2)
    assert_only_the_attacked_chain_fails(engine, "missing")


def test_a_deleted_last_entry_is_found_through_the_head(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "DELETE FROM audit_log WHERE seq = :s", s=seqs[-1])
    result = check(engine)
    assert (result.ok, result.kind, result.checked) == (False, "truncated", 4)
    assert_only_the_attacked_chain_fails(engine, "truncated")


def test_deleting_the_whole_chain_leaves_its_head_to_tell(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "DELETE FROM audit_log WHERE chain = :c", c=CHAIN)
    assert (check(engine).ok, check(engine).kind) == (False, "truncated")
    assert_only_the_attacked_chain_fails(engine, "truncated")


def test_a_deleted_head_is_found(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "DELETE FROM audit_heads WHERE chain = :c", c=CHAIN)
    assert (check(engine).ok, check(engine).kind) == (False, "no_head")
    assert_only_the_attacked_chain_fails(engine, "no_head")


def test_a_rewritten_head_is_found(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "UPDATE audit_heads SET hash = :h WHERE chain = :c", h="e" * 64, c=CHAIN)
    assert (check(engine).kind, check(engine).first_bad_seq) == ("head_mismatch", seqs[-1])
    assert_only_the_attacked_chain_fails(engine, "head_mismatch")


def forge(engine: Engine, chain: str, position: int, prev_hash: str, **columns: Any) -> None:
    """Insert a row as an attacker who knows the algorithm would: with a correctly computed hash."""
    entry = AuditEntry(chain=chain, action="case.decided", actor="kẻ giả mạo")
    digest = entry_hash(prev_hash, entry_body(entry, position))
    values = {
        "entry_id": entry.entry_id, "chain": chain, "position": position, "prev_hash": prev_hash,
        "hash": digest, "occurred_at": entry.at, "action": entry.action, "actor": entry.actor,
        "evidence_sha256": "[]", **columns,
    }  # fmt: skip
    with engine.begin() as conn:
        conn.execute(t.audit.insert().values(**values))


def test_a_forged_entry_appended_outside_the_application_is_found(engine: Engine, seqs: list[int]) -> None:
    with engine.connect() as conn:
        last = chain_entries(conn, t.audit, CHAIN)[-1]
    forge(engine, CHAIN, 6, last.hash)
    result = check(engine)
    assert (result.ok, result.kind, result.checked) == (False, "unanchored", 5)
    assert_only_the_attacked_chain_fails(engine, "unanchored")


def test_a_forged_entry_slipped_between_two_others_is_found(engine: Engine, seqs: list[int]) -> None:
    # The thorough forger: makes room at position 3 and at the 3rd entry's seq (renumbering everything
    # after), then inserts an entry linked to the 2nd with a correctly computed hash.
    with engine.connect() as conn:
        second = chain_entries(conn, t.audit, CHAIN)[1]
    sql(engine, "UPDATE audit_log SET seq = seq + 100000 WHERE seq >= :s", s=seqs[2])
    sql(engine, "UPDATE audit_log SET seq = seq - 99999 WHERE seq >= 100000")
    sql(engine, "UPDATE audit_log SET position = position + 1000 WHERE chain = :c AND position >= 3", c=CHAIN)
    sql(
        engine,
        "UPDATE audit_log SET position = position - 999 WHERE chain = :c AND position >= 1000",
        c=CHAIN,
    )
    forge(engine, CHAIN, 3, second.hash, seq=seqs[2])
    result = check(engine)
    # The forged entry itself checks out; the one after it no longer links (and its position changed).
    assert (result.ok, result.kind, result.first_bad_seq, result.checked) == (
        False,
        "broken_link",
        seqs[2] + 1,
        3,
    )
    assert_only_the_attacked_chain_fails(engine, "broken_link")


def test_a_forged_chain_without_a_head_is_found(engine: Engine, seqs: list[int]) -> None:
    forge(engine, "case:forged", 1, GENESIS)
    with engine.connect() as conn:
        report = verify_all(conn, t.audit)
    assert [(p.chain, p.kind) for p in report.problems] == [("case:forged", "no_head")]
    assert report.chains == 3 and report.entries == 9


def test_two_swapped_entries_are_found(engine: Engine, seqs: list[int]) -> None:
    a, b = seqs[1], seqs[3]
    sql(engine, "UPDATE audit_log SET seq = :tmp WHERE seq = :a", tmp=-1, a=a)
    sql(engine, "UPDATE audit_log SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(engine, "UPDATE audit_log SET seq = :b WHERE seq = :tmp", b=b, tmp=-1)
    result = check(engine)
    assert (result.ok, result.kind) == (False, "reordered")
    assert_only_the_attacked_chain_fails(engine, "reordered")


def test_swapped_contents_of_two_entries_are_found(engine: Engine, seqs: list[int]) -> None:
    sql(engine, "UPDATE audit_log SET actor = :v WHERE seq = :s", v="cán bộ 3", s=seqs[1])
    sql(engine, "UPDATE audit_log SET actor = :v WHERE seq = :s", v="cán bộ 1", s=seqs[3])
    assert (check(engine).kind, check(engine).first_bad_seq) == ("altered", seqs[1])


# --- concurrency -------------------------------------------------------------------------------


def test_concurrent_appends_to_one_chain_make_one_valid_chain(engine: Engine) -> None:
    workers, rounds = 8, 10
    start = threading.Barrier(workers)

    def work(n: int) -> None:
        start.wait()  # all at once, onto a chain that does not exist yet
        for i in range(rounds):
            uow = SqlUnitOfWork(engine)
            with uow:
                uow.record(
                    AuditEntry(chain="case:busy", action="score.adjusted", actor=f"w{n}", after={"i": i})
                )
                # Two more chains, recorded in opposite orders by neighbouring transactions: the heads
                # are locked in sorted order, so this never deadlocks on PostgreSQL.
                for side in sorted(("case:side-a", "case:side-b"), reverse=(n + i) % 2 == 1):
                    uow.record(AuditEntry(chain=side, action="case.viewed", actor=f"w{n}"))
                uow.commit()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))

    with engine.connect() as conn:
        busy = chain_entries(conn, t.audit, "case:busy")
        report = verify_all(conn, t.audit)
    assert report.ok and report.chains == 3 and report.entries == 3 * workers * rounds, report
    assert [e.position for e in busy] == list(range(1, workers * rounds + 1))
    for n in range(workers):  # each writer's entries keep their order within the chain
        assert [e.after["i"] for e in busy if e.actor == f"w{n}"] == list(range(rounds))


def test_entries_of_a_transaction_that_does_not_commit_are_not_written(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.record(AuditEntry(chain="case:x", action="case.opened", actor="a"))
    with pytest.raises(ValueError):
        uow.record(AuditEntry(chain="case:x", action="case.opened", actor=""))  # refused at once
    with engine.connect() as conn:
        assert chain_entries(conn, t.audit, "case:x") == []
        assert verify_all(conn, t.audit).chains == 0


# --- the evaluation use cases, API and CLI ------------------------------------------------------


class MemoryStorage:
    """Object storage in a dict (the use case only streams in and, on failure, removes)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_stream(self, key: str, stream: Any, *, content_type: str, max_bytes: int) -> StoredObject:
        import hashlib

        data = stream.read()
        self.objects[key] = data
        return StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def remove(self, key: str) -> None:
        self.objects.pop(key, None)


OPENED = c.CaseOpenedInput(
    case_id="case-audit-1",
    workflow_id="recognition/2026/learning_family/HH-9",
    run_id="run-9",
    year=2026,
    title="learning_family",
    subject_id="HH-9",
    admin_unit_code="26734",
    opened_by="can-bo-thon",
)


def run_case(engine: Engine) -> None:
    """Open a case, upload one evidence file and withdraw it, each step retried once."""
    uow = SqlUnitOfWork(engine)
    assert cases.record_case_opened(uow, inp=OPENED)
    assert not cases.record_case_opened(uow, inp=OPENED)  # a retried activity records nothing twice
    request = evidence.UploadRequest(
        case_id=OPENED.case_id,
        indicator_code="TC1.1",
        file_name="Giấy khen.pdf",
        stream=io.BytesIO(PDF),
        uploaded_by="ho-gia-dinh",
    )
    evidence.upload_evidence(uow, MemoryStorage(), request=request, max_bytes=1 << 20)
    withdrawn = c.CaseWithdrawnInput(case_id=OPENED.case_id, actor="ho-gia-dinh", reason="Chuyển nơi ở")
    assert cases.record_case_withdrawn(uow, inp=withdrawn)
    assert not cases.record_case_withdrawn(uow, inp=withdrawn)


def test_the_case_use_cases_leave_their_entries(engine: Engine) -> None:
    import hashlib

    run_case(engine)
    with engine.connect() as conn:
        entries = chain_entries(conn, t.audit, f"case:{OPENED.case_id}")
        assert verify_chain(conn, t.audit, f"case:{OPENED.case_id}").ok
    assert [e.action for e in entries] == ["case.opened", "evidence.uploaded", "case.withdrawn"]
    opened, uploaded, withdrawn = entries
    assert (opened.actor, opened.workflow_id, opened.run_id) == ("can-bo-thon", OPENED.workflow_id, "run-9")
    assert opened.before is None and opened.after["status"] == "draft"
    assert uploaded.evidence_sha256 == [hashlib.sha256(PDF).hexdigest()]
    assert uploaded.after["file_name"] == "Giấy khen.pdf" and uploaded.actor == "ho-gia-dinh"
    assert (withdrawn.reason, withdrawn.before["status"], withdrawn.after["status"]) == (
        "Chuyển nơi ở", "draft", "withdrawn",
    )  # fmt: skip
    assert withdrawn.after["version"] == withdrawn.before["version"] + 1


def test_the_history_endpoint_shows_the_entries_and_whether_they_verify(
    engine: Engine, database_url: str, tmp_path: Any
) -> None:
    from tests.signin import FAST_ARGON2, sign_in

    settings = Settings(
        database_url=database_url,
        common=CommonSettings(
            broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
            temporal_address=f"127.0.0.1:{free_port()}",
            s3_endpoint=f"127.0.0.1:{free_port()}",
        ),
        **FAST_ARGON2,  # type: ignore[arg-type]
    )
    api = create_app(settings).test_client()
    headers = sign_in(api, database_url, role="auditor", scope_code=None)
    run_case(engine)

    body = api.get(f"/cases/{OPENED.case_id}/history", headers=headers).get_json()
    assert body["verified"] is True and body["chain"] == f"case:{OPENED.case_id}"
    assert [e["action"] for e in body["entries"]] == ["case.opened", "evidence.uploaded", "case.withdrawn"]
    assert [e["position"] for e in body["entries"]] == [1, 2, 3]
    assert body["entries"][2]["reason"] == "Chuyển nơi ở"
    assert body["entries"][1]["prev_hash"] == body["entries"][0]["hash"]
    report = api.get("/audit/verify", headers=headers).get_json()
    assert report.pop("anchors")["checked"] is False  # this test's object store is a closed port
    assert report == {  # the case's chain and the auditor's account's
        "ok": True, "chains": 2, "entries": 4, "bad_chains": 0, "problems": [],
    }  # fmt: skip

    sql(engine, "UPDATE audit_log SET reason = :r WHERE action = 'case.withdrawn'", r="Tự nguyện")
    body = api.get(f"/cases/{OPENED.case_id}/history", headers=headers).get_json()
    assert body["verified"] is False and body["verification"]["kind"] == "altered"
    response = api.get("/audit/verify", headers=headers)
    assert response.status_code == 200
    report = response.get_json()
    assert report["ok"] is False and report["bad_chains"] == 1
    assert report["problems"][0]["chain"] == f"case:{OPENED.case_id}"
    assert api.get("/cases/no-such-case/history", headers=headers).status_code == 404


def test_the_verify_audit_command_exits_1_when_tampering_is_found(engine: Engine, database_url: str) -> None:
    run_case(engine)
    env = {"EVALUATION_DATABASE_URL": database_url}
    clean = CliRunner().invoke(cli, ["verify-audit"], env=env)
    assert clean.exit_code == 0, clean.output
    assert "1 chains, 3 entries, 0 tampered" in clean.output

    sql(engine, "DELETE FROM audit_log WHERE action = 'evidence.uploaded'")
    found = CliRunner().invoke(cli, ["verify-audit"], env=env)
    assert found.exit_code == 1
    assert "missing" in found.output
    one = CliRunner().invoke(cli, ["verify-audit", "--case", OPENED.case_id], env=env)
    assert one.exit_code == 1


def test_officers_claiming_one_case_at_once_leave_one_holder_and_one_recorded_claim(engine: Engine) -> None:
    from common.errors import Conflict
    from services.evaluation.service import audit, tasks
    from services.evaluation.service.steps import Actor

    assert cases.record_case_opened(SqlUnitOfWork(engine), inp=OPENED)
    workers = 8
    start = threading.Barrier(workers)

    def claim(n: int) -> str | None:
        start.wait()  # all at once: the case's row lock makes them take their turns
        officer = Actor(username=f"can-bo-{n}", role="village_officer")
        try:
            return tasks.claim_task(
                SqlUnitOfWork(engine), case_id=OPENED.case_id, username=officer.username, actor=officer
            )["assignee"]
        except Conflict:
            return None

    with ThreadPoolExecutor(workers) as pool:
        holders = [h for h in pool.map(claim, range(workers)) if h]

    assert len(holders) == 1
    history = audit.case_history(SqlUnitOfWork(engine), case_id=OPENED.case_id)
    assert history.verification.ok
    assert [(e.actor, e.after) for e in history.entries if e.action == "case.claimed"] == [
        (holders[0], {"assignee": holders[0]})
    ]
