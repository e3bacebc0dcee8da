"""Apply every service's Alembic migrations to its own database: `python -m infra.migrate`."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from common.settings import database_url

SERVICES = ("evaluation", "awards", "notifications")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(service: str, url: str) -> Config:
    """An Alembic Config for one service's migrations against one database URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS / service))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(service: str, url: str) -> None:
    """Bring one service's database to the newest revision (creating a SQLite file's folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, url), "heads")


def main() -> None:
    """Migrate all three services, each to its configured database."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for service in SERVICES:
        upgrade(service, database_url(service))
        logging.getLogger(__name__).info("migrated %s", service)


if __name__ == "__main__":
    main()
