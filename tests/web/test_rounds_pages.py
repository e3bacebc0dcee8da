"""The round's pages over the real evaluation app (rounds seeded in the phases a workflow would have
put them in): phase and dates, the forms each role sees in each phase, and bad input named per field
with the reason in Vietnamese before anything reaches the service."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from common.db import make_engine
from services.evaluation.adapters import tables as t
from tests.conftest import HCMC_WARD
from tests.web.world import World, build_world, csrf_of, sign_in


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, s3_server: dict[str, Any]) -> World:
    return build_world(tmp_path_factory.mktemp("web-rounds"), s3_server)


YEARS = itertools.count(2023)  # one round per (commune, year, plan)


def seed_round(world: World, phase: str) -> str:
    round_id = f"round-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    engine = make_engine(world.evaluation_settings.database_url)
    with engine.begin() as db:
        db.execute(
            t.rounds.insert().values(
                id=round_id,
                workflow_id=f"yearly-round/{round_id}",
                admin_unit_code=HCMC_WARD,
                year=next(YEARS),
                plan_code="ho-chi-minh-city-2023",
                phase=phase,
                version=3,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    return round_id


def as_user(world: World, username: str) -> Any:
    client = world.web().test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_the_chairman_signs_only_when_the_round_awaits_the_signature(world: World) -> None:
    chairman = as_user(world, "chu-tich")
    waiting = seed_round(world, "awaiting_signature")
    page = chairman.get(f"/rounds/{waiting}")
    assert page.status_code == 200
    assert (
        "Chờ Chủ tịch ký" in page.text and "Ký quyết định" in page.text and 'name="signer_name"' in page.text
    )
    posting = seed_round(world, "posting")
    page = chairman.get(f"/rounds/{posting}")
    assert "Niêm yết công khai" in page.text and 'name="signer_name"' not in page.text
    assert 'name="filed_by"' in page.text  # objections are taken during the posting
    auditor = as_user(world, "kiem-toan")
    page = auditor.get(f"/rounds/{waiting}")
    assert page.status_code == 200 and 'name="signer_name"' not in page.text


def test_signing_with_bad_input_names_each_field_in_vietnamese(world: World) -> None:
    chairman = as_user(world, "chu-tich")
    round_id = seed_round(world, "awaiting_signature")
    page = chairman.get(f"/rounds/{round_id}")
    r = chairman.post(
        f"/rounds/{round_id}/sign",
        data={
            "csrf_token": csrf_of(page.text),
            "version": "3",
            "signer_name": " ",
            "signed_on": "31/02/2026",
        },
    )
    assert r.status_code == 422
    assert 'id="signer_name-error"' in r.text and "Bắt buộc nhập." in r.text
    assert 'id="signed_on-error"' in r.text and "Ngày không hợp lệ" in r.text
    r = chairman.post(  # a real date, but not in the round's year or the next: the service would refuse it
        f"/rounds/{round_id}/sign",
        data={
            "csrf_token": csrf_of(page.text),
            "version": "3",
            "signer_name": "Lê Văn Sang",
            "signed_on": "1999-12-15",
        },
    )
    assert r.status_code == 422 and 'id="signed_on-error"' in r.text
    assert "Ngày ký phải thuộc năm" in r.text and 'id="signer_name-error"' not in r.text


def test_council_minutes_and_objections_with_bad_input(world: World) -> None:
    officer = as_user(world, "can-bo-hoi")
    council = seed_round(world, "council")
    page = officer.get(f"/rounds/{council}")
    assert "Biên bản hội đồng" in page.text
    r = officer.post(
        f"/rounds/{council}/council",
        data={
            "csrf_token": csrf_of(page.text),
            "version": "3",
            "met_on": "hôm qua",
            "chair": "",
            "secretary": "",
            "attendance": "\n \n",
        },
    )
    assert r.status_code == 422
    for field in ("met_on", "chair", "secretary", "attendance"):
        assert f'id="{field}-error"' in r.text, field

    posting = seed_round(world, "posting")
    page = officer.get(f"/rounds/{posting}")
    r = officer.post(
        f"/rounds/{posting}/objections",
        data={"csrf_token": csrf_of(page.text), "filed_by": "", "content": ""},
    )
    assert r.status_code == 422 and 'id="filed_by-error"' in r.text and 'id="content-error"' in r.text


def test_opening_a_round_with_a_bad_year_and_roles_that_may_not_open(world: World) -> None:
    officer = as_user(world, "can-bo-hoi")
    page = officer.get("/round")
    assert page.status_code == 200 and 'name="year"' in page.text
    r = officer.post("/round", data={"csrf_token": csrf_of(page.text), "year": "20x6"})
    assert r.status_code == 422 and "Năm phải từ 2023 đến 2030." in r.text
    village = as_user(world, "truong-thon")
    page = village.get("/round")
    assert 'name="year"' not in page.text and "dùng mã kỳ xét" in page.text
    assert village.get("/round?id=khong-co").status_code == 302
    assert village.get("/rounds/khong-co").status_code == 404


def test_the_round_page_lists_the_rounds_in_my_scope_with_links(world: World) -> None:
    ward_round = seed_round(world, "awaiting_signature")
    hanoi_round = f"round-hn-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    engine = make_engine(world.evaluation_settings.database_url)
    with engine.begin() as db:  # Phường Hoàn Kiếm, Hà Nội: outside the ward users' scope
        db.execute(
            t.rounds.insert().values(
                id=hanoi_round,
                workflow_id=f"yearly-round/{hanoi_round}",
                admin_unit_code="00070",
                year=2099,
                plan_code="ha-noi",
                phase="closed",
                version=10,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    for username in ("chu-tich", "truong-thon"):
        page = as_user(world, username).get("/round")
        assert page.status_code == 200 and 'data-testid="round-list"' in page.text, username
        assert f'href="/rounds/{ward_round}"' in page.text and f"/rounds/{hanoi_round}" not in page.text
        assert "Phường Vũng Tàu (26506)" in page.text and "Chờ Chủ tịch ký" in page.text
    auditor = as_user(world, "kiem-toan")  # national: both, newest year first
    page = auditor.get("/round?offset=x")  # a bad offset is the first page
    assert page.text.index(f"/rounds/{hanoi_round}") < page.text.index(f"/rounds/{ward_round}")
    auditor.get("/lang/en")
    page = auditor.get("/round")
    assert "Rounds within my scope" in page.text and "Awaiting signature" in page.text
    assert "Closed" in page.text and "Open the round" in page.text
    household = as_user(world, "ho-gia-dinh")  # households follow their cases: no list
    page = household.get("/round")
    assert page.status_code == 200 and 'data-testid="round-list"' not in page.text
