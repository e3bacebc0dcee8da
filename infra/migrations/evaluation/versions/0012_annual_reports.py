"""Evaluation: annual reports (one per plan, year and reporting unit), their submitted snapshots, and an
index serving the progress report's GROUP BY.

Revision ID: eval_0012
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0012"
down_revision = "eval_0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "annual_reports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("workflow_id", sa.String(300), nullable=False, unique=True),
        sa.Column("plan_code", sa.String(80), nullable=False),
        sa.Column("plan_version", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("unit_level", sa.String(20), nullable=False),
        sa.Column("parent_code", sa.String(40), nullable=True),
        sa.Column("to_vi", sa.String(400), nullable=True),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("escalation_step", sa.Integer, nullable=False),
        sa.Column("escalated_to_role", sa.String(40), nullable=True),
        sa.Column("children_expected", sa.Integer, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("submitted_by", sa.String(120), nullable=True),
        sa.Column("on_time", sa.Boolean, nullable=True),
        sa.Column("rolled_up", sa.Text, nullable=True),
        sa.Column("rolled_up_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("plan_code", "year", "unit_code", name="uq_annual_reports_unit"),
    )
    op.create_index("ix_annual_reports_parent", "annual_reports", ["plan_code", "year", "parent_code"])
    op.create_table(
        "report_submissions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "report_id", sa.String(36), sa.ForeignKey("annual_reports.id"), nullable=False, unique=True
        ),
        sa.Column("figures", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("submitted_by", sa.String(120), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("on_behalf_of", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("on_time", sa.Boolean, nullable=False),
        sa.Column("submitted_at", TS, nullable=False),
    )
    # The progress report groups recognised cases by year, title and commune: an index-only scan.
    op.create_index("ix_cases_report", "cases", ["status", "year", "title", "admin_unit_code"])


def downgrade() -> None:
    op.drop_index("ix_cases_report", table_name="cases")
    op.drop_table("report_submissions")
    op.drop_index("ix_annual_reports_parent", table_name="annual_reports")
    op.drop_table("annual_reports")
