"""Evaluation: subjects (households, citizens, clans, units) and plan documents.

Revision ID: eval_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0003"
down_revision = "eval_0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(10), sa.ForeignKey("admin_units.code"), nullable=False),
        sa.Column("household_code", sa.String(40), nullable=False),
        sa.Column("village_code", sa.String(40), sa.ForeignKey("admin_units.code"), nullable=False),
        sa.Column("head_name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.UniqueConstraint("commune_code", "household_code", name="uq_households_natural_key"),
    )
    op.create_index("ix_households_village", "households", ["village_code"])
    op.create_table(
        "citizens",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("citizen_key", sa.String(80), nullable=False, unique=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("birth_year", sa.Integer, nullable=False),
        sa.Column("gender", sa.String(10), nullable=False),
        sa.Column("citizen_group", sa.String(20), nullable=False),
        sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), nullable=True),
        sa.Column("relation", sa.String(20), nullable=True),
    )
    op.create_index("ix_citizens_household", "citizens", ["household_id"])
    op.create_table(
        "clans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(10), sa.ForeignKey("admin_units.code"), nullable=False),
        sa.Column("clan_code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.UniqueConstraint("commune_code", "clan_code", name="uq_clans_natural_key"),
    )
    op.create_table(
        "clan_households",
        sa.Column("clan_id", sa.String(36), sa.ForeignKey("clans.id"), primary_key=True),
        sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), primary_key=True),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("commune_code", sa.String(10), sa.ForeignKey("admin_units.code"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.UniqueConstraint("commune_code", "unit_code", name="uq_units_natural_key"),
    )
    op.create_table(
        "unit_members",
        sa.Column("unit_id", sa.String(36), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("citizen_key", sa.String(80), primary_key=True),
        sa.Column("full_name", sa.String(200), nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("code", sa.String(80), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("name_vi", sa.String(400), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("uploaded_by", sa.String(120), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.Column("activated_at", TS, nullable=True),
    )


def downgrade() -> None:
    for table in ("plans", "unit_members", "units", "clan_households", "clans", "citizens", "households"):
        op.drop_table(table)
