"""Evaluation: users' e-mail addresses (for the notifications directory).

Revision ID: eval_0009
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0009"
down_revision = "eval_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
