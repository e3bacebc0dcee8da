"""Locking an account, setting its password and signing out everywhere revoke its tokens (stateless,
signed for 12 h): through the API on a real database, with the audit trail; and how long another process
may still honour a revoked token (`TokenStatus`, with a fake clock)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from common.auth import AuthenticationFailed, Principal
from common.db import make_engine
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.service.token_status import TokenStatus
from tests.service.conftest import copy_of
from tests.signin import FAST_ARGON2, PASSWORD, create_user

HOAN_KIEM, HCMC = "00070", "79"


@pytest.fixture
def settings(evaluation_admin_tree: Path, tmp_path: Path) -> Settings:
    common = CommonSettings(secret_key="access-test-secret-key-0001")
    return Settings(database_url=copy_of(evaluation_admin_tree, tmp_path), common=common, **FAST_ARGON2)


@pytest.fixture
def api(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


def _login(api: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return api.post("/auth/login", json={"username": username, "password": password})


def _bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.fixture
def people(settings: Settings, api: FlaskClient) -> dict[str, Any]:
    """An administrator of Hoàn Kiếm, one of Hồ Chí Minh City, and a village officer of Hoàn Kiếm, signed in."""
    url = settings.database_url
    create_user(url, role="administrator", scope_code=HOAN_KIEM, username="quan-tri-hk")
    create_user(url, role="administrator", scope_code=HCMC, username="quan-tri-hcm")
    officer = create_user(url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo")
    return {
        "admin": _login(api, "quan-tri-hk").get_json()["token"],
        "other_admin": _login(api, "quan-tri-hcm").get_json()["token"],
        "officer_id": officer.id,
        "officer": _login(api, "can-bo").get_json()["token"],
    }


def _access(api: FlaskClient, token: str, user_id: str, body: dict[str, Any], **headers: str) -> Any:
    return api.post(f"/users/{user_id}/access", json=body, headers=_bearer(token, **headers))


def _revoked(response: Any) -> bool:
    body = response.get_json()
    return response.status_code == 401 and body["errors"] == {"auth": ["revoked"]}


def test_a_locked_account_loses_its_tokens_and_cannot_sign_in_until_unlocked(
    api: FlaskClient, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    assert api.get("/auth/me", headers=_bearer(officer)).status_code == 200
    r = _access(api, people["admin"], people["officer_id"], {"active": False, "reason": "Nghỉ việc từ 01/12"})
    assert r.status_code == 200 and r.get_json()["active"] is False, r.get_json()
    refused = api.get("/auth/me", headers=_bearer(officer))
    assert _revoked(refused), refused.get_json()
    assert refused.get_json()["message"].startswith("Phiên đăng nhập đã bị thu hồi")
    assert api.get("/cases/any", headers=_bearer(officer)).status_code == 401  # every endpoint, not only /me
    assert _login(api, "can-bo").status_code == 401
    r = _access(api, people["admin"], people["officer_id"], {"active": True, "reason": "Trở lại làm việc"})
    assert r.status_code == 200 and r.get_json()["active"] is True
    assert _revoked(api.get("/auth/me", headers=_bearer(officer)))  # unlocking gives old tokens nothing back
    fresh = _login(api, "can-bo")
    assert fresh.status_code == 200
    assert api.get("/auth/me", headers=_bearer(fresh.get_json()["token"])).status_code == 200


def test_a_new_password_revokes_the_old_tokens_and_the_old_password(
    api: FlaskClient, people: dict[str, Any]
) -> None:
    body = {"password": "mat-khau-moi-2027", "reason": "Quên mật khẩu (đề nghị ngày 24/11)"}
    r = _access(api, people["admin"], people["officer_id"], body)
    assert r.status_code == 200 and "password" not in r.get_json(), r.get_json()
    assert _revoked(api.get("/auth/me", headers=_bearer(people["officer"])))
    assert _login(api, "can-bo").status_code == 401
    assert _login(api, "can-bo", "mat-khau-moi-2027").status_code == 200


def test_signing_out_everywhere_revokes_this_token_and_a_new_sign_in_works_at_once(
    api: FlaskClient, people: dict[str, Any]
) -> None:
    second = _login(api, "can-bo").get_json()["token"]  # another device
    r = api.post("/auth/logout", headers=_bearer(people["officer"]))
    assert r.status_code == 204
    assert _revoked(api.get("/auth/me", headers=_bearer(people["officer"])))
    assert _revoked(api.get("/auth/me", headers=_bearer(second)))  # every device
    again = _login(api, "can-bo").get_json()["token"]
    assert api.get("/auth/me", headers=_bearer(again)).status_code == 200


def test_the_changes_are_audited_on_the_account_chain_with_actor_and_reason(
    api: FlaskClient, people: dict[str, Any], settings: Settings
) -> None:
    _access(api, people["admin"], people["officer_id"], {"active": False, "reason": "Nghỉ việc"})
    _access(
        api, people["admin"], people["officer_id"], {"password": "mat-khau-moi-2027", "reason": "Cấp lại"}
    )
    uow = SqlUnitOfWork(make_engine(settings.database_url), read_only=True)
    with uow:
        trail = uow.audit
        entries = trail.entries(f"user:{people['officer_id']}")
        verified = trail.verify_chain(f"user:{people['officer_id']}")
    assert [(e.action, e.actor, e.reason) for e in entries] == [
        ("user.created", "system", None),  # by the fixture's code, not a person
        ("user.access_changed", "quan-tri-hk", "Nghỉ việc"),
        ("user.access_changed", "quan-tri-hk", "Cấp lại"),
    ]
    assert entries[1].after == {"active": False, "tokens_revoked": True}
    assert entries[2].after == {"password": "set", "tokens_revoked": True}  # never the password itself
    assert "mat-khau-moi" not in str([vars(e) for e in entries])
    with make_engine(settings.database_url).connect() as db:  # the account's owner is told of each change
        bodies = db.execute(
            sa.select(t.outbox.c.body).where(t.outbox.c.event_type == "account.access_changed")
        ).scalars()
        told = [json.loads(b)["payload"] for b in bodies]
    assert [(p["addressee"], p["change"], p["actor"], p["reason"]) for p in told] == [
        ("can-bo", "locked", "quan-tri-hk", "Nghỉ việc"),
        ("can-bo", "password_set", "quan-tri-hk", "Cấp lại"),
    ]
    assert told[0]["role"] == "village_officer" and told[0]["admin_unit_code"] == HOAN_KIEM
    assert "mat-khau-moi" not in str(told)
    assert verified.ok


@pytest.mark.parametrize(
    ("body", "field", "reason_vi", "reason_en"),
    [
        (
            {"reason": "x"},
            "active",
            "Cần khóa/mở khóa (active) hoặc mật khẩu mới (password).",
            "Send active (lock/unlock) or a new password.",
        ),
        ({"password": "ngan", "reason": "x"}, "password", "Từ 10 đến 200 ký tự.", "10-200 characters."),
    ],
    ids=["nothing-to-change", "short-password"],
)
def test_bad_changes_are_422_naming_the_field_and_change_nothing(
    api: FlaskClient, people: dict[str, Any], body: dict[str, Any], field: str, reason_vi: str, reason_en: str
) -> None:
    r = _access(api, people["admin"], people["officer_id"], body)
    assert r.status_code == 422 and r.get_json()["errors"] == {field: [reason_vi]}, r.get_json()
    r = _access(api, people["admin"], people["officer_id"], body, **{"Accept-Language": "en"})
    assert r.status_code == 422 and r.get_json()["errors"] == {field: [reason_en]}, r.get_json()
    assert api.get("/auth/me", headers=_bearer(people["officer"])).status_code == 200


def test_a_missing_reason_is_422_and_an_administrator_cannot_lock_themselves(
    api: FlaskClient, people: dict[str, Any], settings: Settings
) -> None:
    r = _access(api, people["admin"], people["officer_id"], {"active": False})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"], r.get_json()
    r = _access(api, people["admin"], people["officer_id"], {"active": False, "reason": "   "})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]["json"], r.get_json()
    me = api.get("/auth/me", headers=_bearer(people["admin"])).get_json()["id"]
    r = _access(api, people["admin"], me, {"active": False, "reason": "Thử"})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["active"], r.get_json()
    assert api.get("/auth/me", headers=_bearer(people["officer"])).status_code == 200


def test_an_account_outside_my_scope_is_404_like_a_missing_one_and_unchanged(
    api: FlaskClient, people: dict[str, Any]
) -> None:
    hidden = _access(api, people["other_admin"], people["officer_id"], {"active": False, "reason": "x"})
    missing = _access(api, people["other_admin"], "khong-co", {"active": False, "reason": "x"})
    assert hidden.status_code == missing.status_code == 404
    assert api.get("/auth/me", headers=_bearer(people["officer"])).status_code == 200
    officer = _access(api, people["officer"], people["officer_id"], {"active": True, "reason": "x"})
    assert officer.status_code == 403


class _Accounts:
    """A reader over accounts held in memory, counting reads."""

    def __init__(self, user: Any) -> None:
        self.user, self.reads = user, 0
        self.users = self

    def __enter__(self) -> _Accounts:
        return self

    def __exit__(self, *_: Any) -> None:
        return None

    def get(self, user_id: str) -> Any:
        self.reads += 1
        return self.user if self.user is not None and self.user.id == user_id else None


def test_another_process_honours_a_revoked_token_for_at_most_its_seconds(settings: Settings) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    user = create_user(settings.database_url, role="village_officer", scope_code=HOAN_KIEM, username="tu-xa")
    accounts, now = _Accounts(user), [100.0]
    status = TokenStatus(lambda: accounts, ttl=10.0, clock=lambda: now[0])
    token = replace(user.principal(), issued_at_ms=int(datetime.now(UTC).timestamp() * 1000) - 5000)
    status.check(token)
    accounts.user = replace(user, tokens_valid_after=datetime.now(UTC))  # revoked by another process
    now[0] = 109.9
    status.check(token)  # still what this process read 9.9 s ago
    now[0] = 110.0
    with pytest.raises(AuthenticationFailed) as refused:
        status.check(token)
    assert refused.value.reason == "revoked" and accounts.reads == 2
    status.forget(user.id)  # this process made a change: read again at once
    with pytest.raises(AuthenticationFailed):
        status.check(token)
    assert accounts.reads == 3
    service = Principal(
        user_id="service:notifications", username="s", role="administrator", scope_code=None, scope_path=""
    )
    status.check(service)  # the services' own principals have no account: the signature decides
    assert accounts.reads == 3


def test_the_server_cli_locks_an_account_and_sets_a_password(
    api: FlaskClient, people: dict[str, Any], settings: Settings
) -> None:
    from click.testing import CliRunner

    from services.evaluation.cli import cli

    env = {"EVALUATION_DATABASE_URL": settings.database_url, "SECRET_KEY": settings.common.secret_key} | {
        k.upper(): str(v) for k, v in FAST_ARGON2.items()
    }
    runner = CliRunner(env=env)
    locked = runner.invoke(cli, ["set-access", "Can-Bo", "--lock", "--reason", "Nghỉ việc"])
    assert locked.exit_code == 0, locked.output
    assert "locked" in locked.output and _revoked(api.get("/auth/me", headers=_bearer(people["officer"])))
    args = ["set-access", "can-bo", "--unlock", "--password-stdin", "--reason", "Cấp lại mật khẩu"]
    done = runner.invoke(cli, args, input="mat-khau-moi-2027\n")
    assert done.exit_code == 0, done.output
    assert _login(api, "can-bo", "mat-khau-moi-2027").status_code == 200
    nothing = runner.invoke(cli, ["set-access", "can-bo", "--reason", "x"])
    assert nothing.exit_code != 0 and "Nothing to change" in nothing.output
    unknown = runner.invoke(cli, ["set-access", "khong-co", "--lock", "--reason", "x"])
    assert unknown.exit_code != 0 and "no user khong-co" in unknown.output


def test_an_accounts_history_is_read_by_administrators_and_auditors_within_their_scope(
    api: FlaskClient, people: dict[str, Any], settings: Settings
) -> None:
    _access(api, people["admin"], people["officer_id"], {"active": False, "reason": "Nghỉ việc"})
    path = f"/users/{people['officer_id']}/history"
    mine = api.get(path, headers=_bearer(people["admin"]))
    assert mine.status_code == 200 and mine.get_json()["verified"] is True
    assert [(e["action"], e["actor"], e["reason"]) for e in mine.get_json()["entries"]] == [
        ("user.created", "system", None),
        ("user.access_changed", "quan-tri-hk", "Nghỉ việc"),
    ]
    create_user(settings.database_url, role="auditor", scope_code=None, username="kiem-toan-vn")
    auditor = _login(api, "kiem-toan-vn").get_json()["token"]
    assert api.get(path, headers=_bearer(auditor)).get_json()["entries"] == mine.get_json()["entries"]
    assert api.get(path, headers=_bearer(people["other_admin"])).status_code == 404  # not within their scope
    assert api.get("/users/nobody/history", headers=_bearer(people["admin"])).status_code == 404
    create_user(settings.database_url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo-2")
    officer = _login(api, "can-bo-2").get_json()["token"]
    assert api.get(path, headers=_bearer(officer)).status_code == 403
