"""Fixtures shared by the service tests: an evaluation database holding the admin tree, migrated and
loaded once per session and copied for each test that needs one (loading the tree per test is slow)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def evaluation_admin_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated evaluation SQLite file with the official admin tree, for copying (never written)."""
    from common.db import make_engine
    from infra.migrate import upgrade
    from services.evaluation.adapters.official_units import official_units
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service.admin_units import sync_official_units

    path = tmp_path_factory.mktemp("evaluation-admin-tree") / "reference.db"
    upgrade("evaluation", f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    sync_official_units(SqlUnitOfWork(engine), units=official_units())
    engine.dispose()
    return path


def copy_of(template: Path, tmp_path: Path) -> str:
    """A test's own evaluation database: a copy of `template`, as a URL."""
    db = tmp_path / "evaluation.db"
    with sqlite3.connect(template) as source, sqlite3.connect(db) as target:
        source.backup(target)
    return f"sqlite:///{db}"
