"""Evaluation API on a temporary SQLite database, with Temporal and S3 pointed at closed ports:
bad input gets 422 with the field, an unreachable dependency 503 naming it, and nothing is half-written."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from common.db import make_engine
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service import cases
from tests.conftest import HCMC_WARD, free_port, seed_reference_data
from tests.signin import FAST_ARGON2, add_household, sign_in
from workflows.recognition import contracts as c

# HH-1 is a household of the ward's register (the `settings` fixture registers it).
VALID = {"year": 2026, "title": "learning_family", "subject_id": "HH-1", "admin_unit_code": HCMC_WARD}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    add_household(url, commune_code=HCMC_WARD, code="HH-1", household_id=VALID["subject_id"])
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
    )
    return Settings(database_url=url, common=common, max_upload_bytes=64 * 1024, **FAST_ARGON2)


@pytest.fixture
def api(settings: Settings) -> FlaskClient:
    """A client signed in as the city's administrator (every request carries the token)."""
    client = create_app(settings).test_client()
    headers = sign_in(client, settings.database_url, role="administrator", scope_code="79")
    client.environ_base["HTTP_AUTHORIZATION"] = headers["Authorization"]
    return client


@pytest.fixture
def count_rows(settings: Settings) -> Callable[[sa.Table], int]:
    engine = make_engine(settings.database_url)

    def count(table: sa.Table) -> int:
        with engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())

    return count


@pytest.fixture
def existing_case(settings: Settings) -> str:
    inp = c.CaseOpenedInput(
        case_id="case-1",
        workflow_id="recognition/2026/learning_family/HH-1",
        run_id="r1",
        year=2026,
        title="learning_family",
        subject_id="HH-1",
        admin_unit_code=HCMC_WARD,
        opened_by="test",
    )
    cases.record_case_opened(SqlUnitOfWork(make_engine(settings.database_url)), inp=inp)
    return inp.case_id


def test_malformed_json_is_a_422_on_the_body(api: FlaskClient) -> None:
    r = api.post("/cases", data='{"year": 2026,', content_type="application/json")
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"json": ["Nội dung JSON không hợp lệ."]}
    english = api.post(
        "/cases", data='{"year": 2026,', content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert english.get_json()["errors"] == {"json": ["Invalid JSON body."]}


def test_unknown_fields_and_wrong_types_are_named(api: FlaskClient) -> None:
    r = api.post("/cases", json={**VALID, "year": "năm nay", "colour": "red"})
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "validation_error"
    assert set(body["errors"]["json"]) == {"year", "colour"}
    assert body["message"] == "Dữ liệu không hợp lệ."
    # the field reasons in the caller's language too (marshmallow writes them in English)
    assert body["errors"]["json"] == {
        "year": ["Không phải số nguyên hợp lệ."],
        "colour": ["Trường này không có trong yêu cầu hợp lệ."],
    }
    english = api.post(
        "/cases", json={**VALID, "year": "năm nay", "colour": "red"}, headers={"Accept-Language": "en"}
    ).get_json()
    assert english["message"] == "Invalid input."
    assert english["errors"]["json"] == {"year": ["Not a valid integer."], "colour": ["Unknown field."]}


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("page_size=10", "page_size", "Trường này không có trong yêu cầu hợp lệ."),  # /tasks pages by limit
        ("limit=abc", "limit", "Không phải số nguyên hợp lệ."),
        ("limit=0", "limit", "Phải lớn hơn hoặc bằng 1 và nhỏ hơn hoặc bằng 200."),
        ("offset=-1", "offset", "Phải lớn hơn hoặc bằng 0 và nhỏ hơn hoặc bằng 2147483647."),
        ("status=bogus", "status", None),
        ("title=learning_village", "title", None),
        ("mine=maybe", "mine", "Không phải giá trị đúng/sai hợp lệ."),
        ("village=%20%20", "village", "Độ dài phải từ 1 đến 40."),  # spaces only filtered on nothing
    ],
)
def test_bad_query_parameters_are_named_not_ignored(
    api: FlaskClient, query: str, field: str, reason: str | None
) -> None:
    r = api.get(f"/tasks?{query}")
    body = r.get_json()
    assert r.status_code == 422 and body["message"] == "Dữ liệu không hợp lệ."
    assert list(body["errors"]["query"]) == [field]
    if reason is not None:
        assert body["errors"]["query"][field] == [reason]
    english = api.get(f"/tasks?{query}", headers={"Accept-Language": "en"}).get_json()
    assert list(english["errors"]["query"]) == [field]
    assert api.get("/tasks?limit=5&status=village_review&mine=true").status_code == 200
    village = f"{HCMC_WARD}.T1"  # HH-1's (add_household's default)
    assert api.get(f"/tasks?village=%20{village}%20").status_code == 200  # a code pasted with spaces
    refused = api.get("/tasks?village=T1").get_json()  # a village's own code, without its commune's
    assert refused["status"] == 422 and refused["errors"] == {
        "village": ["Không có thôn mang mã 'T1' trong phạm vi của bạn."]
    }


