"""Evaluation: the administrative tree.

Revision ID: eval_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0002"
down_revision = "eval_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_units",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("parent_code", sa.String(40), sa.ForeignKey("admin_units.code"), nullable=True),
        sa.Column("path", sa.String(200), nullable=False, unique=True),
    )
    op.create_index("ix_admin_units_parent", "admin_units", ["parent_code"])


def downgrade() -> None:
    op.drop_table("admin_units")
