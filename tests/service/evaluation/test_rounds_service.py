"""The yearly round's use cases on a real SQLite database: the decision list with recognition
dependencies, objections, council minutes, signature, the batch decision page by page (idempotent: a page
recorded twice decides nobody twice), streaks, `case.decided` events, audit, documents (the DOCX annex
read back), and GET /recognitions with its scope and bad input."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
import pytest
import sqlalchemy as sa
import yaml

from bench.round_seed import ensure_villages, seed_awaiting_cases
from common.auth import Principal
from common.db import make_engine
from common.errors import Conflict, InvalidTransition, PreconditionFailed, ValidationFailed
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service import (
    amendments,
    decision_batch,
    decision_list,
    round_documents,
    round_steps,
    rounds,
)
from services.evaluation.service.steps import Actor
from tests.conftest import free_port, seed_reference_data
from tests.service.evaluation.matrix_world import FakeStorage
from tests.signin import bearer, create_user
from workflows.recognition import lifecycle as lc
from workflows.yearly_round import contracts as rc

COMMUNE, YEAR, PLAN = "15664", 2026, "van-hoa-2023"
SECRET = "rounds-secret-key-0001"
IN_POSTING = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # inside a posting from 1/10/2026 (closes 8/10)


class RivalStorage(FakeStorage):
    """Object storage during which another decision of the commune claims the next number (the race
    between an amendment's check and its write), `rounds_to_win` times."""

    def __init__(
        self, objects: dict[str, bytes], engine: sa.Engine, commune: str, year: int, rounds_to_win: int
    ):
        super().__init__(objects)
        self._engine, self._commune, self._year, self._left = engine, commune, year, rounds_to_win

    def put_stream(self, key: str, stream: Any, *, content_type: str, max_bytes: int) -> Any:
        if key.endswith(".docx") and self._left > 0:
            self._left -= 1
            with SqlUnitOfWork(self._engine) as uow:
                number = uow.decisions.next_number(self._commune, self._year)
                assert uow.decisions.claim_number(self._commune, self._year, number, str(uuid.uuid4()))
                uow.commit()
        return super().put_stream(key, stream, content_type=content_type, max_bytes=max_bytes)


class RivalRevocation(FakeStorage):
    """Object storage during which another revocation of the same recognition is issued in full (the
    race between a revocation's check and its write)."""

    def __init__(self, objects: dict[str, bytes], rival: Any) -> None:
        super().__init__(objects)
        self._rival = rival

    def put_stream(self, key: str, stream: Any, *, content_type: str, max_bytes: int) -> Any:
        if key.endswith(".docx") and self._rival is not None:
            rival, self._rival = self._rival, None
            rival()
        return super().put_stream(key, stream, content_type=content_type, max_bytes=max_bytes)


class Gateway:
    def __init__(self) -> None:
        self.signals: list[tuple[str, str]] = []

    def signal(self, workflow_id: str, signal: str, arg: Any = None) -> None:
        self.signals.append((workflow_id, signal))


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    engine = make_engine(url)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    villages = ensure_villages(uow, COMMUNE, 3)
    create_user(
        url, role="village_officer", scope_code=COMMUNE, username="can-bo-thon"
    )  # objections' verifier
    workflow_id, round_id = rounds.round_id_for(COMMUNE, YEAR, PLAN)
    rounds.record_round_opened(
        uow(), inp=rc.RoundOpenedInput(round_id, workflow_id, COMMUNE, YEAR, PLAN, "t")
    )
    families = seed_awaiting_cases(
        engine, commune=COMMUNE, year=YEAR, plan_code=PLAN, villages=villages, count=30
    )
    # Village 3 has 10 more households that did not apply: 10 of 20 hold the title, under the 70 % needed.
    with engine.begin() as conn:
        conn.execute(
            t.households.insert(),
            [
                {
                    "id": f"extra-{i}",
                    "commune_code": COMMUNE,
                    "household_code": f"X-{i}",
                    "village_code": villages[2],
                    "head_name": "Hộ chưa đăng ký",
                    "address": "x",
                }
                for i in range(10)
            ],
        )
    communities = []
    for v in villages[:3]:
        communities += seed_awaiting_cases(
            engine,
            commune=COMMUNE,
            year=YEAR,
            plan_code=PLAN,
            villages=[v],
            count=1,
            prefix=f"V{v}",
            title="learning_community_village",
        )
    # The community cases are about the villages themselves.
    with engine.begin() as conn:
        for cid, v in zip(communities, villages, strict=True):
            conn.execute(t.cases.update().where(t.cases.c.id == cid).values(subject_id=v))
            conn.execute(
                t.case_progress.update()
                .where(t.case_progress.c.case_id == cid)
                .values(criteria_set_key="cong-dong-hoc-tap-thon@2023.1")
            )
        conn.execute(t.households.delete().where(t.households.c.household_code.like("V%")))
    return {
        "url": url,
        "engine": engine,
        "uow": uow,
        "round_id": round_id,
        "villages": villages,
        "families": families,
        "communities": communities,
    }


def _phase(w: dict[str, Any], phase: str, version: int, **detail: Any) -> rc.PhaseResult:
    return rounds.record_round_phase(
        w["uow"](), inp=rc.RoundPhaseInput(w["round_id"], phase, version, detail=detail)
    )


def _through_signature(w: dict[str, Any], gateway: Gateway) -> rc.DecisionList:
    built = decision_list.build_decision_list(w["uow"](), round_id=w["round_id"])
    _phase(w, rc.REVIEWING, 2)
    _phase(
        w,
        rc.POSTING,
        3,
        at="2026-10-01T08:00:00+07:00",
        posting_days=5,
        posting_working_days=True,
        days_off=[],
    )
    actor = Actor("can-bo-xa", "commune_association_officer")
    obj = round_steps.file_objection(
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        actor=actor,
        filed_by="Bà Lê Thị Hoa, thôn 1",
        content="Hộ này chưa đủ điều kiện",
        case_id=w["families"][0],
        now=IN_POSTING,
    )
    with pytest.raises(PreconditionFailed):
        round_steps.assign_objection(
            w["uow"](),
            gateway,
            round_id=w["round_id"],
            objection_id=obj["id"],
            actor=actor,
            assignee="can-bo-thon",
            expected_version=5,
        )
    obj = round_steps.assign_objection(
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        objection_id=obj["id"],
        actor=actor,
        assignee="can-bo-thon",
        expected_version=1,
    )
    assert round_steps.open_objections(w["uow"](), round_id=w["round_id"]) == 1
    round_steps.resolve_objection(
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        objection_id=obj["id"],
        actor=actor,
        resolution="Xác minh đúng: hộ có con bỏ học",
        upheld=True,
        expected_version=2,
    )
    assert round_steps.open_objections(w["uow"](), round_id=w["round_id"]) == 0
    _phase(w, rc.COUNCIL, 4)
    minutes = rc.CouncilMinutes(
        met_on="2026-10-15",
        chair="Ông Lê Văn Sang",
        secretary="Bà Trần Thị Hà",
        attendance=["Ông Lê Văn Sang", "Bà Trần Thị Hà", "Ông Đỗ Văn Minh"],
        absent=["Ông Phạm Văn Tú"],
        votes=[rc.Vote(w["families"][1], 1, 2, 0)],
    )
    council = rc.CouncilInput("can-bo-xa", "commune_association_officer", 4, minutes)
    assert round_steps.record_council(w["uow"](), inp=rc.CouncilRecordInput(w["round_id"], 5, council))
    _phase(w, rc.AWAITING_SIGNATURE, 6)
    sign = rc.SignInput("chu-tich", "commune_chairman", 6, "Lê Văn Sang", "2026-12-15")
    assert round_steps.record_signature(w["uow"](), inp=rc.SignRecordInput(w["round_id"], 7, sign))
    assert not round_steps.record_signature(w["uow"](), inp=rc.SignRecordInput(w["round_id"], 7, sign))
    _phase(w, rc.RECORDING, 8)
    return built


class CountingStorage(FakeStorage):
    """Object storage in a dict that counts the writes (a retried activity must write nothing)."""

    def __init__(self) -> None:
        super().__init__()
        self.puts: list[str] = []

    def put_stream(self, key: str, stream: Any, *, content_type: str, max_bytes: int) -> Any:
        self.puts.append(key)
        return super().put_stream(key, stream, content_type=content_type, max_bytes=max_bytes)


def _audit_after(engine: Any, action: str) -> list[tuple[dict[str, Any], list[str]]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.audit.c.after_state, t.audit.c.evidence_sha256)
            .where(t.audit.c.action == action)
            .order_by(t.audit.c.position)
        ).all()
    return [(json.loads(a), json.loads(e)) for a, e in rows]


