"""Sign-in and accounts through the API: one answer for every failed login, expired and tampered tokens
refused, rehash on login, acting on behalf, administrators creating accounts within their scope, and
the bootstrap CLI."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.testing import FlaskClient

from common.auth import AuthenticationFailed, Principal, issue_token, service_token_provider
from common.db import make_engine
from common.settings import CommonSettings
from services.evaluation.adapters.identity_tables import users as users_table
from services.evaluation.adapters.passwords import Argon2Passwords
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.cli import cli
from services.evaluation.config import Settings
from services.evaluation.service import users
from tests.service.conftest import copy_of
from tests.signin import FAST_ARGON2, PASSWORD, add_household, create_user, fast_passwords, login

SECRET = "service-test-secret-key-0001"
HANOI, HOAN_KIEM, HCMC = "01", "00070", "79"


@pytest.fixture
def settings(evaluation_admin_tree: Path, tmp_path: Path) -> Settings:
    url = copy_of(evaluation_admin_tree, tmp_path)  # the admin tree, copied rather than loaded per test
    return Settings(database_url=url, common=CommonSettings(secret_key=SECRET), **FAST_ARGON2)


@pytest.fixture
def api(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


@pytest.fixture
def officer(settings: Settings):
    return create_user(settings.database_url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo")


def test_signing_in_gives_a_token_that_identifies_the_user(api: FlaskClient, officer) -> None:
    r = api.post("/auth/login", json={"username": "Can-Bo", "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["token_type"] == "Bearer" and body["user"]["username"] == "can-bo"
    assert "password" not in str(body["user"]) and "password_hash" not in body["user"]
    me = api.get("/auth/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()
    assert me["id"] == officer.id and me["role"] == "village_officer"
    assert me["scope_code"] == HOAN_KIEM and me["scope_path"] == "01/00070" and me["on_behalf_of"] is None


def test_the_token_expires_after_the_configured_age(api: FlaskClient, officer) -> None:
    body = api.post("/auth/login", json={"username": "can-bo", "password": PASSWORD}).get_json()
    from datetime import datetime

    lifetime = datetime.fromisoformat(body["expires_at"]).timestamp() - time.time()
    assert 12 * 3600 - 60 < lifetime <= 12 * 3600


def test_wrong_password_and_unknown_user_get_the_identical_401(api: FlaskClient, officer) -> None:
    wrong = api.post("/auth/login", json={"username": "can-bo", "password": "not-the-password"})
    unknown = api.post("/auth/login", json={"username": "nobody-here", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["errors"] == {"auth": ["invalid_credentials"]}
    assert wrong.headers.get("WWW-Authenticate") == unknown.headers.get("WWW-Authenticate")


def test_a_deactivated_account_fails_like_a_wrong_password(
    api: FlaskClient, settings: Settings, officer
) -> None:
    headers = login(api, "can-bo")
    with make_engine(settings.database_url).begin() as db:
        db.execute(users_table.update().values(active=False))
    r = api.post("/auth/login", json={"username": "can-bo", "password": PASSWORD})
    assert r.status_code == 401 and r.get_json()["errors"] == {"auth": ["invalid_credentials"]}
    assert api.get("/auth/me", headers=headers).status_code == 401  # its account no longer counts


class CountingPasswords:
    """A fake hasher that records which verification ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def hash(self, password: str) -> str:
        return f"hash:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append("verify")
        return password_hash == f"hash:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False

    def verify_dummy(self, password: str) -> None:
        self.calls.append("verify_dummy")


