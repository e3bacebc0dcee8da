"""Evaluation: a partial index of the revoked recognitions. The progress report counts recognised cases
from the covering index `ix_cases_report` and subtracts the few revoked ones, found through this index,
instead of probing `recognitions` for every case (which forced a scan of `cases`).

Revision ID: eval_0016
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0016"
down_revision = "eval_0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_recognitions_revoked",
        "recognitions",
        ["case_id"],
        postgresql_where=sa.text("revoked"),
        sqlite_where=sa.text("revoked"),
    )


def downgrade() -> None:
    op.drop_index("ix_recognitions_revoked", table_name="recognitions")
