"""Evaluation: case progress (deadlines, escalation, inbox routing) and scores per indicator.

Revision ID: eval_0007_progress
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0007_progress"
down_revision = "eval_0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_progress",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("plan_code", sa.String(80), nullable=True),
        sa.Column("plan_version", sa.Integer, nullable=True),
        sa.Column("criteria_set_key", sa.String(80), nullable=True),
        sa.Column("waiting_on_role", sa.String(40), nullable=True),
        sa.Column("returned_to", sa.String(40), nullable=True),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("escalation_step", sa.Integer, nullable=False),
        sa.Column("escalated_to_role", sa.String(40), nullable=True),
        sa.Column("assignee", sa.String(120), nullable=True),
        sa.Column("village_code", sa.String(40), nullable=True),
    )
    op.create_index("ix_case_progress_waiting", "case_progress", ["waiting_on_role", "due_at"])
    op.create_table(
        "case_scores",
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("indicator_code", sa.String(60), primary_key=True),
        sa.Column("self_score", sa.Float, nullable=True),
        sa.Column("village_score", sa.Float, nullable=True),
        sa.Column("commune_score", sa.Float, nullable=True),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_scores")
    op.drop_table("case_progress")
