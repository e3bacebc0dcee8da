"""Evaluation command line: `python -m services.evaluation.cli --help` (entrypoint)."""

from __future__ import annotations

from pathlib import Path

import click

from common.auth import ADMINISTRATOR, NATIONAL_SCOPE_PATH, ROLES, Principal
from common.db import make_engine
from common.errors import DomainError
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


@cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The account's role.")
@click.option("--scope", "scope_code", help="The admin unit the user answers for (its code).")
@click.option("--national", is_flag=True, help="Scope the user to the whole country instead of a unit.")
@click.option("--full-name", help="Full name (default: the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--household", "subject_id", help="household_representative: the id of its household.")
@click.pass_obj
def create_user(
    settings: Settings,
    username: str,
    role: str,
    scope_code: str | None,
    national: bool,
    full_name: str | None,
    password_stdin: bool,
    subject_id: str | None,
) -> None:
    """Create an account, e.g. the first administrator (password prompted, or --password-stdin)."""

    from services.evaluation.app import build_passwords
    from services.evaluation.service import users

    if national == (scope_code is not None):
        raise click.UsageError("give exactly one of --scope CODE or --national")
    password = _read_password(password_stdin, "Password")
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    try:
        user = users.create_user(
            uow,
            build_passwords(settings),
            username=username,
            full_name=full_name or username,
            password=password,
            role=role,
            scope_code=scope_code,
            subject_id=subject_id,
            created_by=_operator(),
        )
    except DomainError as exc:
        raise _refused(exc) from exc
    click.echo(f"user {user.username} ({user.role}, scope {user.scope_code or 'national'}): {user.id}")


