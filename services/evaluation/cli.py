"""Evaluation command line: `python -m services.evaluation.cli --help` (entrypoint)."""

from __future__ import annotations

import click

from common.db import make_engine
from services.evaluation.adapters.official_units import official_units
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.config import Settings
from services.evaluation.documents.plans import PLANS_DIR
from services.evaluation.imports import ImportOptions, format_for_name
from services.evaluation.imports.records import IMPORT_KINDS
from services.evaluation.service import admin_units, imports, plans


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
        stored, created = plans.upload_plan(
            uow, document=path.read_text(encoding="utf-8"), uploaded_by="system"
        )
        with uow:
            has_active = uow.plans.active(stored.code) is not None
        if not has_active:
            plans.activate_plan(uow, code=stored.code, version=stored.version)
        click.echo(f"plan {stored.code} v{stored.version}: {'stored' if created else 'unchanged'}")


@cli.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--commune", "commune_code", help="The commune the file belongs to (5-digit code).")
@click.option("--actor", default="cli", show_default=True, help="Who is importing, for the record.")
@click.pass_obj
def import_file(settings: Settings, kind: str, path: str, commune_code: str | None, actor: str) -> None:
    """Import villages, households (with members), clans or units from a .csv or .xlsx file."""
    from tqdm import tqdm

    uow = SqlUnitOfWork(make_engine(settings.database_url))
    with tqdm(desc=f"importing {kind}", unit=" records") as bar:
        run = imports.import_subjects(
            uow,
            kind=kind,
            file_name=path,
            source=path,
            file_format=format_for_name(path),  # type: ignore[arg-type]
            options=ImportOptions(commune_code=commune_code),
            created_by=actor,
            progress=bar.update,
        )
    if run.status != "imported":
        for entry in run.entries:
            click.echo(
                f"row {entry['row']}, {entry['field']}: {entry['message_vi']} / {entry['message_en']}",
                err=True,
            )
        raise SystemExit(f"{run.entry_count} problem(s): nothing imported (run {run.id})")
    click.echo(f"imported {run.rows} rows: " + ", ".join(f"{k} {v}" for k, v in sorted(run.written.items())))


if __name__ == "__main__":
    cli()
