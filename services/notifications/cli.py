"""Notifications command line: `python -m services.notifications.cli --help` (entrypoint)."""

from __future__ import annotations

import logging

import click

from common.db import make_engine
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.bootstrap import build_senders, send_policy
from services.notifications.config import Settings
from services.notifications.service import digests, dispatch


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Notifications service administration."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings.from_env()


@cli.command("send-digests")
@click.pass_obj
def send_digests(settings: Settings) -> None:
    """Make today's digest e-mail of each user with waiting deadline notices, and send them (idempotent
    per day: run it once a day, e.g. 07:00 Vietnam time)."""
    if not settings.smtp.enabled:
        raise click.ClickException("e-mail is disabled: set SMTP_HOST")
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    created = digests.send_digests(uow, now=dispatch.utc_now())
    report = dispatch.dispatch_due(uow, senders=build_senders(settings), policy=send_policy(settings))
    click.echo(
        f"digests: {created} made; sent {report.sent}, retrying {report.retrying}, failed {report.failed}"
    )


@cli.command("send-pending")
@click.pass_obj
def send_pending(settings: Settings) -> None:
    """Send every e-mail and webhook delivery that is due now (the consumer also does this periodically)."""
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    report = dispatch.dispatch_due(
        uow, senders=build_senders(settings), policy=send_policy(settings), limit=1000
    )
    click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")


if __name__ == "__main__":
    cli()
