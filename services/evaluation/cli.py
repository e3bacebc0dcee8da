"""Evaluation command line: `python -m services.evaluation.cli --help` (entrypoint)."""

from __future__ import annotations

import click

from common.db import make_engine
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.config import Settings
from services.evaluation.service import admin_units


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Evaluation service administration."""
    ctx.obj = Settings.from_env()


@cli.command("sync-admin-units")
@click.pass_obj
def sync_admin_units(settings: Settings) -> None:
    """Load the official 34 provinces and 3,321 communes (idempotent)."""
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    inserted, updated = admin_units.sync_official_units(uow, units=official_units())
    click.echo(f"admin units: {inserted} added, {updated} renamed")


if __name__ == "__main__":
    cli()
