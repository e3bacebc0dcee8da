"""Bulk import through the API and the subjects it creates: all or nothing, idempotent re-import,
a per-row report for a file with errors, and subject listings by admin unit and kind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from common.db import make_engine
from common.settings import CommonSettings
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service.admin_units import sync_official_units
from tests.signin import FAST_ARGON2, sign_in

SAMPLES = Path(__file__).resolve().parents[3] / "infra" / "samples"
COMMUNE = "15664"  # Xã Triệu Sơn, the commune of the sample files


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    upgrade("evaluation", url)
    sync_official_units(SqlUnitOfWork(make_engine(url)), units=official_units())
    return url


@pytest.fixture
def api(db_url: str) -> FlaskClient:
    """A client signed in as a national administrator (files name their own communes)."""
    client = create_app(Settings(database_url=db_url, common=CommonSettings(), **FAST_ARGON2)).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = sign_in(
        client, db_url, role="administrator", scope_code=None
    )["Authorization"]
    return client


def _import(api: FlaskClient, kind: str, name: str, content: bytes | None = None, **form: str):
    data = (SAMPLES / name).read_bytes() if content is None else content
    return api.post(
        "/imports",
        data={"kind": kind, "file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def _count(db_url: str, table: sa.Table) -> int:
    with make_engine(db_url).connect() as db:
        return int(db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _import_samples(api: FlaskClient) -> None:
    for kind in ("villages", "households", "clans", "units"):
        r = _import(api, kind, f"{kind}.csv")
        assert r.status_code == 201, r.get_json()


def test_a_sample_commune_imports_and_a_clean_reimport_changes_nothing(api: FlaskClient, db_url: str) -> None:
    r = _import(api, "villages", "villages.csv")
    assert r.status_code == 201 and r.get_json()["written"] == {"villages_added": 8, "villages_changed": 0}
    r = _import(api, "households", "households.csv", commune_code=COMMUNE)
    body = r.get_json()
    assert r.status_code == 201 and body["status"] == "imported"
    assert body["written"]["households_added"] == 12 and body["written"]["citizens_added"] == 43
    again = _import(api, "households", "households.csv").get_json()["written"]
    assert again == {
        "households_added": 0,
        "households_changed": 0,
        "citizens_added": 0,
        "citizens_changed": 0,
    }
    assert _count(db_url, t.households) == 12 and _count(db_url, t.citizens) == 43


def test_the_excel_sample_imports_the_same_households(api: FlaskClient, db_url: str) -> None:
    _import(api, "villages", "villages.csv")
    r = _import(api, "households", "households.xlsx")
    assert r.status_code == 201, r.get_json()
    assert _count(db_url, t.households) == r.get_json()["written"]["households_added"] > 0


def test_a_file_with_errors_imports_nothing_and_reports_each_row(api: FlaskClient, db_url: str) -> None:
    _import(api, "villages", "villages.csv")
    r = _import(api, "households", "households_with_errors.csv")
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "import_rejected"
    entries = body["errors"]["entries"]
    assert len(entries) == body["errors"]["entry_count"] > 5
    assert all(e["row"] and e["message_vi"] and e["message_en"] for e in entries if e["code"] != "no_data")
    assert _count(db_url, t.households) == 0 and _count(db_url, t.citizens) == 0
    stored = api.get(f"/imports/{body['errors']['import_id']}").get_json()
    assert stored["status"] == "rejected" and stored["entries"] == entries


def test_households_of_an_unknown_village_are_refused_whole(api: FlaskClient, db_url: str) -> None:
    r = _import(api, "households", "households.csv")
    assert r.status_code == 422 and "village_code" in r.get_json()["errors"]
    [reason] = r.get_json()["errors"]["village_code"]
    assert reason.startswith("Chưa có thôn mang mã: ") and reason.endswith("; hãy nhập hoặc tạo trước.")
    data = {
        "kind": "households",
        "file": (io.BytesIO((SAMPLES / "households.csv").read_bytes()), "households.csv"),
    }
    english = api.post(
        "/imports", data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )
    [reason] = english.get_json()["errors"]["village_code"]
    assert reason.startswith("No village has the code(s): ") and reason.endswith(
        "; import or create them first."
    )
    assert _count(db_url, t.households) == 0


def test_clans_of_unknown_households_are_refused_whole(api: FlaskClient, db_url: str) -> None:
    assert _import(api, "villages", "villages.csv").status_code == 201  # the households are not imported
    missing = "H001, H003, H006, H007, H008, H010, H011, H012"
    r = _import(api, "clans", "clans.csv")
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "validation_failed", body
    assert body["message"] == f"Chưa có hộ: {missing}."
    assert body["errors"] == {"household_codes": [f"Chưa có hộ mang mã: {missing}; hãy nhập hộ trước."]}
    data = {"kind": "clans", "file": (io.BytesIO((SAMPLES / "clans.csv").read_bytes()), "clans.csv")}
    english = api.post(
        "/imports", data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    ).get_json()
    assert english["message"] == f"Unknown household(s): {missing}; import households first."
    assert english["errors"] == {
        "household_codes": [f"No household has the code(s): {missing}; import households first."]
    }
    assert _count(db_url, t.clans) == 0 and _count(db_url, t.clan_households) == 0


@pytest.mark.parametrize(
    ("form", "name", "content", "field"),
    [
        ({"kind": "families"}, "villages.csv", None, "kind"),
        ({"kind": "villages", "commune_code": "1566"}, "villages.csv", None, "commune_code"),
        ({"kind": "villages"}, "villages.txt", b"a,b\n", "file"),
    ],
)
def test_bad_import_requests_name_the_field(
    api: FlaskClient, form: dict, name: str, content: bytes | None, field: str
) -> None:
    data = (SAMPLES / name).read_bytes() if content is None else content
    r = api.post(
        "/imports", data={**form, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert field in errors or field in errors.get("form", {})


def test_a_file_of_another_type_is_refused_with_the_reason(api: FlaskClient) -> None:
    def post(**headers: str) -> dict:
        data = {"kind": "villages", "file": (io.BytesIO(b"a,b\n"), "villages.txt")}
        return api.post("/imports", data=data, content_type="multipart/form-data", headers=headers).get_json()

    assert post()["errors"] == {"file": ["Tệp 'villages.txt' không được nhận: chỉ nhận tệp .csv hoặc .xlsx."]}
    english = post(**{"Accept-Language": "en"})["errors"]
    assert english == {"file": ["File 'villages.txt' is not accepted: send a .csv or .xlsx file."]}


def test_a_non_utf8_csv_is_reported_not_guessed(api: FlaskClient) -> None:
    content = "Mã xã,Mã thôn,Tên thôn,Loại\n15664,T9,Thôn Đông,Thôn\n".encode("cp1258", errors="replace")
    r = _import(api, "villages", "villages.csv", content=content)
    assert r.status_code == 422
    assert r.get_json()["errors"]["entries"][0]["code"] == "invalid_encoding"


def test_subjects_are_listed_by_kind_and_admin_unit(api: FlaskClient) -> None:
    _import_samples(api)
    households = api.get("/subjects", query_string={"kind": "household", "within": COMMUNE}).get_json()
    assert households["total"] == 12
    first = households["items"][0]
    detail = api.get(f"/subjects/household/{first['id']}").get_json()
    assert len(detail["members"]) == first["member_count"] > 0
    village = first["village_code"]
    in_village = api.get("/subjects", query_string={"kind": "household", "village": village}).get_json()
    assert 0 < in_village["total"] <= 12
    assert api.get("/subjects", query_string={"kind": "clan", "within": COMMUNE}).get_json()["total"] == 4
    assert (
        api.get("/subjects", query_string={"kind": "unit", "within": "38"}).get_json()["total"] == 4
    )  # province
    assert api.get("/subjects", query_string={"kind": "household", "within": "01"}).get_json()["total"] == 0
    assert api.get("/subjects", query_string={"kind": "citizen", "q": "Hùng"}).get_json()["total"] >= 1


def test_subject_queries_validate_their_arguments(api: FlaskClient) -> None:
    assert api.get("/subjects").status_code == 422
    assert api.get("/subjects", query_string={"kind": "dog"}).status_code == 422
    assert api.get("/subjects", query_string={"kind": "household", "within": "nope"}).status_code == 404
    assert api.get("/subjects/household/nope").status_code == 404
