"""Notifications service tests: a migrated SQLite database per test (copied from one migrated once per
session, which keeps these tests fast) and the unit of work over it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from common.db import make_engine
from infra.migrate import upgrade
from services.notifications.adapters.unit_of_work import SqlUnitOfWork


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
