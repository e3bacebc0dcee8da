"""Evaluation: `ix_cases_subject` (subject_id, title): the cases of a subject, read when a register import
moves households or citizens to another village (their open cases follow them); without it each such
import scanned every case of the database.

Revision ID: eval_0021
"""

from alembic import op

revision = "eval_0021"
down_revision = "eval_0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_subject", "cases", ["subject_id", "title"])


def downgrade() -> None:
    op.drop_index("ix_cases_subject", table_name="cases")