def test_an_unknown_user_costs_one_verification_too(settings: Settings) -> None:
    fake = CountingPasswords()
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    with pytest.raises(AuthenticationFailed):
        users.authenticate(uow, fake, username="nobody-here", password="x")
    assert fake.calls == ["verify_dummy"]


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing"),
        ("Basic Y2FuLWJvOnh4", "missing"),
        ("Bearer ", "missing"),
        ("Bearer not.a.token", "invalid"),
    ],
)
def test_requests_without_a_valid_token_are_401(
    api: FlaskClient, authorization: str | None, reason: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    r = api.get("/cases/some-case", headers=headers)
    assert r.status_code == 401
    assert r.get_json()["code"] == "unauthorized" and r.get_json()["errors"] == {"auth": [reason]}
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401_expired(api: FlaskClient, officer) -> None:
    old = issue_token(officer.principal(), secret_key=SECRET, clock=lambda: time.time() - 12 * 3600 - 5)
    r = api.get("/auth/me", headers={"Authorization": f"Bearer {old.token}", "Accept-Language": "en"})
    assert r.status_code == 401 and r.get_json()["errors"] == {"auth": ["expired"]}
    assert "expired" in r.get_json()["message"]
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_a_tampered_token_or_one_signed_with_another_key_is_401(api: FlaskClient, officer) -> None:
    token = login(api, "can-bo")["Authorization"].removeprefix("Bearer ")
    # Flip a middle character between two values six bits apart: a change confined to the last
    # character's padding bits would decode to the same bytes and still verify.
    i = len(token) // 2
    flipped = token[:i] + ("A" if token[i] != "A" else "g") + token[i + 1 :]
    foreign = issue_token(
        Principal(
            user_id=officer.id, username="can-bo", role="administrator", scope_code=None, scope_path=""
        ),
        secret_key="someone-elses-secret-key",
    ).token
    for bad in (flipped, foreign):
        r = api.get("/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401 and r.get_json()["errors"] == {"auth": ["invalid"]}


def test_a_hash_with_outdated_parameters_is_replaced_at_sign_in(settings: Settings) -> None:
    old = Argon2Passwords(time_cost=1, memory_kib=8, parallelism=1)
    create_user(settings.database_url, role="auditor", scope_code=None, username="thanh-tra", passwords=old)
    newer = Settings(
        database_url=settings.database_url,
        common=settings.common,
        argon2_time_cost=2,
        argon2_memory_kib=16,
        argon2_parallelism=1,
    )
    api = create_app(newer).test_client()
    login(api, "thanh-tra")
    with make_engine(settings.database_url).connect() as db:
        stored = db.execute(sa.select(users_table.c.password_hash)).scalar_one()
    assert "$m=16,t=2,p=1$" in stored
    login(api, "thanh-tra")  # the new hash verifies


def test_staff_may_act_on_behalf_of_a_household_and_households_may_not(
    api: FlaskClient, settings: Settings, officer
) -> None:
    staff = login(api, "can-bo")
    me = api.get("/auth/me", headers={**staff, "X-On-Behalf-Of": "HH-0007"}).get_json()
    assert me["username"] == "can-bo" and me["on_behalf_of"] == "HH-0007"
    too_long = {**staff, "X-On-Behalf-Of": "H" * 121}
    r = api.get("/auth/me", headers=too_long)
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "X-On-Behalf-Of": ["Tối đa 120 ký tự in được."]
    }
    r = api.get("/auth/me", headers={**too_long, "Accept-Language": "en"})
    assert r.get_json()["errors"] == {"X-On-Behalf-Of": ["At most 120 printable characters."]}
    household = add_household(settings.database_url, commune_code=HOAN_KIEM, code="HH-0008")
    create_user(
        settings.database_url,
        role="household_representative",
        scope_code=HOAN_KIEM,
        username="ho-a",
        subject_id=household,
    )
    household = login(api, "ho-a")
    r = api.get("/auth/me", headers={**household, "X-On-Behalf-Of": "HH-0008"})
    assert r.status_code == 403 and r.get_json()["code"] == "forbidden"


def _new_user(role: str = "village_officer", scope_code: str | None = HOAN_KIEM, **changes: object) -> dict:
    return {
        "username": "nguoi-moi",
        "full_name": "Nguyễn Văn Mới",
        "password": "mat-khau-moi-dai",
        "role": role,
        "scope_code": scope_code,
        **changes,
    }


def test_an_administrator_creates_accounts_within_their_scope(api: FlaskClient, settings: Settings) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    admin = login(api, "qt-ha-noi")
    r = api.post("/users", json=_new_user(), headers=admin)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["scope_path"] == "01/00070" and "password" not in r.get_json()
    login(api, "nguoi-moi", "mat-khau-moi-dai")
    assert api.post("/users", json=_new_user(), headers=admin).status_code == 409
    outside = api.post("/users", json=_new_user(scope_code=HCMC, username="o-ngoai"), headers=admin)
    national = api.post("/users", json=_new_user(scope_code=None, username="toan-quoc"), headers=admin)
    unknown = api.post("/users", json=_new_user(scope_code="99999", username="khong-co"), headers=admin)
    assert outside.status_code == national.status_code == 404
    assert unknown.status_code == 422
    bad = api.post("/users", json=_new_user(username="a b"), headers={**admin, "Accept-Language": "en"})
    assert bad.status_code == 422, bad.get_json()
    assert bad.get_json()["errors"] == {
        "username": ["3-80 characters: lower-case letters, digits, '.', '_' or '-'."]
    }
    bad_vi = api.post("/users", json=_new_user(username="a b"), headers=admin).get_json()["errors"]
    assert bad_vi == {"username": ["Từ 3 đến 80 ký tự: chữ thường không dấu, chữ số, '.', '_' hoặc '-'."]}
    assert unknown.get_json()["errors"] == {"scope_code": ["Không có đơn vị hành chính mang mã '99999'."]}
    taken = api.post("/users", json=_new_user(), headers={**admin, "Accept-Language": "en"})
    assert taken.get_json()["errors"] == {"username": ["The username 'nguoi-moi' is taken; choose another."]}


def test_a_household_representative_account_is_linked_to_a_household_in_its_scope(
    api: FlaskClient, settings: Settings
) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    admin = login(api, "qt-ha-noi")
    mine = add_household(settings.database_url, commune_code=HOAN_KIEM, code="HH-0100", village="T7")
    household = {"role": "household_representative", "username": "ho-nguyen"}
    r = api.post("/users", json=_new_user(**household, subject_id=mine), headers=admin)
    assert r.status_code == 201 and r.get_json()["subject_id"] == mine, r.get_json()
    signed_in = login(api, "ho-nguyen", "mat-khau-moi-dai")
    me = api.get("/auth/me", headers=signed_in).get_json()
    assert me["subject_id"] == mine and me["role"] == "household_representative"
    # the token carries the link: the account's household, nothing else
    from common.auth import verify_token

    token = signed_in["Authorization"].removeprefix("Bearer ")
    assert verify_token(token, secret_key=settings.common.secret_key).subject_id == mine


def test_a_household_account_may_name_its_household_by_register_code(
    api: FlaskClient, settings: Settings
) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    admin = login(api, "qt-ha-noi")
    mine = add_household(settings.database_url, commune_code=HOAN_KIEM, code="HH-0101", village="T7")
    add_household(settings.database_url, commune_code="26506", code="HH-0102", village="T8")  # elsewhere
    household = {"role": "household_representative", "username": "ho-ma"}
    r = api.post("/users", json=_new_user(**household, subject_id="HH-0101"), headers=admin)
    assert r.status_code == 201 and r.get_json()["subject_id"] == mine, r.get_json()  # stored by id
    other = api.post(
        "/users", json=_new_user(**{**household, "username": "ho-khac"}, subject_id="HH-0102"), headers=admin
    )
    assert other.status_code == 422  # a code of another commune names nothing in this account's scope
    assert other.get_json()["errors"] == {
        "subject_id": ["Không có hộ gia đình 'HH-0102' trong phạm vi của tài khoản."]
    }


def test_creating_an_account_is_audited_with_its_creator_and_never_its_password(
    api: FlaskClient, settings: Settings
) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    nfd = unicodedata.normalize("NFD", "Trần Thị Ánh")
    r = api.post("/users", json=_new_user(full_name=f"  {nfd} "), headers=login(api, "qt-ha-noi"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["full_name"] == unicodedata.normalize("NFC", "Trần Thị Ánh")  # stored NFC, trimmed
    user_id = r.get_json()["id"]
    uow = SqlUnitOfWork(make_engine(settings.database_url), read_only=True)
    with uow:
        entries = uow.audit.entries(f"user:{user_id}")
        assert uow.audit.verify_chain(f"user:{user_id}").ok
    assert [(e.action, e.actor, e.role) for e in entries] == [("user.created", "qt-ha-noi", "administrator")]
    assert entries[0].after == {
        "username": "nguoi-moi",
        "full_name": "Trần Thị Ánh",
        "role": "village_officer",
        "scope_code": HOAN_KIEM,
        "subject_id": None,
    }
    assert "mat-khau" not in str(vars(entries[0]))


@pytest.mark.parametrize(
    ("changes", "reason", "reason_en"),
    [
        (
            {"role": "household_representative"},
            "Bắt buộc với vai trò household_representative (đại diện hộ gia đình).",
            "Required for the household_representative role.",
        ),
        (
            {"role": "household_representative", "subject_id": "no-such-household"},
            "Không có hộ gia đình 'no-such-household' trong phạm vi của tài khoản.",
            "No household 'no-such-household' within the account's scope.",
        ),
        (
            {"role": "village_officer", "subject_id": "any"},
            "Chỉ dùng cho vai trò household_representative (đại diện hộ gia đình).",
            "Only for the household_representative role.",
        ),
    ],
)
def test_a_household_link_is_required_checked_and_only_for_households(
    api: FlaskClient, settings: Settings, changes: dict, reason: str, reason_en: str
) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    headers = login(api, "qt-ha-noi")
    r = api.post("/users", json=_new_user(**changes), headers=headers)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["errors"] == {"subject_id": [reason]}
    english = api.post("/users", json=_new_user(**changes), headers={**headers, "Accept-Language": "en"})
    assert english.get_json()["errors"] == {"subject_id": [reason_en]}


def test_a_household_outside_the_account_scope_cannot_be_linked(api: FlaskClient, settings: Settings) -> None:
    create_user(settings.database_url, role="administrator", scope_code=None, username="qt-vn")
    elsewhere = add_household(settings.database_url, commune_code="26506", code="HH-0200", village="T8")
    r = api.post(
        "/users",
        json=_new_user(role="household_representative", subject_id=elsewhere),  # scope: Hoàn Kiếm
        headers=login(api, "qt-vn"),
    )
    assert r.status_code == 422 and r.get_json()["errors"] == {
        "subject_id": [f"Không có hộ gia đình '{elsewhere}' trong phạm vi của tài khoản."]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "king"}, "role"),
        ({"username": "Có dấu"}, "username"),
        ({"password": "short"}, "password"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_accounts_are_refused_naming_the_field(
    api: FlaskClient, settings: Settings, changes: dict, field: str
) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    r = api.post("/users", json=_new_user(**changes), headers=login(api, "qt-ha-noi"))
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert field in errors or field in errors.get("json", {})


def test_every_field_at_fault_is_named_in_one_answer(api: FlaskClient, settings: Settings) -> None:
    """A short username, an empty name, a weak password and a household account without its household:
    one 422 names all four (the schema checks types and presence; the account's rules are checked
    together), in Vietnamese and in English."""
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    headers = login(api, "qt-ha-noi")
    bad = _new_user(username="A", full_name=" ", password="ngan", role="household_representative")
    r = api.post("/users", json=bad, headers=headers)
    assert r.status_code == 422
    assert r.get_json()["errors"] == {
        "username": ["Từ 3 đến 80 ký tự: chữ thường không dấu, chữ số, '.', '_' hoặc '-'."],
        "full_name": ["Từ 1 đến 200 ký tự."],
        "password": ["Từ 10 đến 200 ký tự."],
        "subject_id": ["Bắt buộc với vai trò household_representative (đại diện hộ gia đình)."],
    }
    english = api.post("/users", json=bad, headers={**headers, "Accept-Language": "en"}).get_json()
    assert sorted(english["errors"]) == ["full_name", "password", "subject_id", "username"]
    # A value of the wrong type is still the schema's to name (the rules cannot read it).
    r = api.post("/users", json={**bad, "role": 7}, headers=headers)
    assert r.status_code == 422 and "role" in r.get_json()["errors"]["json"]


def test_administrators_list_the_accounts_within_their_scope(api: FlaskClient, settings: Settings) -> None:
    for username, scope in (
        ("qt-ha-noi", HANOI),
        ("b-hoan-kiem", HOAN_KIEM),
        ("c-hcm", HCMC),
        ("d-vn", None),
    ):
        create_user(settings.database_url, role="administrator", scope_code=scope, username=username)
    page = api.get("/users", headers=login(api, "qt-ha-noi")).get_json()
    assert [u["username"] for u in page["items"]] == ["b-hoan-kiem", "qt-ha-noi"] and page["total"] == 2
    everyone = api.get(
        "/users", query_string={"limit": 2, "offset": 2}, headers=login(api, "d-vn")
    ).get_json()
    assert everyone["total"] == 4 and [u["username"] for u in everyone["items"]] == ["d-vn", "qt-ha-noi"]


def test_administrators_find_accounts_by_words_of_username_or_name(
    api: FlaskClient, settings: Settings
) -> None:
    create_user(settings.database_url, role="administrator", scope_code=HANOI, username="qt-ha-noi")
    admin = login(api, "qt-ha-noi")
    for username, full_name in (("an-nguyen", "Nguyễn Văn An"), ("binh-tran", "Trần Thị Bình")):
        assert (
            api.post(
                "/users", json=_new_user(username=username, full_name=full_name), headers=admin
            ).status_code
            == 201
        )
    create_user(
        settings.database_url, role="administrator", scope_code=HCMC, username="nguyen-hcm"
    )  # outside

    def found(q: str, **more: str) -> list[str]:
        r = api.get("/users", query_string={"q": q, **more}, headers=admin)
        assert r.status_code == 200, r.get_json()
        return [u["username"] for u in r.get_json()["items"]]

    assert found("nguyen van") == ["an-nguyen"]  # accents and case aside
    assert found("NGUYỄN") == ["an-nguyen"]
    assert found(unicodedata.normalize("NFD", "Bình")) == ["binh-tran"]  # typed decomposed
    assert found("nguyen") == ["an-nguyen"]  # never an account outside the scope
    assert found("an") == ["an-nguyen", "binh-tran"]  # a word may be part of a word ("Trần")
    assert found("tran binh") == ["binh-tran"]  # every word, in any order
    assert found("tran nguyen") == []
    assert found("an", role="administrator") == []
    assert found("100%_") == []  # LIKE's wildcards are text here
    assert found("  ") == ["an-nguyen", "binh-tran", "qt-ha-noi"]  # blank: everyone in scope
    too_long = api.get("/users", query_string={"q": "x" * 101}, headers=admin)
    assert too_long.status_code == 422 and "q" in too_long.get_json()["errors"]["query"]


def test_only_administrators_manage_accounts(api: FlaskClient, officer) -> None:
    staff = login(api, "can-bo")
    assert api.get("/users", headers=staff).status_code == 403
    assert api.post("/users", json=_new_user(), headers=staff).status_code == 403


def test_the_cli_bootstraps_the_first_administrator(settings: Settings, api: FlaskClient) -> None:
    env = {"EVALUATION_DATABASE_URL": settings.database_url, "SECRET_KEY": SECRET} | {
        k.upper(): str(v) for k, v in FAST_ARGON2.items()
    }
    runner = CliRunner()
    args = ["create-user", "quan-tri", "--role", "administrator", "--national", "--password-stdin"]
    result = runner.invoke(cli, args, input="mat-khau-quan-tri\n", env=env)
    assert result.exit_code == 0, result.output
    assert "quan-tri (administrator, scope national)" in result.output
    assert login(api, "quan-tri", "mat-khau-quan-tri")
    uow = SqlUnitOfWork(make_engine(settings.database_url), read_only=True)
    with uow:
        created = uow.users.get_by_username("quan-tri")
        entries = uow.audit.entries(f"user:{created.id}")
    assert [(e.action, e.actor.startswith("cli:")) for e in entries] == [("user.created", True)]
    again = runner.invoke(cli, args, input="mat-khau-quan-tri\n", env=env)
    assert again.exit_code != 0 and "taken" in again.output
    both = runner.invoke(cli, [*args[:4], "--scope", "01", "--national"], input="x\n", env=env)
    assert both.exit_code == 2


def test_the_user_directory_answers_who_covers_a_unit(api: FlaskClient, settings: Settings) -> None:
    url = settings.database_url
    create_user(url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo-hk")
    create_user(url, role="village_officer", scope_code=HANOI, username="can-bo-hn")
    create_user(url, role="village_officer", scope_code=HCMC, username="can-bo-hcm")
    create_user(url, role="commune_chairman", scope_code=HOAN_KIEM, username="chu-tich-hk")
    engine = make_engine(url)
    users.create_user(
        SqlUnitOfWork(engine),
        fast_passwords(),
        username="thu-ky",
        full_name="Thư ký",
        password=PASSWORD,
        role="village_officer",
        scope_code=None,
        email="thu.ky@example.vn",
    )
    service = {"Authorization": "Bearer " + service_token_provider("notifications", secret_key=SECRET)()}
    r = api.get("/users", query_string={"role": "village_officer", "covering": HOAN_KIEM}, headers=service)
    assert r.status_code == 200, r.get_json()
    assert [u["username"] for u in r.get_json()["items"]] == ["can-bo-hk", "can-bo-hn", "thu-ky"]
    assert r.get_json()["items"][2]["email"] == "thu.ky@example.vn"
    assert api.get("/users", query_string={"covering": "nope"}, headers=service).status_code == 404
    assert api.get("/users", query_string={"role": "king"}, headers=service).status_code == 422
    officer = login(api, "can-bo-hk")
    assert api.get("/users", query_string={"covering": HOAN_KIEM}, headers=officer).status_code == 403

    # A household representative is found by its household only: the directory never hands a neighbour's
    # account to the notifications service.
    mine = add_household(url, commune_code=HOAN_KIEM, code="HK01", village="T1")
    neighbour = add_household(url, commune_code=HOAN_KIEM, code="HK02", village="T2")
    create_user(url, role="household_representative", scope_code=HOAN_KIEM, username="ho-1", subject_id=mine)
    create_user(
        url, role="household_representative", scope_code=HOAN_KIEM, username="ho-2", subject_id=neighbour
    )
    query = {"role": "household_representative", "covering": HOAN_KIEM, "subject_id": mine}
    r = api.get("/users", query_string=query, headers=service)
    assert r.status_code == 200 and [u["username"] for u in r.get_json()["items"]] == ["ho-1"]
    assert r.get_json()["items"][0]["subject_code"] == "HK01"  # its household as people know it
    too_long = api.get("/users", query_string={**query, "subject_id": "x" * 37}, headers=service)
    assert too_long.status_code == 422 and "subject_id" in str(too_long.get_json())


def test_the_user_directory_finds_one_account_by_username_locked_or_national(
    api: FlaskClient, settings: Settings
) -> None:
    url = settings.database_url
    create_user(url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo-hk")
    create_user(url, role="administrator", scope_code=None, username="qt-vn")
    admin = login(api, "qt-vn")
    target = api.get("/users", query_string={"q": "can-bo-hk"}, headers=admin).get_json()["items"][0]
    locked = api.post(
        f"/users/{target['id']}/access", json={"active": False, "reason": "Nghỉ việc"}, headers=admin
    )
    assert locked.status_code == 200
    service = {"Authorization": "Bearer " + service_token_provider("notifications", secret_key=SECRET)()}

    def found(username: str) -> list[tuple[str, bool]]:
        r = api.get("/users", query_string={"username": username}, headers=service)
        assert r.status_code == 200, r.get_json()
        return [(u["username"], u["active"]) for u in r.get_json()["items"]]

    assert found("can-bo-hk") == [("can-bo-hk", False)]  # locked: still its owner to tell
    assert found("qt-vn") == [("qt-vn", True)]  # national: no unit, found all the same
    assert found("can-bo") == []  # exact, not a part of a name
    assert found("CAN-BO-HK") == []
    too_long = api.get("/users", query_string={"username": "x" * 81}, headers=service)
    assert too_long.status_code == 422 and "username" in too_long.get_json()["errors"]["query"]
    create_user(url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo-khac")
    staff = login(api, "can-bo-khac")
    assert api.get("/users", query_string={"username": "can-bo-hk"}, headers=staff).status_code == 403


def test_failed_sign_ins_are_throttled_per_account_and_address(settings: Settings, officer) -> None:
    from dataclasses import replace

    api = create_app(replace(settings, login_max_failures=3)).test_client()
    for _ in range(3):
        assert api.post("/auth/login", json={"username": "can-bo", "password": "sai"}).status_code == 401
    refused = api.post("/auth/login", json={"username": "can-bo", "password": PASSWORD})
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["code"] == "too_many_requests" and "retry_after" in body["errors"]
    assert int(refused.headers["Retry-After"]) > 0
    other = api.post(
        "/auth/login",
        json={"username": "can-bo", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 200  # the same account from another address still signs in


def test_a_successful_sign_in_resets_the_account_count(settings: Settings, officer) -> None:
    from dataclasses import replace

    api = create_app(replace(settings, login_max_failures=3)).test_client()
    for _ in range(5):
        for _ in range(2):
            assert api.post("/auth/login", json={"username": "can-bo", "password": "sai"}).status_code == 401
        assert api.post("/auth/login", json={"username": "can-bo", "password": PASSWORD}).status_code == 200
