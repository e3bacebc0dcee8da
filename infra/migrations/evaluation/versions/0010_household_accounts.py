"""Evaluation: a household representative's account is linked to its household (users.subject_id).

Revision ID: eval_0010
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0010"
down_revision = "eval_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("subject_id", sa.String(36), nullable=True))
        batch.create_index("ix_users_subject_id", ["subject_id"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_subject_id")
        batch.drop_column("subject_id")