def test_framework_refusals_are_in_the_envelope_in_vietnamese(api: FlaskClient) -> None:
    r = api.delete("/cases/nope")
    assert (r.status_code, r.get_json()["code"]) == (405, "method_not_allowed")
    assert r.get_json()["message"] == "Địa chỉ này không nhận phương thức yêu cầu."
    r = api.get("/no-such-page")
    assert r.get_json() == {
        "status": 404,
        "code": "not_found",
        "message": "Không tìm thấy địa chỉ được yêu cầu.",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year", 2019),
        ("year", 2031),
        ("title", "learning_village"),
        ("subject_id", ""),
        ("admin_unit_code", "HN"),
    ],
)
def test_out_of_range_values_are_refused(api: FlaskClient, field: str, value: object) -> None:
    r = api.post("/cases", json={**VALID, field: value})
    assert r.status_code == 422
    assert list(r.get_json()["errors"]["json"]) == [field]


def test_missing_fields_are_each_listed(api: FlaskClient) -> None:
    r = api.post("/cases", json={})
    assert r.get_json()["errors"]["json"] == {field: ["Thiếu dữ liệu bắt buộc."] for field in VALID}


def test_an_unknown_case_is_404_in_the_envelope(api: FlaskClient) -> None:
    r = api.get("/cases/nope", headers={"Accept-Language": "en"})
    assert r.status_code == 404
    assert r.get_json() == {"code": "not_found", "status": 404, "message": "Case nope not found."}


def test_health_names_each_unreachable_dependency(api: FlaskClient) -> None:
    r = api.get("/health")
    body = r.get_json()
    assert r.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"
    assert body["checks"]["temporal"].startswith("unavailable")
    assert body["checks"]["object_store"].startswith("unavailable")


def test_opening_a_case_with_temporal_down_is_503_and_writes_nothing(api: FlaskClient, count_rows) -> None:
    r = api.post("/cases", json=VALID)
    assert r.status_code == 503
    body = r.get_json()
    assert body["code"] == "dependency_unavailable" and body["errors"]["dependency"] == "temporal"
    assert count_rows(t.cases) == 0 and count_rows(t.outbox) == 0


def _upload(
    api: FlaskClient, case_id: str, content: bytes, name: str = "minh chứng.pdf", headers: dict | None = None
):
    return api.post(
        f"/cases/{case_id}/evidence",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_evidence_for_an_unknown_case_is_404(api: FlaskClient) -> None:
    assert _upload(api, "nope", b"%PDF-1.4\n").status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "empty.pdf", "empty"),
        (
            b"\x7fELF\x02\x01\x01" + b"\0" * 64,
            "bao-cao.pdf",
            "not accepted",
        ),  # an executable dressed as a PDF
        (b"MZ\x90\x00" + b"\0" * 64, "anh.jpg", "not accepted"),  # a Windows program
        (b"just some text", "ghi-chu.pdf", "Unrecognised"),
        (b"%PDF-1.4\n", "../..", "file name"),
        (b"%PDF-1.4\n" + b"x" * 70 * 1024, "big.pdf", "limit"),
    ],
    ids=["empty", "elf-as-pdf", "exe-as-jpg", "text-as-pdf", "path-traversal-name", "oversize"],
)
def test_bad_evidence_is_refused_with_a_reason_and_nothing_stored(
    api: FlaskClient, existing_case: str, count_rows, content: bytes, name: str, reason: str
) -> None:
    r = (
        _upload(api, existing_case, content, name)
        if reason != "limit"
        else _upload(api, existing_case, content)
    )
    assert r.status_code in (413, 422), r.get_json()
    if r.status_code == 422:
        assert "file" in r.get_json()["errors"]
        en = api.post(
            f"/cases/{existing_case}/evidence",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
            headers={"Accept-Language": "en"},
        )
        assert reason.lower() in en.get_json()["message"].lower()
    assert count_rows(t.evidence) == 0


