"""Anchor the audit trails of the services that keep one in object storage, and check them against the
anchors (common/audit_anchor.py, docs/audit.md "Anchors"):

    python -m infra.audit_anchors anchor          # once (a cron job / Kubernetes CronJob in production)
    python -m infra.audit_anchors verify          # exit code 1 when a database no longer matches
    python -m infra.audit_anchors loop --every 3600   # `make run`: anchor every hour

Each service's database comes from its usual setting (EVALUATION_DATABASE_URL, AWARDS_DATABASE_URL), the
bucket from AUDIT_ANCHOR_BUCKET on the S3 server of the other services.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import click
import sqlalchemy as sa
from sqlalchemy import Engine

from common.audit import verify_all
from common.audit_anchor import DEFAULT_SETTLE, AnchorStore, take_anchor, verify_anchors
from common.db import make_engine
from common.settings import CommonSettings, database_url
from common.storage import ObjectStorage

logger = logging.getLogger(__name__)
RETRY_SECONDS = 60


def audit_tables() -> dict[str, sa.Table]:
    """The audit log of each service that keeps one."""
    from services.awards.adapters import tables as awards
    from services.evaluation.adapters import tables as evaluation

    return {"evaluation": evaluation.audit, "awards": awards.audit_log}


def _audited_databases() -> Iterator[tuple[str, sa.Table, Engine]]:
    """Each service keeping an audit trail, its log and an engine on its database (disposed after)."""
    for service, table in audit_tables().items():
        engine = make_engine(database_url(service))
        try:
            yield service, table, engine
        finally:
            engine.dispose()


def anchor_storage(common: CommonSettings) -> ObjectStorage:
    """The anchors' bucket (created when missing)."""
    storage = ObjectStorage.on(common, common.audit_anchor_bucket)
    storage.ensure_bucket()
    return storage


def anchor_all(common: CommonSettings, settle: timedelta = DEFAULT_SETTLE) -> None:
    """Take one anchor per service (nothing for a service with nothing new)."""
    storage = anchor_storage(common)
    for service, table, engine in _audited_databases():
        anchor = take_anchor(engine, table, AnchorStore(storage, service), service=service, settle=settle)
        if anchor is None:
            click.echo(f"{service}: nothing new to anchor")
        else:
            click.echo(
                f"{service}: anchored entries {anchor.seq_from + 1}–{anchor.seq_to} ({anchor.entries}),"
                f" digest {anchor.digest[:16]}…"
            )


@click.group()
def cli() -> None:
    """Audit anchors."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@cli.command("anchor")
@click.option("--settle-seconds", default=int(DEFAULT_SETTLE.total_seconds()), show_default=True)
def anchor(settle_seconds: int) -> None:
    """Anchor every service's entries appended since its last anchor."""
    anchor_all(CommonSettings.from_env(), timedelta(seconds=settle_seconds))


@cli.command("verify")
def verify() -> None:
    """Is every audit trail intact? Each service's chains are verified (an entry changed, inserted or
    removed) and its anchors recomputed (a chain rewritten consistently, which its own verification
    accepts); exit code 1 on any problem."""
    common = CommonSettings.from_env()
    storage = anchor_storage(common)
    failed = False
    for service, table, engine in _audited_databases():
        with engine.connect() as conn:
            chains = verify_all(conn, table)
        count, problems = verify_anchors(engine, table, AnchorStore(storage, service))
        for c in chains.problems:
            click.echo(f"{service}: {c.chain}: {c.kind}: {c.problem}", err=True)
        for p in problems:
            click.echo(f"{service}: anchor {p.kind}: {p.problem}", err=True)
        click.echo(
            f"{service}: {chains.chains} chains, {chains.bad_chains} tampered; "
            f"{count} anchors, {len(problems)} problems"
        )
        failed = failed or not chains.ok or bool(problems)
    if failed:
        raise SystemExit(1)


@cli.command("loop")
@click.option("--every", "every_seconds", default=3600, show_default=True, help="Seconds between anchors.")
@click.option("--settle-seconds", default=int(DEFAULT_SETTLE.total_seconds()), show_default=True)
def loop(every_seconds: int, settle_seconds: int) -> None:
    """Anchor every `--every` seconds until stopped. A round that fails (the S3 server or a database not
    up yet, or down) is logged and tried again within a minute; nothing is lost meanwhile, since each
    anchor starts where the last one stored ended."""
    common = CommonSettings.from_env()
    while True:
        wait = every_seconds
        try:
            anchor_all(common, timedelta(seconds=settle_seconds))
        except Exception:  # a daemon beside the stack: one bad round must not stop it (or `make run`)
            logger.exception("audit anchors: this round failed; trying again shortly")
            wait = min(every_seconds, RETRY_SECONDS)
        time.sleep(wait)


if __name__ == "__main__":
    cli()
