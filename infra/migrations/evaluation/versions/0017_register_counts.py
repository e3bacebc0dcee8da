"""Evaluation: `register_counts`, the size of each register per commune and village, kept by triggers.

The progress report divides by the registers (households, citizens of working age, clans, units). It
counted them on every call: a GROUP BY over every household of the report's communes (250,000 of them
city-wide, ~40 ms), beside the recognised cases. The counts are now kept up to date by triggers on the
register tables, in the writing transaction, whoever writes (the import, a COPY, a test): the report
reads one row per (kind, commune, village, birth year).

Rows: kind `households` (birth_year 0), `citizens` (per birth year, placed by their household; a citizen
without a household is not counted), `clans` and `units` (village_code '', kept per commune only).
A count may fall to 0 and stay as a row; readers ignore it.

PostgreSQL: inserts and deletes by statement-level triggers with transition tables (one grouped upsert
per statement, so a batch insert of thousands of rows costs one statement); updates by row-level triggers
that run only for a row that moves (WHEN). SQLite: row-level triggers.

Revision ID: eval_0017
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0017"
down_revision = "eval_0016"
branch_labels = None
depends_on = None

_UPSERT = (
    "INSERT INTO register_counts (kind, commune_code, village_code, birth_year, n) {select} "
    "ON CONFLICT (kind, commune_code, village_code, birth_year) DO UPDATE SET n = register_counts.n + excluded.n"
)


def _pg_upsert(select: str) -> str:
    return _UPSERT.format(select=select) + ";"


# --- PostgreSQL -----------------------------------------------------------------------------------------
# Inserts and deletes: statement-level triggers with transition tables (a batch of thousands of rows is one
# grouped upsert). Updates: row-level triggers whose WHEN lets only a row that moves (another commune or
# village, birth year or household) call the function, so the import's per-row UPDATEs of names cost nothing.

_PG_FUNCTIONS = {
    "register_counts_households": f"""
BEGIN
    IF TG_OP = 'INSERT' THEN
        {
        _pg_upsert(
            "SELECT 'households', commune_code, village_code, 0, count(*) FROM new_rows "
            "GROUP BY commune_code, village_code"
        )
    }
    ELSE
        {
        _pg_upsert(
            "SELECT 'households', commune_code, village_code, 0, -count(*) FROM old_rows "
            "GROUP BY commune_code, village_code"
        )
    }
    END IF;
    RETURN NULL;
END
""",
    "register_counts_household_moved": f"""
BEGIN
    {_pg_upsert("SELECT 'households', OLD.commune_code, OLD.village_code, 0, -1")}
    {_pg_upsert("SELECT 'households', NEW.commune_code, NEW.village_code, 0, 1")}
    {
        _pg_upsert(
            "SELECT 'citizens', OLD.commune_code, OLD.village_code, birth_year, -count(*) FROM citizens "
            "WHERE household_id = OLD.id GROUP BY birth_year"
        )
    }
    {
        _pg_upsert(
            "SELECT 'citizens', NEW.commune_code, NEW.village_code, birth_year, count(*) FROM citizens "
            "WHERE household_id = NEW.id GROUP BY birth_year"
        )
    }
    RETURN NULL;
END
""",
    "register_counts_citizens": f"""
BEGIN
    IF TG_OP = 'INSERT' THEN
        {
        _pg_upsert(
            "SELECT 'citizens', h.commune_code, h.village_code, z.birth_year, count(*) "
            "FROM new_rows z JOIN households h ON h.id = z.household_id "
            "GROUP BY h.commune_code, h.village_code, z.birth_year"
        )
    }
    ELSE
        {
        _pg_upsert(
            "SELECT 'citizens', h.commune_code, h.village_code, z.birth_year, -count(*) "
            "FROM old_rows z JOIN households h ON h.id = z.household_id "
            "GROUP BY h.commune_code, h.village_code, z.birth_year"
        )
    }
    END IF;
    RETURN NULL;
END
""",
    "register_counts_citizen_moved": f"""