def _check_minutes(
    w: dict[str, Any], storage: CountingStorage, docs: dict[str, Any], decision_id: str
) -> None:
    """The council's minutes as DOCX and PDF: attendance and each vote read back, digests audited, and
    nothing written again by a retried activity."""
    import hashlib

    from pypdf import PdfReader

    with w["uow"]() as uow:
        names = {
            i["case_id"]: i["subject_name"]
            for d in uow.decisions.of_round(w["round_id"])
            for i in uow.decisions.items(d["id"])
        }
    minutes = docx.Document(io.BytesIO(storage.objects[docs["minutes_docx"]["key"]]))
    body = "\n".join(p.text for p in minutes.paragraphs)
    assert "BIÊN BẢN HỌP HỘI ĐỒNG XÉT CÔNG NHẬN" in body and "NĂM 2026" in body
    assert "Thời gian: ngày 15 tháng 10 năm 2026." in body and "Địa điểm: Trụ sở Ủy ban nhân dân xã" in body
    assert "Chủ trì: Ông Lê Văn Sang, Chủ tịch Hội đồng." in body and "Thư ký: Bà Trần Thị Hà." in body
    assert "Thành viên có mặt: 3/4 thành viên, gồm:" in body
    for i, member in enumerate(["Ông Lê Văn Sang", "Bà Trần Thị Hà", "Ông Đỗ Văn Minh"], 1):
        assert f"{i}. {member}" in body
    assert "Thành viên vắng mặt: 1/4 thành viên, gồm:" in body and "1. Ông Phạm Văn Tú." in body
    assert "Người ghi biên bản vào hệ thống: can-bo-xa." in body
    rows = [[c.text for c in row.cells] for table in minutes.tables for row in table.rows]
    votes = [r for r in rows if r[0] == "1" and len(r) == 7]
    assert votes == [["1", names[w["families"][1]], "Gia đình học tập", "1", "2", "0", "Không thông qua"]]
    signatures = [r for r in rows if len(r) == 2 and "THƯ KÝ" in r[0]]
    assert signatures and "Bà Trần Thị Hà" in signatures[0][0] and "Ông Lê Văn Sang" in signatures[0][1]
    pdf = PdfReader(io.BytesIO(storage.objects[docs["minutes_pdf"]["key"]]))
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())  # cells wrap their words
    assert (
        "BIÊN BẢN HỌP HỘI ĐỒNG" in pdf_text
        and "Không thông qua" in pdf_text
        and "Ông Phạm Văn Tú" in pdf_text
    )
    # Each file's digest is that of the bytes stored, and the audit entry carries it.
    for kind in ("docx", "pdf", "minutes", "minutes_docx", "minutes_pdf"):
        assert docs[kind]["sha256"] == hashlib.sha256(storage.objects[docs[kind]["key"]]).hexdigest()
    ((after, evidence),) = _audit_after(w["engine"], "decision.documents_stored")
    assert sorted(evidence) == sorted(f["sha256"] for f in docs.values())
    assert after["minutes_pdf"] == {
        "key": docs["minutes_pdf"]["key"],
        "sha256": docs["minutes_pdf"]["sha256"],
    }
    # A retried activity stores nothing and audits nothing.
    written = len(storage.puts)
    again = round_documents.generate_decision_documents(w["uow"](), storage, decision_id=decision_id)
    assert again == docs and len(storage.puts) == written
    assert len(_audit_after(w["engine"], "decision.documents_stored")) == 1
    links = rounds.document_links(w["uow"](), round_id=w["round_id"], case_id=None)
    assert {link["kind"] for link in links} >= {"docx", "pdf", "minutes", "minutes_docx", "minutes_pdf"}