def test_evidence_over_the_configured_limit_is_refused_naming_the_file_and_nothing_is_stored(
    api: FlaskClient, settings: Settings, existing_case: str, count_rows
) -> None:
    """The limit here is 64 KB (the `settings` fixture); the object store is down, so a file that got
    past the limit would answer 503, not 422."""
    big = b"%PDF-1.4\n" + b"x" * 70 * 1024
    r = _upload(api, existing_case, big)
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "validation_failed", body
    assert body["message"] == "Tệp vượt quá giới hạn 64 KB."
    assert body["errors"] == {"file": ["Tệp vượt quá giới hạn 64 KB."]}
    english = _upload(api, existing_case, big, headers={"Accept-Language": "en"}).get_json()
    assert english["message"] == "The file exceeds the 64 KB limit."
    assert english["errors"] == {"file": ["The file exceeds the 64 KB limit."]}
    assert count_rows(t.evidence) == 0 and count_rows(t.outbox) == 1  # case.opened only
    # A limit of whole megabytes is worded in MB.
    megabyte = create_app(dataclasses.replace(settings, max_upload_bytes=1024 * 1024)).test_client()
    megabyte.environ_base["HTTP_AUTHORIZATION"] = api.environ_base["HTTP_AUTHORIZATION"]
    r = _upload(megabyte, existing_case, b"%PDF-1.4\n" + b"x" * 1024 * 1024)
    assert r.status_code == 422 and r.get_json()["errors"] == {"file": ["Tệp vượt quá giới hạn 1 MB."]}
    assert count_rows(t.evidence) == 0


def test_evidence_for_an_indicator_the_criteria_set_lacks_is_refused_before_it_is_stored(
    api: FlaskClient, settings: Settings, existing_case: str, count_rows
) -> None:
    with SqlUnitOfWork(make_engine(settings.database_url)) as uow:
        uow.progress.upsert(existing_case, criteria_set_key="gia-dinh-hoc-tap@2023.1")
        uow.commit()
    upload = {"file": (io.BytesIO(b"%PDF-1.4\n"), "a.pdf"), "indicator_code": "9.9"}
    r = api.post(f"/cases/{existing_case}/evidence", data=upload, content_type="multipart/form-data")
    assert r.status_code == 422
    assert r.get_json()["errors"] == {
        "indicator_code": ["Không có trong bộ tiêu chí gia-dinh-hoc-tap@2023.1."]
    }
    upload = {"file": (io.BytesIO(b"%PDF-1.4\n"), "a.pdf"), "indicator_code": "9.9"}
    en = api.post(
        f"/cases/{existing_case}/evidence",
        data=upload,
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    ).get_json()
    assert en["message"] == "Criteria set gia-dinh-hoc-tap@2023.1 has no indicator '9.9'."
    assert count_rows(t.evidence) == 0
    # A code the set has passes the check and goes on to the object store (down here: 503)
    upload = {"file": (io.BytesIO(b"%PDF-1.4\n"), "a.pdf"), "indicator_code": "1.1"}
    ok = api.post(f"/cases/{existing_case}/evidence", data=upload, content_type="multipart/form-data")
    assert ok.status_code == 503
    # and so does evidence filed under no indicator (the dossier as a whole)
    assert _upload(api, existing_case, b"%PDF-1.4\n").status_code == 503


@pytest.mark.parametrize("status", ["awaiting_decision", "recognised", "not_recognised", "withdrawn"])
def test_a_case_passed_on_to_the_decision_takes_no_more_evidence(
    api: FlaskClient, settings: Settings, existing_case: str, count_rows, status: str
) -> None:
    """Refused before the file is read or stored (the object store here is down: a 409, not a 503)."""
    with make_engine(settings.database_url).begin() as db:
        db.execute(t.cases.update().where(t.cases.c.id == existing_case).values(status=status))
    r = _upload(api, existing_case, b"%PDF-1.4\n%abc\n")
    assert r.status_code == 409, r.get_json()
    open_states = "draft, village_review, evidence_requested, commune_review"
    assert r.get_json()["code"] == "invalid_transition" and r.get_json()["errors"] == {
        "case_id": [f"Hồ sơ đang ở trạng thái '{status}'; chỉ nhận minh chứng ở: {open_states}."]
    }
    english = _upload(api, existing_case, b"%PDF-1.4\n%abc\n", headers={"Accept-Language": "en"})
    assert english.get_json()["errors"] == {
        "case_id": [f"The case is '{status}'; evidence is taken only in: {open_states}."]
    }
    assert "minh chứng" in r.get_json()["message"]
    assert count_rows(t.evidence) == 0 and count_rows(t.outbox) == 1  # case.opened only


