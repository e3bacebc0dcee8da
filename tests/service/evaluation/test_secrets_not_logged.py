"""Secrets come from the environment only and never reach the logs: sign-in (right and wrong), tokens,
account creation, an unexpected error and a failing database leave no password, token, signing key or
database password in any log record at DEBUG level, nor in the settings' repr."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from common.settings import CommonSettings
from infra.migrate import upgrade
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from tests.signin import FAST_ARGON2, PASSWORD, create_user

SECRET = "never-log-this-signing-key-4242"
S3_SECRET = "never-log-this-s3-secret-4242"
NEW_PASSWORD = "mat-khau-moi-khong-duoc-ghi-log"
DB_PASSWORD = "db-password-never-logged-4242"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    upgrade("evaluation", url)
    common = CommonSettings(secret_key=SECRET, s3_secret_key=S3_SECRET)
    return Settings(database_url=url, common=common, **FAST_ARGON2)


def test_settings_repr_hides_every_secret() -> None:
    env = {
        "SECRET_KEY": SECRET,
        "S3_SECRET_KEY": S3_SECRET,
        "EVALUATION_DATABASE_URL": f"postgresql+psycopg://app:{DB_PASSWORD}@db/evaluation",
        "BROKER_URL": f"amqp://app:{DB_PASSWORD}@mq:5672/",
    }
    text = repr(Settings.from_env(env))
    assert SECRET not in text and S3_SECRET not in text and DB_PASSWORD not in text


def test_nothing_secret_in_the_logs(
    settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    admin = create_user(settings.database_url, role="administrator", scope_code=None, username="quan-tri")
    api: FlaskClient = create_app(settings).test_client()
    caplog.set_level(logging.DEBUG)
    ok = api.post("/auth/login", json={"username": admin.username, "password": PASSWORD})
    token = ok.get_json()["token"]
    api.post("/auth/login", json={"username": admin.username, "password": NEW_PASSWORD})
    headers = {"Authorization": f"Bearer {token}"}
    api.get("/auth/me", headers=headers)
    created = api.post(
        "/users",
        json={"username": "can-bo-moi", "full_name": "Cán bộ", "password": NEW_PASSWORD, "role": "auditor",
              "scope_code": None},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201
    from services.evaluation.service import users

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(users, "current_user", boom)
    assert api.get("/auth/me", headers=headers).status_code == 500  # logged with its traceback
    monkeypatch.undo()
    with sqlite3.connect(tmp_path / "evaluation.db") as conn:  # a failing statement with bound values
        conn.execute("DROP TABLE users")
    api.post("/auth/login", json={"username": admin.username, "password": NEW_PASSWORD})
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "unhandled error" in text  # the logs were captured at all
    for secret in (PASSWORD, NEW_PASSWORD, token, SECRET, S3_SECRET):
        assert secret not in text