BEGIN
    {
        _pg_upsert(
            "SELECT 'citizens', commune_code, village_code, OLD.birth_year, -1 FROM households "
            "WHERE id = OLD.household_id"
        )
    }
    {
        _pg_upsert(
            "SELECT 'citizens', commune_code, village_code, NEW.birth_year, 1 FROM households "
            "WHERE id = NEW.household_id"
        )
    }
    RETURN NULL;
END
""",
    # clans and units (the kind is the trigger's argument): kept per commune only.
    "register_counts_per_commune": f"""
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_upsert("SELECT TG_ARGV[0], commune_code, '', 0, count(*) FROM new_rows GROUP BY commune_code")}
    ELSE
        {_pg_upsert("SELECT TG_ARGV[0], commune_code, '', 0, -count(*) FROM old_rows GROUP BY commune_code")}
    END IF;
    RETURN NULL;
END
""",
    "register_counts_moved_per_commune": f"""
BEGIN
    {_pg_upsert("SELECT TG_ARGV[0], OLD.commune_code, '', 0, -1")}
    {_pg_upsert("SELECT TG_ARGV[0], NEW.commune_code, '', 0, 1")}
    RETURN NULL;
END
""",
}
# table: (statement-level function, row-level function on a move, its argument, the columns of a move)
_PG_TABLES = {
    "households": (
        "register_counts_households",
        "register_counts_household_moved",
        "",
        ("commune_code", "village_code"),
    ),
    "citizens": (
        "register_counts_citizens",
        "register_counts_citizen_moved",
        "",
        ("household_id", "birth_year"),
    ),
    "clans": (
        "register_counts_per_commune",
        "register_counts_moved_per_commune",
        "'clans'",
        ("commune_code",),
    ),
    "units": (
        "register_counts_per_commune",
        "register_counts_moved_per_commune",
        "'units'",
        ("commune_code",),
    ),
}
_REFERENCING = {"INSERT": "REFERENCING NEW TABLE AS new_rows", "DELETE": "REFERENCING OLD TABLE AS old_rows"}


def _postgres_up() -> None:
    for name, body in _PG_FUNCTIONS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body${body}$body$"
        )
    for table, (function, moved, argument, columns) in _PG_TABLES.items():
        for event, referencing in _REFERENCING.items():
            op.execute(
                f"CREATE TRIGGER register_counts_{table}_{event.lower()} AFTER {event} ON {table} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}({argument})"
            )
        when = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        op.execute(
            f"CREATE TRIGGER register_counts_{table}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {moved}({argument})"
        )


def _postgres_down() -> None:
    for table in _PG_TABLES:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS register_counts_{table}_{event} ON {table}")
    for name in _PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")


# --- SQLite ----------------------------------------------------------------------------------------------


def _sqlite_add(values: str) -> str:
    """An upsert adding one row's contribution (a SELECT with a WHERE, as SQLite's upsert needs)."""
    return _UPSERT.format(select=values).replace("register_counts.n + excluded.n", "n + excluded.n") + ";"


_SQLITE_TRIGGERS = {
    "households_insert": (
        "AFTER INSERT ON households",
        _sqlite_add("SELECT 'households', NEW.commune_code, NEW.village_code, 0, 1 WHERE true"),
    ),
    "households_delete": (
        "AFTER DELETE ON households",
        _sqlite_add("SELECT 'households', OLD.commune_code, OLD.village_code, 0, -1 WHERE true"),
    ),
    "households_update": (
        "AFTER UPDATE OF commune_code, village_code ON households "
        "WHEN OLD.commune_code <> NEW.commune_code OR OLD.village_code <> NEW.village_code",
        _sqlite_add("SELECT 'households', OLD.commune_code, OLD.village_code, 0, -1 WHERE true")
        + _sqlite_add("SELECT 'households', NEW.commune_code, NEW.village_code, 0, 1 WHERE true")
        + _sqlite_add(
            "SELECT 'citizens', OLD.commune_code, OLD.village_code, birth_year, -count(*) FROM citizens "
            "WHERE household_id = OLD.id GROUP BY birth_year"
        )
        + _sqlite_add(
            "SELECT 'citizens', NEW.commune_code, NEW.village_code, birth_year, count(*) FROM citizens "
            "WHERE household_id = NEW.id GROUP BY birth_year"
        ),
    ),
    "citizens_insert": (
        "AFTER INSERT ON citizens",
        _sqlite_add(
            "SELECT 'citizens', commune_code, village_code, NEW.birth_year, 1 FROM households "
            "WHERE id = NEW.household_id"
        ),
    ),
    "citizens_delete": (
        "AFTER DELETE ON citizens",
        _sqlite_add(
            "SELECT 'citizens', commune_code, village_code, OLD.birth_year, -1 FROM households "
            "WHERE id = OLD.household_id"
        ),
    ),
    "citizens_update": (
        "AFTER UPDATE OF household_id, birth_year ON citizens "
        "WHEN OLD.household_id IS NOT NEW.household_id OR OLD.birth_year <> NEW.birth_year",
        _sqlite_add(
            "SELECT 'citizens', commune_code, village_code, OLD.birth_year, -1 FROM households "
            "WHERE id = OLD.household_id"
        )
        + _sqlite_add(
            "SELECT 'citizens', commune_code, village_code, NEW.birth_year, 1 FROM households "
            "WHERE id = NEW.household_id"
        ),
    ),
}
for _kind in ("clans", "units"):
    _SQLITE_TRIGGERS[f"{_kind}_insert"] = (
        f"AFTER INSERT ON {_kind}",
        _sqlite_add(f"SELECT '{_kind}', NEW.commune_code, '', 0, 1 WHERE true"),
    )
    _SQLITE_TRIGGERS[f"{_kind}_delete"] = (
        f"AFTER DELETE ON {_kind}",
        _sqlite_add(f"SELECT '{_kind}', OLD.commune_code, '', 0, -1 WHERE true"),
    )
    _SQLITE_TRIGGERS[f"{_kind}_update"] = (
        f"AFTER UPDATE OF commune_code ON {_kind} WHEN OLD.commune_code <> NEW.commune_code",
        _sqlite_add(f"SELECT '{_kind}', OLD.commune_code, '', 0, -1 WHERE true")
        + _sqlite_add(f"SELECT '{_kind}', NEW.commune_code, '', 0, 1 WHERE true"),
    )


# --- both ------------------------------------------------------------------------------------------------

_BACKFILL = [
    "SELECT 'households', commune_code, village_code, 0, count(*) FROM households "
    "GROUP BY commune_code, village_code",
    "SELECT 'citizens', h.commune_code, h.village_code, z.birth_year, count(*) "
    "FROM citizens z JOIN households h ON h.id = z.household_id "
    "GROUP BY h.commune_code, h.village_code, z.birth_year",
    "SELECT 'clans', commune_code, '', 0, count(*) FROM clans GROUP BY commune_code",
    "SELECT 'units', commune_code, '', 0, count(*) FROM units GROUP BY commune_code",
]


def upgrade() -> None:
    op.create_table(
        "register_counts",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("commune_code", sa.String(10), primary_key=True),
        sa.Column("village_code", sa.String(40), primary_key=True),
        sa.Column("birth_year", sa.Integer, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    for select in _BACKFILL:
        op.execute(f"INSERT INTO register_counts (kind, commune_code, village_code, birth_year, n) {select}")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgres_up()
    elif dialect == "sqlite":
        for name, (when, body) in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER register_counts_{name} {when} BEGIN {body} END")
    else:
        # The project runs on SQLite (embedded) and PostgreSQL (production) only: a database whose
        # triggers are not written here would keep register_counts stale, so the migration stops.
        raise RuntimeError(
            f"register_counts is kept by triggers written for SQLite and PostgreSQL only, not {dialect}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_down()
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS register_counts_{name}")
    op.drop_table("register_counts")
