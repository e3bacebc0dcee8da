"""Notifications service tests: a migrated SQLite database per test (copied from one migrated once per
session, which keeps these tests fast) and the unit of work over it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from common.db import make_engine
from infra.migrate import upgrade
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.adapters.url_guard import WebhookUrlGuard
from services.notifications.app import create_app
from services.notifications.config import Settings
from tests.service.notifications.clients import fake_dns
from tests.unit.notifications.fakes import FakePublisher


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notifications-template") / "notifications.db"
    upgrade("notifications", f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(tmp_path: Path, migrated_template: Path) -> Engine:
    path = tmp_path / "notifications.db"
    shutil.copyfile(migrated_template, path)
    return make_engine(f"sqlite:///{path}")


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine)


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def app(engine: Engine, publisher: FakePublisher) -> Flask:
    """The notifications app on the test database, a fake publisher and a fixed DNS for the SSRF guard."""
    app = create_app(Settings(database_url=str(engine.url)))
    app.extensions["notifications"].publisher = publisher
    app.extensions["notifications"].url_guard = WebhookUrlGuard(resolve=fake_dns)
    return app
