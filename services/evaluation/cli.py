"""Evaluation command line: `python -m services.evaluation.cli --help` (entrypoint)."""

from __future__ import annotations

import click

from common.db import make_engine
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.config import Settings
from services.evaluation.documents.plans import PLANS_DIR
from services.evaluation.service import admin_units, plans


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


@cli.command("sync-plans")
@click.pass_obj
def sync_plans(settings: Settings) -> None:
    """Store the shipped seed plans; activate each one that has no active version yet (idempotent)."""
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    for path in sorted(PLANS_DIR.glob("*.yaml")):
        stored, created = plans.upload_plan(uow, document=path.read_text(encoding="utf-8"), uploaded_by="system")
        with uow:
            has_active = uow.plans.active(stored.code) is not None
        if not has_active:
            plans.activate_plan(uow, code=stored.code, version=stored.version)
        click.echo(f"plan {stored.code} v{stored.version}: {'stored' if created else 'unchanged'}")


if __name__ == "__main__":
    cli()
