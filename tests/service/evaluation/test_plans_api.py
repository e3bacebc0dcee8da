"""Plans and criteria sets through the API: upload validates with every problem listed, versions are
kept and never edited, activation supersedes, criteria sets are readable by version."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from common.settings import CommonSettings
from infra.migrate import upgrade
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.documents.plans import PLANS_DIR
from tests.signin import FAST_ARGON2, sign_in

VAN_HOA = (PLANS_DIR / "van-hoa-2023.yaml").read_text(encoding="utf-8")


@pytest.fixture
def api(tmp_path: Path) -> FlaskClient:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    upgrade("evaluation", url)
    client = create_app(Settings(database_url=url, common=CommonSettings(), **FAST_ARGON2)).test_client()
    # A national administrator: these plans' localities are not loaded into this database.
    client.environ_base["HTTP_AUTHORIZATION"] = sign_in(client, url, role="administrator", scope_code=None)[
        "Authorization"
    ]
    return client


def _version(document: str, version: int) -> str:
    data = yaml.safe_load(document)
    data["version"] = version
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_a_plan_is_uploaded_validated_then_activated(api: FlaskClient) -> None:
    r = api.post("/plans", json={"document": VAN_HOA})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["status"] == "validated" and r.get_json()["code"] == "van-hoa-2023"
    assert api.get("/plans/van-hoa-2023").status_code == 404  # nothing active yet
    assert api.post("/plans/van-hoa-2023/versions/1/activate").get_json()["status"] == "active"
    active = api.get("/plans/van-hoa-2023").get_json()
    assert active["version"] == 1 and active["plan"]["code"] == "van-hoa-2023"


def test_the_same_upload_twice_changes_nothing(api: FlaskClient) -> None:
    first = api.post("/plans", json={"document": VAN_HOA}).get_json()
    again = api.post("/plans", json={"document": VAN_HOA})
    assert again.status_code == 200 and again.get_json() == first
    assert len(api.get("/plans").get_json()) == 1


def test_a_changed_document_under_the_same_version_is_a_conflict(api: FlaskClient) -> None:
    api.post("/plans", json={"document": VAN_HOA})
    changed = VAN_HOA.replace("trên địa bàn xã Vạn Hòa", "trên địa bàn xã Vạn Hòa (sửa)", 1)
    r = api.post("/plans", json={"document": changed})
    assert r.status_code == 409 and r.get_json()["errors"] == {
        "version": ["Phiên bản 1 đã có với nội dung khác; hãy tăng số phiên bản."]
    }
    r = api.post("/plans", json={"document": changed}, headers={"Accept-Language": "en"})
    assert r.get_json()["errors"] == {"version": ["Version 1 exists with other content; raise the version."]}


def test_a_new_version_supersedes_and_the_old_one_is_kept(api: FlaskClient) -> None:
    api.post("/plans", json={"document": VAN_HOA})
    api.post("/plans/van-hoa-2023/versions/1/activate")
    assert api.post("/plans", json={"document": _version(VAN_HOA, 2)}).status_code == 201
    api.post("/plans/van-hoa-2023/versions/2/activate")
    versions = {v["version"]: v["status"] for v in api.get("/plans").get_json()}
    assert versions == {1: "superseded", 2: "active"}
    assert api.get("/plans/van-hoa-2023/versions/1").get_json()["plan"]["version"] == 1
    assert api.post("/plans/van-hoa-2023/versions/1/activate").status_code == 409


def test_an_invalid_plan_lists_every_problem_with_its_path(api: FlaskClient) -> None:
    data = yaml.safe_load(VAN_HOA)
    data["version"] = 0
    data.pop("name_vi")
    r = api.post("/plans", json={"document": yaml.safe_dump(data, allow_unicode=True)})
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "plan_invalid"
    assert {"version", "name_vi"} <= set(body["errors"])
    assert api.get("/plans").get_json() == []


@pytest.mark.parametrize("document", ["", "a: [1, 2", "just text", "- a\n- b\n"])
def test_unparseable_documents_are_422(api: FlaskClient, document: str) -> None:
    assert api.post("/plans", json={"document": document}).status_code == 422


def test_unknown_plans_and_versions_are_404(api: FlaskClient) -> None:
    assert api.get("/plans/nope/versions/1").status_code == 404
    assert api.post("/plans/nope/versions/1/activate").status_code == 404


def test_criteria_sets_are_listed_and_read_by_version(api: FlaskClient) -> None:
    listed = api.get("/criteria-sets").get_json()
    assert {s["code"] for s in listed} >= {"cong-dan-hoc-tap", "gia-dinh-hoc-tap", "don-vi-hoc-tap-xa"}
    full = api.get("/criteria-sets/cong-dan-hoc-tap/2023.1").get_json()
    assert full["title"] == "learning_citizen" and full["status"] == "illustrative"
    assert api.get("/criteria-sets/cong-dan-hoc-tap/1999.1").status_code == 404