@cli.command("set-access")
@click.argument("username")
@click.option("--unlock/--lock", "active", default=None, help="Unlock or lock the account.")
@click.option("--set-password", is_flag=True, help="Set a new password (prompted, or --password-stdin).")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin.")
@click.option("--reason", required=True, help="Why (recorded in the account's audit chain).")
@click.pass_obj
def set_access(
    settings: Settings,
    username: str,
    active: bool | None,
    set_password: bool,
    password_stdin: bool,
    reason: str,
) -> None:
    """Lock or unlock an account or set its password from the server (e.g. the only administrator's
    forgotten password); the account's tokens stop counting, as with POST /users/{id}/access."""
    from services.evaluation.app import build_passwords
    from services.evaluation.domain.users import normalize_username
    from services.evaluation.service import users

    password = _read_password(password_stdin, "New password") if set_password or password_stdin else None
    uow = SqlUnitOfWork(make_engine(settings.database_url))
    with uow:
        user = uow.users.get_by_username(normalize_username(username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    try:
        changed = users.change_access(
            uow,
            build_passwords(settings),
            user_id=user.id,
            by=_operator(),
            reason=reason,
            active=active,
            password=password,
        )
    except DomainError as exc:
        raise _refused(exc) from exc
    click.echo(f"user {changed.username}: {'active' if changed.active else 'locked'}; its tokens are revoked")


def _operator() -> Principal:
    """Whoever runs the command on the server, as the actor of its audit entries ("cli:<os user>"): a
    national administrator."""
    import getpass

    operator = f"cli:{getpass.getuser()}"
    return Principal(
        user_id=operator,
        username=operator,
        role=ADMINISTRATOR,
        scope_code=None,
        scope_path=NATIONAL_SCOPE_PATH,
    )


def _read_password(from_stdin: bool, prompt: str) -> str:
    """A password from the first line of stdin (scripts) or typed twice without echo."""
    import sys

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _refused(exc: DomainError) -> click.ClickException:
    """A use case's refusal as the command's error: its English message and field reasons."""
    return click.ClickException(f"{exc.message_en} {exc.errors_for(english=True) or ''}".strip())


@cli.command("verify-audit")
@click.option("--case", "case_id", help="Verify only this case's chain.")
@click.option("--max-problems", default=100, show_default=True, help="How many problems to list.")
@click.pass_obj
def verify_audit(settings: Settings, case_id: str | None, max_problems: int) -> None:
    """Recompute the hash chains of the audit trail; exit code 1 when an entry was altered, added or removed."""
    from services.evaluation.service import audit

    uow = SqlUnitOfWork(make_engine(settings.database_url))
    if case_id:
        report = audit.verify_case(uow, case_id=case_id)
    else:
        report = audit.verify_audit(uow, max_problems=max_problems)
    for problem in report.problems:
        where = f"entry {problem.first_bad_seq}" if problem.first_bad_seq is not None else "end of chain"
        click.echo(f"{problem.chain}: {problem.kind} at {where}: {problem.problem}", err=True)
    click.echo(f"audit: {report.chains} chains, {report.entries} entries, {report.bad_chains} tampered")
    if not report.ok:
        raise SystemExit(1)


# Demo accounts for `make run`: one per role on the demo commune (Phường Vũng Tàu, HCMC, which a shipped
# plan covers); the auditor and the administrator answer for the whole country. docs/web.md lists them.
# The demo register (two residential groups, three households: infra/samples/demo/) is imported first, and
# the household representative's account is linked to household H001.
DEMO_COMMUNE = "26506"
DEMO_REGISTER = Path(__file__).resolve().parents[2] / "infra" / "samples" / "demo"
DEMO_HOUSEHOLD = "H001"
DEMO_PASSWORD = "hoc-tap-2026"
DEMO_USERS = (
    ("ho-gia-dinh", "household_representative", "Nguyễn Văn Hộ", DEMO_COMMUNE),
    ("truong-thon", "village_officer", "Trần Thị Thôn", DEMO_COMMUNE),
    ("can-bo-hoi", "commune_association_officer", "Lê Văn Hội", DEMO_COMMUNE),
    ("trung-tam", "learning_centre_staff", "Phạm Thị Tâm", DEMO_COMMUNE),
    ("chu-tich", "commune_chairman", "Hoàng Văn Chủ", DEMO_COMMUNE),
    ("thu-truong", "unit_head", "Vũ Thị Trưởng", DEMO_COMMUNE),
    ("kiem-toan", "auditor", "Đặng Văn Kiểm", None),
    ("quan-tri", "administrator", "Bùi Thị Quản", None),
)


@cli.command("seed-demo")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="The demo accounts' password.")
@click.pass_obj
def seed_demo(settings: Settings, password: str) -> None:
    """Create one demo account per role on the demo commune (idempotent: existing accounts are kept)."""
    from services.evaluation.app import build_passwords
    from services.evaluation.service import users

    uow = SqlUnitOfWork(make_engine(settings.database_url))
    hasher = build_passwords(settings)
    household_id = _import_demo_register(uow)
    for username, role, full_name, scope_code in DEMO_USERS:
        try:
            users.create_user(
                uow,
                hasher,
                username=username,
                full_name=full_name,
                password=password,
                role=role,
                scope_code=scope_code,
                subject_id=household_id if role == "household_representative" else None,
                created_by=_operator(),
            )
            state = "created"
        except DomainError as exc:
            if exc.status != 409:
                raise click.ClickException(
                    f"{username}: {exc.message_en} {exc.errors_for(english=True) or ''}"
                ) from exc
            state = "exists"
        click.echo(f"demo user {username:<12} {role:<28} {scope_code or 'national':<8} {state}")


def _import_demo_register(uow: SqlUnitOfWork) -> str:
    """Import the demo commune's villages and households (a re-import changes nothing); the id of the
    demo household."""
    from services.evaluation.service import subjects

    for kind in ("villages", "households"):
        run = imports.import_subjects(
            uow,
            kind=kind,
            file_name=f"{kind}.csv",
            source=str(DEMO_REGISTER / f"{kind}.csv"),
            file_format="csv",
            options=ImportOptions(commune_code=DEMO_COMMUNE),
            created_by="seed-demo",
        )
        if run.status != "imported":
            raise click.ClickException(f"demo {kind}: {run.entries[:3]}")
    page = subjects.list_subjects(uow, kind="household", within=DEMO_COMMUNE, limit=1000)
    return next(str(h["id"]) for h in page.items if h["code"] == DEMO_HOUSEHOLD)


if __name__ == "__main__":
    cli()