def _check_merged_certificates(
    w: dict[str, Any], storage: CountingStorage, decision_id: str, count: int, per_volume: int
) -> None:
    """Printable PDFs of the decision's certificates, in volumes of `per_volume`: a page each, in the
    annex's order, listed, their digests audited; the last page retried writes nothing."""
    import hashlib

    from pypdf import PdfReader

    with w["uow"]() as uow:
        documents = uow.decisions.get(decision_id)["documents"]
    sizes = [min(per_volume, count - start) for start in range(0, count, per_volume)]
    kinds = [round_documents.certificate_volume_kind(v) for v in range(1, len(sizes) + 1)]
    assert kinds[0] == "certificates_pdf" and sorted(
        k for k in documents if k.startswith("certificates_pdf")
    ) == sorted(kinds)
    texts = []
    for kind, size in zip(kinds, sizes, strict=True):
        merged = documents[kind]
        data = storage.objects[merged["key"]]
        assert (
            merged["sha256"] == hashlib.sha256(data).hexdigest() and merged["media_type"] == "application/pdf"
        )
        pages = PdfReader(io.BytesIO(data)).pages
        assert len(pages) == size
        texts += [p.extract_text() for p in pages]
    assert len(texts) == count and all("GIẤY CHỨNG NHẬN" in t for t in texts)
    ((after, evidence),) = _audit_after(w["engine"], "decision.certificates_merged")
    assert evidence == [documents[k]["sha256"] for k in kinds] and after["certificates"] == count
    links = rounds.document_links(w["uow"](), round_id=w["round_id"], case_id=None)
    listed = {link["kind"]: link["sha256"] for link in links if link["kind"].startswith("certificates_pdf")}
    assert listed == {k: documents[k]["sha256"] for k in kinds}
    written = len(storage.puts)
    cursor, n, done = round_documents.generate_certificate_page(
        w["uow"](), storage, decision_id=decision_id, after="", limit=count + 1
    )
    assert (n, done) == (0, True) and len(storage.puts) == written
    assert len(_audit_after(w["engine"], "decision.certificates_merged")) == 1


