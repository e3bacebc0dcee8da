"""Evaluation: join the four branches grown in parallel; evidence verdicts.

Revision ID: eval_0008
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0008"
down_revision = ("eval_0004_audit", "eval_0005_users", "eval_0006_imports", "eval_0007_progress")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("verdict", sa.String(30), nullable=True))
        batch.add_column(sa.Column("verdict_reason", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("verdict_by", sa.String(120), nullable=True))
        batch.add_column(sa.Column("verdict_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        for column in ("verdict_at", "verdict_by", "verdict_reason", "verdict"):
            batch.drop_column(column)
