"""Awards: award rounds, outbox.

Revision ID: awards_0001
"""

import sqlalchemy as sa
from alembic import op

from infra.migrations.helpers import create_outbox_table

revision = "awards_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "award_rounds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("plan_code", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("admin_unit_code", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("plan_code", "kind", "year", "admin_unit_code", name="uq_round_natural_key"),
    )
    create_outbox_table(op)


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("award_rounds")