def test_the_decision_list_judges_dependencies_and_the_batch_decides_each_case_once(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Certificates merged in volumes of 10 here (500 in production): 28 make volumes of 10, 10 and 8.
    monkeypatch.setattr(round_documents, "CERTIFICATES_PER_VOLUME", 10)
    w, gateway = world, Gateway()
    # Last year's recognition of one household: this year is its second in a row.
    engine = w["engine"]
    first = w["families"][5]
    with engine.begin() as conn:
        subject = conn.execute(sa.select(t.cases.c.subject_id).where(t.cases.c.id == first)).scalar_one()
        conn.execute(
            t.cases.insert().values(
                id="case-2025",
                workflow_id="wf-case-2025",
                run_id="r",
                year=2025,
                title="learning_family",
                subject_id=subject,
                admin_unit_code=COMMUNE,
                status=lc.RECOGNISED,
                version=8,
                opened_by="t",
                created_at=sa.func.now(),
                updated_at=sa.func.now(),
            )
        )
        conn.execute(
            t.rounds.insert().values(
                id="r-2025",
                workflow_id="wf-2025",
                admin_unit_code=COMMUNE,
                year=2025,
                plan_code=PLAN,
                phase="closed",
                version=9,
                opened_by="t",
                created_at=sa.func.now(),
                updated_at=sa.func.now(),
            )
        )
        conn.execute(
            t.decisions.insert().values(
                id="d-2025",
                round_id="r-2025",
                title="learning_family",
                kind="recognition",
                number=3,
                symbol="QĐ-UBND",
                status="recorded",
                created_at=sa.func.now(),
                updated_at=sa.func.now(),
            )
        )
        conn.execute(
            t.recognitions.insert().values(
                id="rec-2025",
                subject_id=subject,
                subject_kind="household",
                title="learning_family",
                year=2025,
                case_id="case-2025",
                decision_id="d-2025",
                decision_number="03/QĐ-UBND",
                decided_on=date(2025, 12, 10),
                admin_unit_code=COMMUNE,
                streak=1,
                revoked=False,
            )
        )
    built = _through_signature(w, gateway)
    assert built.recognised + built.not_recognised == 33
    listed = decision_list.decision_list(
        w["uow"](),
        round_id=w["round_id"],
        title="learning_community_village",
        outcome=None,
        village=None,
        offset=0,
        limit=10,
    )["items"]
    by_village = {i["subject_id"]: i for i in listed}
    assert by_village[w["villages"][0]]["outcome"] == lc.RECOGNISED
    assert by_village[w["villages"][2]]["outcome"] == lc.NOT_RECOGNISED
    assert "50%" in by_village[w["villages"][2]]["reason"]
    page = decision_list.decision_list(
        w["uow"](),
        round_id=w["round_id"],
        title="learning_family",
        outcome=lc.NOT_RECOGNISED,
        village=None,
        offset=0,
        limit=10,
    )["items"]
    assert {i["case_id"] for i in page} == {
        w["families"][0],
        w["families"][1],
    }  # objection upheld; voted down

    with w["uow"]() as uow:
        decisions = uow.decisions.of_round(w["round_id"])
    assert [d["number"] for d in decisions] == [1, 2] and all(d["status"] == "signed" for d in decisions)
    family = next(d for d in decisions if d["title"] == "learning_family")
    cursor, told = "", []
    while True:
        page = decision_batch.record_decision_page(
            w["uow"](), inp=rc.DecisionPageInput(family["id"], cursor, 7)
        )
        again = decision_batch.record_decision_page(
            w["uow"](), inp=rc.DecisionPageInput(family["id"], cursor, 7)
        )
        assert (
            again.newly_recorded == 0 and again.workflow_ids == page.workflow_ids
        )  # a retried page: nothing
        told += page.workflow_ids
        cursor = page.next_after
        if page.done:
            break
    assert len(told) == 30 == len(set(told))
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(
                sa.select(t.cases.c.status, sa.func.count())
                .where(t.cases.c.title == "learning_family", t.cases.c.year == YEAR)
                .group_by(t.cases.c.status)
            ).all()
        )
        events = (
            conn.execute(sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "case.decided"))
            .scalars()
            .all()
        )
        audit = conn.execute(
            sa.select(t.audit.c.chain, sa.func.count())
            .where(t.audit.c.action == "case.decided")
            .group_by(t.audit.c.chain)
        ).all()
        streak = conn.execute(
            sa.select(t.recognitions.c.streak).where(t.recognitions.c.case_id == first)
        ).scalar_one()
    assert statuses == {lc.RECOGNISED: 28, lc.NOT_RECOGNISED: 2}
    assert len(events) == 30 and len(audit) == 30 and all(n == 1 for _, n in audit)
    assert streak == 2
    payload = json.loads(events[0])["payload"]
    assert {"case_id", "subject_id", "title", "year", "outcome", "decision_id"} <= set(payload)
    # What the notifications service routes on: the commune, the subject (its household) and its village.
    assert payload["admin_unit_code"] == COMMUNE and payload["village_code"] in w["villages"]
    # ... and whose case it is, by the name the decision list records (its notice says it)
    with w["uow"]() as uow:
        listed = uow.connection.execute(
            sa.select(t.decision_items.c.subject_name).where(t.decision_items.c.case_id == payload["case_id"])
        ).scalar_one()
    assert payload["subject_name"] == listed and listed

    storage = CountingStorage()
    docs = round_documents.generate_decision_documents(w["uow"](), storage, decision_id=family["id"])
    assert set(docs) == {"docx", "pdf", "minutes", "minutes_docx", "minutes_pdf"}
    _check_minutes(w, storage, docs, family["id"])
    document = docx.Document(io.BytesIO(storage.objects[docs["docx"]["key"]]))
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    text = "\n".join(" | ".join(r) for r in cells)
    assert "Thôn 1" in text and "Thôn 3" in text
    listed_rows = [r for r in cells if r[0].isdigit()]
    assert len(listed_rows) == 28  # every recognised household, numbered 1..28, none of the two refused
    assert [int(r[0]) for r in listed_rows] == list(range(1, 29))
    assert {r[2] for r in listed_rows} == {"Thôn 1", "Thôn 2", "Thôn 3"}
    body = "\n".join(p.text for p in document.paragraphs)
    assert f"Quyết định số {family['number']:02d}/QĐ-UBND ngày 15 tháng 12 năm 2026" in body
    assert "Chủ tịch Ủy ban nhân dân xã Triệu Sơn" in body
    assert "Biên bản họp Hội đồng" in body
    cursor, made = "", 0
    while True:
        cursor, n, done = round_documents.generate_certificate_page(
            w["uow"](), storage, decision_id=family["id"], after=cursor, limit=10
        )
        made += n
        if done:
            break
    assert made == 28
    _check_merged_certificates(w, storage, family["id"], 28, per_volume=10)
    links = rounds.document_links(w["uow"](), round_id=w["round_id"], case_id=w["families"][3])
    assert {link["kind"] for link in links} == {"certificate_docx", "certificate_pdf"}

    # A revocation later is a new decision: the earlier one is untouched, the recognition flagged.
    revoked_case = w["families"][3]
    chairman = Actor("chu-tich", "commune_chairman")
    with pytest.raises(ValidationFailed) as refused:  # a correction must say what it changes
        amendments.amend_decision(
            w["uow"](),
            storage,
            round_id=w["round_id"],
            decision_id=family["id"],
            kind="correction",
            reason="sai tên",
            changes=[],
            case_ids=[revoked_case],
            signer_name="Lê Văn Sang",
            signed_on=date(2027, 1, 20),
            actor=chairman,
        )
    assert refused.value.errors == {
        "changes": ["Bắt buộc với quyết định sửa đổi (correction): hãy nêu nội dung sửa đổi."]
    }
    assert refused.value.errors_en == {"changes": ["Required for a correction: list the changes."]}
    with pytest.raises(ValidationFailed) as refused:  # not recognised by that decision
        amendments.amend_decision(
            w["uow"](),
            storage,
            round_id=w["round_id"],
            decision_id=family["id"],
            kind="revocation",
            reason="x",
            changes=[],
            case_ids=[w["families"][0]],
            signer_name="Lê Văn Sang",
            signed_on=date(2027, 1, 20),
            actor=chairman,
        )
    stranger_case = w["families"][0]
    assert refused.value.errors == {
        "case_ids": [f"Quyết định {family['id']} không công nhận các hồ sơ: {stranger_case}."]
    }
    assert refused.value.errors_en == {
        "case_ids": [f"Decision {family['id']} did not recognise these cases: {stranger_case}."]
    }
    with pytest.raises(ValidationFailed) as refused:  # dated before the decision it amends
        amendments.amend_decision(
            w["uow"](),
            storage,
            round_id=w["round_id"],
            decision_id=family["id"],
            kind="revocation",
            reason="x",
            changes=[],
            case_ids=[revoked_case],
            signer_name="Lê Văn Sang",
            signed_on=date(2026, 12, 1),
            actor=chairman,
        )
    assert refused.value.errors["signed_on"][0].startswith(
        "Ngày ký 2026-12-01 trước ngày ký của quyết định được sửa đổi ("
    )
    assert refused.value.errors_en["signed_on"][0].startswith(
        "The signing date 2026-12-01 is before the amended decision's ("
    )
    amended = amendments.amend_decision(
        w["uow"](),
        storage,
        round_id=w["round_id"],
        decision_id=family["id"],
        kind="revocation",
        reason="hồ sơ minh chứng không đúng thực tế",
        changes=[],
        case_ids=[revoked_case],
        signer_name="Lê Văn Sang",
        signed_on=date(2027, 1, 20),
        actor=chairman,
    )
    assert amended["amends_id"] == family["id"] and amended["number"] == 3
    with engine.connect() as conn:
        (revoked_body,) = conn.execute(
            sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "recognition.revoked")
        ).scalars()
    revoked_event = json.loads(revoked_body)["payload"]
    assert revoked_event["admin_unit_code"] == COMMUNE and revoked_event["village_code"] in w["villages"]
    assert revoked_event["decision_number"] == "03/QĐ-UBND" and revoked_event["subject_id"]
    assert revoked_event["subject_code"] and revoked_event["subject_name"]  # whose title, for the village
    revocation = docx.Document(io.BytesIO(storage.objects[amended["documents"]["docx"]["key"]]))
    assert "thu hồi" in "\n".join(p.text for p in revocation.paragraphs)
    with w["uow"]() as uow:
        stored = uow.decisions.get(family["id"])["documents"]
        volumes = {k: v for k, v in stored.items() if k.startswith("certificates_pdf")}
        assert {**docs, **volumes} == stored  # the earlier one is not edited
        history = [e.action for e in uow.audit.entries(f"case:{revoked_case}")]
    assert history[-2:] == ["certificate.issued", "decision.revocation"]
    with pytest.raises(InvalidTransition):
        amendments.amend_decision(
            w["uow"](),
            storage,
            round_id=w["round_id"],
            decision_id=family["id"],
            kind="revocation",
            reason="x",
            changes=[],
            case_ids=[revoked_case],
            signer_name="Lê Văn Sang",
            signed_on=date(2027, 1, 21),
            actor=chairman,
        )

    # The same request again (a double submit) gives back the decision it issued; nothing new is written.
    def amend(store: Any = storage, **changed: Any) -> dict[str, Any]:
        request = {
            "decision_id": family["id"],
            "kind": "revocation",
            "reason": "hồ sơ minh chứng không đúng thực tế",
            "changes": [],
            "case_ids": [revoked_case],
            "signer_name": "Lê Văn Sang",
            "signed_on": date(2027, 1, 20),
            **changed,
        }
        return amendments.amend_decision(w["uow"](), store, round_id=w["round_id"], actor=chairman, **request)

    def written() -> tuple[int, int, int]:
        with engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (t.decisions, t.outbox, t.audit)
            )

    before = written()
    again = amend()
    assert (again["id"], again["number"], again["created"]) == (amended["id"], 3, False)
    assert again["documents"] == amended["documents"] and written() == before

    # A number taken by another decision between the check and the write: the next one is claimed.
    rival = RivalStorage(storage.objects, engine, COMMUNE, YEAR, rounds_to_win=1)
    fix = {"kind": "correction", "changes": ["Sửa họ tên chủ hộ"], "case_ids": [w["families"][4]]}
    corrected = amend(rival, **fix)
    assert (corrected["number"], corrected["created"]) == (5, True)  # 4 went to the rival
    assert corrected["documents"]["docx"]["key"].endswith(f"05-correction-{corrected['id'][:8]}.docx")
    with pytest.raises(Conflict):  # beaten every time: a clear 409, and nothing of ours written
        amend(RivalStorage(storage.objects, engine, COMMUNE, YEAR, rounds_to_win=99), **fix, reason="khác")
    with w["uow"]() as uow:
        assert not uow.decisions.claim_number(COMMUNE, YEAR, 5, "another-decision")  # 5 is given: refused
    assert written()[0] == before[0] + 1

    # Two revocations of one recognition racing: the other one is written between our check and our
    # write. Ours loses the number claim, checks again and is refused whole (no decision, no event, no
    # audit entry of it); the write itself is conditional too (a revoked recognition is not revoked again).
    raced = w["families"][6]
    rival_revocation = RivalRevocation(storage.objects, lambda: amend(case_ids=[raced], reason="trùng hồ sơ"))
    mid = written()
    with pytest.raises(InvalidTransition):
        amend(rival_revocation, case_ids=[raced], reason="khai không đúng")
    with engine.connect() as conn:
        revoked_events = [
            json.loads(b)["payload"]
            for b in conn.execute(
                sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "recognition.revoked")
            ).scalars()
        ]
    assert [e["reason"] for e in revoked_events if e["case_id"] == raced] == ["trùng hồ sơ"]
    assert written()[0] == mid[0] + 1  # the rival's decision only
    with w["uow"]() as uow:
        (raced_recognition,) = [
            r for r in uow.decisions.recognitions_of(family["id"]) if r["case_id"] == raced
        ]
        assert raced_recognition["revoked"]
        assert not uow.decisions.revoke_recognition(raced_recognition["id"], revoked_by=family["id"])

    # GET /recognitions: in scope, out of scope, filters, bad input.
    common = CommonSettings(
        broker_url="memory://",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key=SECRET,
    )
    app = create_app(Settings(database_url=w["url"], common=common))
    api = app.test_client()

    def who(role: str, scope: str | None, path: str) -> dict[str, str]:
        return bearer(
            SECRET, Principal(user_id=role, username=role, role=role, scope_code=scope, scope_path=path)
        )

    with w["uow"]() as uow:
        commune_path = uow.admin_units.get(COMMUNE).path
        other = uow.connection.execute(
            sa.select(t.admin_units.c.code, t.admin_units.c.path).where(
                t.admin_units.c.level == "commune", t.admin_units.c.code != COMMUNE
            )
        ).first()
    # Over HTTP: 201 for the amending decision, 200 with the same decision when the request is sent again.
    amend_url = f"/rounds/{w['round_id']}/amendments"
    body = {
        "decision_id": family["id"],
        "kind": "correction",
        "reason": "Sai năm sinh",
        "changes": ["Sửa năm sinh của chủ hộ"],
        "case_ids": [w["families"][5]],
        "signer_name": "Lê Văn Sang",
        "signed_on": "2027-02-01",
    }
    chair = who("commune_chairman", COMMUNE, commune_path)
    app.extensions["evaluation"].storage = FakeStorage()
    first, second = (
        api.post(amend_url, json=body, headers=chair),
        api.post(amend_url, json=body, headers=chair),
    )
    assert (first.status_code, second.status_code) == (201, 200), first.get_json()
    assert (
        first.get_json() == second.get_json() and first.get_json()["number_text"] == "10/QĐ-UBND"
    )  # 6–8 went to the rival, 9 to the racing revocation
    r = api.get(
        "/recognitions",
        query_string={"title": "learning_family", "page_size": 10},
        headers=who("auditor", COMMUNE, commune_path),
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (
        body["total"] == 29 and len(body["items"]) == 10 and body["page"] == 1
    )  # 28 this year + 1 last year
    r = api.get(
        "/recognitions",
        query_string={"year_from": 2026, "page": 3, "page_size": 10},
        headers=who("administrator", None, ""),
    )
    assert (
        r.get_json()["total"] == 28 and len(r.get_json()["items"]) == 8
    )  # the community decision is not recorded
    r = api.get("/recognitions", query_string={"subject_id": subject}, headers=who("administrator", None, ""))
    assert [(i["year"], i["revoked"]) for i in r.get_json()["items"]] == [(2026, False), (2025, False)]
    with engine.connect() as conn:
        gone = conn.execute(
            sa.select(t.recognitions.c.subject_id).where(t.recognitions.c.case_id == revoked_case)
        ).scalar_one()
    r = api.get("/recognitions", query_string={"subject_id": gone}, headers=who("administrator", None, ""))
    assert [i["revoked"] for i in r.get_json()["items"]] == [True]
    r = api.get("/recognitions", headers=who("village_officer", other.code, other.path))
    assert r.status_code == 200 and r.get_json()["total"] == 0  # another commune sees none of these
    assert (
        api.get(
            "/recognitions",
            query_string={"admin_unit": COMMUNE},
            headers=who("village_officer", other.code, other.path),
        ).status_code
        == 404
    )
    assert (
        api.get("/recognitions", headers=who("household_representative", COMMUNE, commune_path)).status_code
        == 403
    )
    assert api.get("/recognitions").status_code == 401
    for bad in (
        {"year_from": 2027, "year_to": 2026},
        {"title": "khác"},
        {"page": 0},
        {"page_size": 501},
        {"year_from": "x"},
    ):
        r = api.get("/recognitions", query_string=bad, headers=who("administrator", None, ""))
        assert r.status_code == 422, (bad, r.status_code)
        assert r.get_json()["errors"]


def test_objections_only_during_the_posting_and_bad_minutes_refused(world: dict[str, Any]) -> None:
    w, gateway = world, Gateway()
    actor = Actor("can-bo-xa", "commune_association_officer")
    with pytest.raises(InvalidTransition):
        round_steps.file_objection(
            w["uow"](), gateway, round_id=w["round_id"], actor=actor, filed_by="x", content="y", case_id=None
        )
    decision_list.build_decision_list(w["uow"](), round_id=w["round_id"])
    _phase(
        w,
        rc.POSTING,
        2,
        at="2026-10-01T08:00:00+07:00",
        posting_days=5,
        posting_working_days=True,
        days_off=[],
    )
    with w["uow"]() as uow:
        assert uow.rounds.get(w["round_id"])["objections_close"] == date(2026, 10, 8)  # 5 working days
    with pytest.raises(ValidationFailed) as refused:
        round_steps.file_objection(
            w["uow"](),
            gateway,
            round_id=w["round_id"],
            actor=actor,
            filed_by="x",
            content="y",
            case_id=str(uuid.uuid4()),
            now=IN_POSTING,
        )
    [reason_en] = refused.value.errors_en["case_id"]
    assert reason_en.endswith("' is not in this round (another unit or year).")
    assert refused.value.errors["case_id"][0].endswith("' không thuộc đợt xét này (khác đơn vị hoặc năm).")
    _phase(w, rc.COUNCIL, 3)
    no_quorum = rc.CouncilMinutes(
        met_on="2026-10-15", chair="a", secretary="b", attendance=["a"], absent=["c", "d"], votes=[]
    )
    with pytest.raises(ValidationFailed) as refused:
        round_steps.record_council(
            w["uow"](),
            inp=rc.CouncilRecordInput(
                w["round_id"], 4, rc.CouncilInput("x", "commune_association_officer", 3, no_quorum)
            ),
        )
    assert refused.value.errors == {"attendance": ["Cần quá nửa số thành viên có mặt: 1 có mặt, 2 vắng mặt."]}
    assert refused.value.errors_en == {
        "attendance": ["More than half the members must attend: 1 present, 2 absent."]
    }
    stranger = rc.CouncilMinutes(
        met_on="2026-10-15",
        chair="a",
        secretary="b",
        attendance=["a", "b"],
        absent=[],
        votes=[rc.Vote("not-on-the-list", 2, 0)],
    )
    with pytest.raises(ValidationFailed) as refused:
        round_steps.record_council(
            w["uow"](),
            inp=rc.CouncilRecordInput(
                w["round_id"], 4, rc.CouncilInput("x", "commune_association_officer", 3, stranger)
            ),
        )
    assert refused.value.errors == {
        "votes": ["Hồ sơ 'not-on-the-list' không có trong danh sách đề nghị của đợt."]
    }
    assert refused.value.errors_en == {"votes": ["Case 'not-on-the-list' is not on the round's list."]}
    too_many = rc.CouncilMinutes(
        met_on="2026-10-15",
        chair="a",
        secretary="b",
        attendance=["a", "b"],
        absent=[],
        votes=[rc.Vote(w["families"][2], 2, 1)],
    )
    with pytest.raises(ValidationFailed) as refused:
        round_steps.record_council(
            w["uow"](),
            inp=rc.CouncilRecordInput(
                w["round_id"], 4, rc.CouncilInput("x", "commune_association_officer", 3, too_many)
            ),
        )
    voted = w["families"][2]
    assert refused.value.errors == {
        "votes": [f"Hồ sơ '{voted}': số phiếu không được âm và tổng không vượt quá 2 thành viên có mặt."]
    }
    assert refused.value.errors_en == {
        "votes": [f"Case '{voted}': votes cannot be negative nor total more than the 2 members present."]
    }
    with w["uow"]() as uow:
        assert uow.rounds.get(w["round_id"])["council"] is None  # nothing half-written
    assert gateway.signals == []


def test_the_posting_window_comes_from_the_plan(tmp_path: Path) -> None:
    from services.evaluation.documents.plans import PLANS_DIR, load_plan, parse_plan_yaml, plan_to_yaml
    from services.evaluation.service import plans

    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    uow = lambda: SqlUnitOfWork(make_engine(url))  # noqa: E731
    schedule = rounds.round_schedule(uow(), admin_unit_code=COMMUNE, year=YEAR, plan_code=PLAN)
    assert (schedule.posting_days, schedule.posting_working_days) == (
        5,
        True,
    )  # the default: the seed states none
    raw = parse_plan_yaml((PLANS_DIR / f"{PLAN}.yaml").read_text(encoding="utf-8"))
    raw["version"] = 2
    raw["calendar"]["public_posting"] = {"days": 10, "working_days": False, "source": "V.7.d"}
    plans.upload_plan(uow(), document=plan_to_yaml(load_plan(raw)), uploaded_by="t")
    plans.activate_plan(uow(), code=PLAN, version=2)
    schedule = rounds.round_schedule(uow(), admin_unit_code=COMMUNE, year=YEAR, plan_code=PLAN)
    assert (schedule.posting_days, schedule.posting_working_days) == (10, False)
    del raw["calendar"]["public_posting"]  # a version written before the field: the default
    raw["version"] = 3
    plans.upload_plan(uow(), document=plan_to_yaml(load_plan(raw)), uploaded_by="t")
    plans.activate_plan(uow(), code=PLAN, version=3)
    schedule = rounds.round_schedule(uow(), admin_unit_code=COMMUNE, year=YEAR, plan_code=PLAN)
    assert (schedule.posting_days, schedule.posting_working_days) == (
        rounds.DEFAULT_POSTING_DAYS,
        rounds.DEFAULT_POSTING_WORKING_DAYS,
    )


def test_the_end_of_supplementary_decisions_comes_from_the_plan(tmp_path: Path) -> None:
    from services.evaluation.documents.plans import PLANS_DIR, load_plan, parse_plan_yaml, plan_to_yaml
    from services.evaluation.service import plans

    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    uow = lambda: SqlUnitOfWork(make_engine(url))  # noqa: E731
    schedule = rounds.round_schedule(uow(), admin_unit_code=COMMUNE, year=YEAR, plan_code=PLAN)
    assert schedule.supplements_until == f"{YEAR}-12-31T23:59:59+07:00"  # the seed states none: 31/12
    raw = parse_plan_yaml((PLANS_DIR / f"{PLAN}.yaml").read_text(encoding="utf-8"))
    raw["version"] = 2
    raw["calendar"]["supplementary_until"] = {"day": "15/12", "source": "V.7.e"}
    plans.upload_plan(uow(), document=plan_to_yaml(load_plan(raw)), uploaded_by="t")
    plans.activate_plan(uow(), code=PLAN, version=2)
    schedule = rounds.round_schedule(uow(), admin_unit_code=COMMUNE, year=YEAR, plan_code=PLAN)
    assert schedule.supplements_until == f"{YEAR}-12-15T23:59:59+07:00"
    raw["version"] = 3
    raw["calendar"]["supplementary_until"] = {"day": "30/09"}  # before quarter IV: refused on upload
    with pytest.raises(ValidationFailed) as refused:
        plans.upload_plan(uow(), document=yaml.safe_dump(raw, allow_unicode=True), uploaded_by="t")
    assert (refused.value.status, list(refused.value.errors)) == (422, ["calendar.supplementary_until.day"])


def test_the_supplements_open_entry_carries_the_workflows_end(world: dict[str, Any]) -> None:
    w = world
    _phase(w, rc.REVIEWING, 2)
    with w["uow"]() as uow:
        uow.rounds.update(w["round_id"], phase=rc.DOCUMENTS, version=9)
        uow.commit()
    _phase(w, rc.SUPPLEMENTARY, 10, recorded=0, supplements_until=f"{YEAR}-12-15T23:59:59+07:00")
    with w["uow"]() as uow:
        entries = uow.audit.entries(f"round:{w['round_id']}")
    (entry,) = [e for e in entries if e.action == "round.supplements_open"]
    assert entry.after["supplements_until"] == f"{YEAR}-12-15T23:59:59+07:00"


def test_a_posting_of_0_days_takes_no_objection_and_goes_to_the_council_at_once(
    world: dict[str, Any],
) -> None:
    # `public_posting: {days: 0}`: the list is posted with no objection period. The window's last day is
    # the day before the posting, already over: the workflow does not wait, and no objection is taken.
    w, gateway = world, Gateway()
    decision_list.build_decision_list(w["uow"](), round_id=w["round_id"])
    _phase(w, rc.REVIEWING, 2)
    result = _phase(
        w,
        rc.POSTING,
        3,
        at="2026-10-01T08:00:00+07:00",
        posting_days=0,
        posting_working_days=False,
        days_off=[],
    )
    assert result.objections_close == "2026-09-30T23:59:59+07:00"
    assert datetime.fromisoformat(result.objections_close) < datetime.fromisoformat(
        "2026-10-01T08:00:00+07:00"
    )
    with w["uow"]() as uow:
        rnd = uow.rounds.get(w["round_id"])
        assert (rnd["posting_starts"], rnd["objections_close"]) == (date(2026, 10, 1), date(2026, 9, 30))
    posted_at = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 08:00 on 1/10 in Vietnam, as the list goes up
    with pytest.raises(InvalidTransition):
        round_steps.file_objection(
            w["uow"](),
            gateway,
            round_id=w["round_id"],
            actor=Actor("can-bo-xa", "commune_association_officer"),
            filed_by="a",
            content="b",
            case_id=None,
            now=posted_at,
        )
    assert _phase(w, rc.COUNCIL, 4).moved
    assert gateway.signals == []


def test_objections_close_with_their_window_and_an_open_one_holds_the_council(world: dict[str, Any]) -> None:
    w, gateway = world, Gateway()
    actor = Actor("can-bo-xa", "commune_association_officer")
    decision_list.build_decision_list(w["uow"](), round_id=w["round_id"])
    _phase(w, rc.REVIEWING, 2)
    _phase(
        w,
        rc.POSTING,
        3,
        at="2026-10-01T08:00:00+07:00",
        posting_days=5,
        posting_working_days=True,
        days_off=[],
    )
    last_minute = datetime(2026, 10, 8, 16, 59, tzinfo=UTC)  # 23:59 on 8/10 in Vietnam: still open
    obj = round_steps.file_objection(
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        actor=actor,
        filed_by="a",
        content="b",
        case_id=None,
        now=last_minute,
    )
    with w["uow"]() as uow:
        before = len(uow.audit.entries(f"round:{w['round_id']}"))
    with pytest.raises(InvalidTransition) as refused:  # 00:00 on 9/10 in Vietnam: closed
        round_steps.file_objection(
            w["uow"](),
            gateway,
            round_id=w["round_id"],
            actor=actor,
            filed_by="a",
            content="c",
            case_id=None,
            now=datetime(2026, 10, 8, 17, 0, tzinfo=UTC),
        )
    assert "08/10/2026" in refused.value.message_vi and "2026-10-08" in str(refused.value)
    with w["uow"]() as uow:
        assert len(uow.rounds.objections(w["round_id"])) == 1  # nothing written, nothing audited
        assert len(uow.audit.entries(f"round:{w['round_id']}")) == before
    # The events the notifications route: the list posted (to each village) and the objection filed.
    with w["engine"].connect() as conn:
        bodies = {
            kind: [
                json.loads(b)["payload"]
                for b in conn.execute(
                    sa.select(t.outbox.c.body).where(t.outbox.c.event_type == kind)
                ).scalars()
            ]
            for kind in ("round.posted", "objection.filed")
        }
    (posted,) = bodies["round.posted"]
    assert posted["admin_unit_code"] == COMMUNE and set(w["villages"]) <= set(posted["village_codes"])
    assert posted["objections_close"] == "2026-10-08"
    (filed,) = bodies["objection.filed"]
    assert (filed["admin_unit_code"], filed["objection_id"], filed["actor"]) == (
        COMMUNE,
        obj["id"],
        "can-bo-xa",
    )
    # The objection filed in time is still open: the move to council is refused, atomically, and later taken.
    held = _phase(w, rc.COUNCIL, 4)
    assert not held.moved
    with w["uow"]() as uow:
        rnd = uow.rounds.get(w["round_id"])
        assert (rnd["phase"], rnd["version"]) == (rc.POSTING, 3)
        assert not uow.has_event(rounds._round_event(rnd, "round.council_due", version=4).id)
    round_steps.resolve_objection(  # handled after the window closed: allowed until the council sits
        w["uow"](),
        gateway,
        round_id=w["round_id"],
        objection_id=obj["id"],
        actor=actor,
        resolution="Không có căn cứ",
        upheld=False,
        expected_version=1,
    )
    assert _phase(w, rc.COUNCIL, 4).moved
    with w["uow"]() as uow:
        assert uow.rounds.get(w["round_id"])["phase"] == rc.COUNCIL


def test_recording_or_printing_a_decision_that_is_unknown_or_unsigned_is_refused_naming_decision_id(
    world: dict[str, Any],
) -> None:
    """The batch and the documents take signed decisions only: a draft or an id the round never had is a
    final refusal naming `decision_id` (both languages), with nothing recorded or stored."""
    decision_list.build_decision_list(world["uow"](), round_id=world["round_id"])
    with world["uow"]() as uow:
        decisions = uow.decisions.of_round(world["round_id"])
    assert decisions and {d["status"] for d in decisions} == {"draft"}
    drafts = [d["id"] for d in decisions]
    engine = world["engine"]

    def written() -> list[int]:
        with engine.connect() as conn:
            counts = [
                int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for table in (t.recognitions, t.outbox, t.audit)
            ]
            recorded = conn.execute(
                sa.select(sa.func.count()).select_from(t.decision_items).where(t.decision_items.c.recorded)
            ).scalar_one()
        return [*counts, int(recorded)]

    before = written()
    storage = FakeStorage({})
    for decision_id in ("nope", drafts[0]):
        refusals = []
        with pytest.raises(ValidationFailed) as refused:
            decision_batch.record_decision_page(
                world["uow"](), inp=rc.DecisionPageInput(decision_id=decision_id, after="", limit=10)
            )
        refusals.append(refused.value)
        with pytest.raises(ValidationFailed) as refused:
            round_documents.generate_decision_documents(world["uow"](), storage, decision_id=decision_id)
        refusals.append(refused.value)
        for exc in refusals:
            assert (exc.status, exc.code) == (422, "validation_failed")
            assert exc.message_for(english=False) == "Quyết định chưa được ký."
            assert exc.message_for(english=True) == "The decision is not signed."
            assert exc.errors_for(english=False) == {
                "decision_id": [f"Quyết định '{decision_id}' chưa được ký hoặc không tồn tại."]
            }
            assert exc.errors_for(english=True) == {
                "decision_id": [f"Decision '{decision_id}' is not signed or does not exist."]
            }
    assert written() == before and storage.objects == {}
