"""The administrative tree through the API: official units loaded from vietnam-provinces, villages
created per commune, subtree browsing, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from common.db import make_engine
from common.settings import CommonSettings
from infra.migrate import upgrade
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.domain.admin_units import AdminUnit
from services.evaluation.service.admin_units import sync_official_units
from tests.signin import FAST_ARGON2, sign_in


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    tmp: Path = tmp_path_factory.mktemp("admin")
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    upgrade("evaluation", url)
    assert sync_official_units(SqlUnitOfWork(make_engine(url)), units=official_units()) == (3355, 0)
    client = create_app(Settings(database_url=url, common=CommonSettings(), **FAST_ARGON2)).test_client()
    # Hà Nội's administrator: reads the whole tree, creates villages in Hà Nội's communes.
    headers = sign_in(client, url, role="administrator", scope_code="01")
    client.environ_base["HTTP_AUTHORIZATION"] = headers["Authorization"]
    return client


def test_the_official_tree_has_34_provinces_and_3321_communes(api: FlaskClient) -> None:
    assert api.get("/admin-units", query_string={"level": "province"}).get_json()["total"] == 34
    assert api.get("/admin-units", query_string={"level": "commune", "limit": 1}).get_json()["total"] == 3321


def test_communes_are_found_by_name_with_diacritics(api: FlaskClient) -> None:
    page = api.get("/admin-units", query_string={"q": "Triệu Sơn"}).get_json()
    assert [u["name"] for u in page["items"]] == ["Xã Triệu Sơn"]
    assert page["items"][0]["path"].startswith(page["items"][0]["parent_code"] + "/")


def test_a_second_sync_changes_nothing(api: FlaskClient, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    upgrade("evaluation", url)
    uow = SqlUnitOfWork(make_engine(url))
    sync_official_units(uow, units=official_units())
    assert sync_official_units(uow, units=official_units()) == (0, 0)


def test_villages_are_created_under_a_commune_and_browsed_within_it(api: FlaskClient) -> None:
    hoan_kiem = "00070"
    r = api.post(
        f"/admin-units/{hoan_kiem}/villages",
        json={"local_code": "TDP1", "name": "Tổ dân phố số 1", "kind": "to_dan_pho"},
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["code"] == "00070.TDP1" and r.get_json()["path"] == "01/00070/00070.TDP1"
    within = api.get("/admin-units", query_string={"within": hoan_kiem}).get_json()
    assert [u["code"] for u in within["items"]] == ["00070", "00070.TDP1"]
    again = api.post(
        f"/admin-units/{hoan_kiem}/villages", json={"local_code": "TDP1", "name": "x", "kind": "thon"}
    )
    assert again.status_code == 409
    assert again.get_json()["errors"] == {"code": ["Đã có thôn mang mã '00070.TDP1' trong xã 00070."]}
    english = api.post(
        f"/admin-units/{hoan_kiem}/villages",
        json={"local_code": "TDP1", "name": "x", "kind": "thon"},
        headers={"Accept-Language": "en"},
    )
    assert english.get_json()["errors"] == {
        "code": ["Commune 00070 already has a village with the code '00070.TDP1'."]
    }


@pytest.mark.parametrize(
    ("commune", "body", "status", "field"),
    [
        ("00070", {"local_code": "T 2", "name": "Thôn 2", "kind": "thon"}, 422, "local_code"),
        ("00070", {"local_code": "T2", "name": "Thôn 2", "kind": "lang"}, 422, "kind"),
        ("00070", {"local_code": "T2", "kind": "thon"}, 422, "name"),
        ("99999", {"local_code": "T2", "name": "Thôn 2", "kind": "thon"}, 404, None),
        ("01", {"local_code": "T2", "name": "Thôn 2", "kind": "thon"}, 404, None),  # a province is no commune
    ],
)
def test_bad_villages_are_refused(
    api: FlaskClient, commune: str, body: dict, status: int, field: str | None
) -> None:
    r = api.post(f"/admin-units/{commune}/villages", json=body)
    assert r.status_code == status
    if field:
        assert list(r.get_json()["errors"]["json"]) == [field]


def test_unknown_units_and_filters_are_clear_errors(api: FlaskClient) -> None:
    assert api.get("/admin-units/nope").status_code == 404
    assert api.get("/admin-units", query_string={"within": "nope"}).status_code == 404
    assert api.get("/admin-units", query_string={"level": "hamlet"}).status_code == 422


def test_containment_follows_the_path() -> None:
    prov = AdminUnit("01", "Hà Nội", "province", "x", None, "01")
    com = AdminUnit("00070", "Hoàn Kiếm", "commune", "x", "01", "01/00070")
    other = AdminUnit("010", "Other", "province", "x", None, "010")
    assert prov.contains(com) and prov.contains(prov) and not com.contains(prov) and not prov.contains(other)