def test_evidence_whose_case_closed_while_it_was_stored_is_removed_again(
    settings: Settings, existing_case: str, count_rows
) -> None:
    """The commune passed the case on while the file streamed: the write is refused and the stored object
    removed, so storage holds nothing the database does not know."""
    from common.errors import InvalidTransition
    from common.storage import StoredObject
    from services.evaluation.service import evidence

    engine = make_engine(settings.database_url)

    class PassedOnWhileStoring:
        removed: list[str] = []

        def put_stream(self, key: str, stream, *, content_type: str, max_bytes: int) -> StoredObject:
            data = stream.read()
            with engine.begin() as db:  # the commune's pass_review lands meanwhile
                db.execute(
                    t.cases.update().where(t.cases.c.id == existing_case).values(status="awaiting_decision")
                )
            return StoredObject(key=key, size=len(data), sha256="0" * 64)

        def remove(self, key: str) -> None:
            self.removed.append(key)

    storage = PassedOnWhileStoring()
    request = evidence.UploadRequest(
        case_id=existing_case,
        indicator_code=None,
        file_name="giay-khen.pdf",
        stream=io.BytesIO(b"%PDF-1.4\n%abc\n"),
        uploaded_by="u",
    )
    with pytest.raises(InvalidTransition):
        evidence.upload_evidence(SqlUnitOfWork(engine), storage, request=request, max_bytes=1024)
    assert len(storage.removed) == 1 and storage.removed[0].startswith(f"cases/{existing_case}/")
    assert count_rows(t.evidence) == 0


def test_a_request_without_a_file_names_the_field(api: FlaskClient, existing_case: str) -> None:
    r = api.post(
        f"/cases/{existing_case}/evidence", data={"indicator_code": "TC1"}, content_type="multipart/form-data"
    )
    assert r.status_code == 422 and "file" in r.get_json()["errors"]["files"]


def test_evidence_with_storage_down_is_503_and_writes_nothing(
    api: FlaskClient, existing_case: str, count_rows
) -> None:
    r = _upload(api, existing_case, b"%PDF-1.4\n%abc\n")
    assert r.status_code == 503 and r.get_json()["errors"]["dependency"] == "object_store"
    assert count_rows(t.evidence) == 0


def test_openapi_document_lists_the_endpoints(api: FlaskClient) -> None:
    spec = api.get("/openapi.json").get_json()
    assert {"/cases", "/cases/{case_id}", "/cases/{case_id}/evidence", "/health"} <= set(spec["paths"])
    assert "CaseCreate" in spec["components"]["schemas"]


def test_a_step_without_a_valid_if_match_is_refused_with_the_reason(
    api: FlaskClient, existing_case: str
) -> None:
    step = {"action": "save_draft"}
    missing = api.post(f"/cases/{existing_case}/steps", json=step)
    assert missing.status_code == 428
    assert missing.get_json()["errors"] == {
        "If-Match": ['Bắt buộc: gửi ETag của phiên bản đã đọc, ví dụ "3".']
    }
    english = api.post(f"/cases/{existing_case}/steps", json=step, headers={"Accept-Language": "en"})
    assert english.get_json()["errors"] == {
        "If-Match": ['Required: send the ETag of the version you read, e.g. "3".']
    }
    bad = api.post(f"/cases/{existing_case}/steps", json=step, headers={"If-Match": "abc"})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {
        "If-Match": ["If-Match phải là ETag đã đọc, ví dụ \"3\"; nhận được 'abc'."]
    }
    bad_en = api.post(
        f"/cases/{existing_case}/steps", json=step, headers={"If-Match": "abc", "Accept-Language": "en"}
    )
    assert bad_en.get_json()["errors"] == {
        "If-Match": ["If-Match must be the ETag you read, e.g. \"3\"; got 'abc'."]
    }
