"""Evaluation: yearly rounds, objections, decisions and their lists, recognitions (issue #6).

Revision ID: eval_0011
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0011"
down_revision = "eval_0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("workflow_id", sa.String(300), nullable=False, unique=True),
        sa.Column("admin_unit_code", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("plan_code", sa.String(80), nullable=False),
        sa.Column("phase", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("self_assessment_closes", sa.Date, nullable=True),
        sa.Column("posting_starts", sa.Date, nullable=True),
        sa.Column("objections_close", sa.Date, nullable=True),
        sa.Column("council", sa.Text, nullable=True),
        sa.Column("opened_by", sa.String(120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("admin_unit_code", "year", "plan_code", name="uq_rounds_unit_year_plan"),
    )
    op.create_table(
        "round_objections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("round_id", sa.String(36), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee", sa.String(120), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("upheld", sa.Boolean, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_round_objections_round_id", "round_objections", ["round_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("round_id", sa.String(36), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("amends_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=True),
        sa.Column("number", sa.Integer, nullable=True),
        sa.Column("symbol", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("signed_by", sa.String(120), nullable=True),
        sa.Column("signer_name", sa.String(200), nullable=True),
        sa.Column("signed_on", sa.Date, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("documents", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_decisions_round_id", "decisions", ["round_id"])
    op.create_table(
        "decision_items",
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("subject_id", sa.String(120), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False),
        sa.Column("village_code", sa.String(40), nullable=True),
        sa.Column("village_name", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("recorded", sa.Boolean, nullable=False),
    )
    op.create_table(
        "recognitions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("subject_id", sa.String(120), nullable=False),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False, unique=True),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("decision_number", sa.String(60), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("admin_unit_code", sa.String(20), nullable=False),
        sa.Column("village_code", sa.String(40), nullable=True),
        sa.Column("streak", sa.Integer, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("revoked_by", sa.String(36), sa.ForeignKey("decisions.id"), nullable=True),
        sa.Column("certificate", sa.Text, nullable=True),
        sa.UniqueConstraint("subject_id", "title", "year", name="uq_recognitions_subject_title_year"),
    )
    op.create_index("ix_recognitions_unit_year", "recognitions", ["admin_unit_code", "year"])


def downgrade() -> None:
    op.drop_index("ix_recognitions_unit_year", "recognitions")
    op.drop_table("recognitions")
    op.drop_table("decision_items")
    op.drop_index("ix_decisions_round_id", "decisions")
    op.drop_table("decisions")
    op.drop_index("ix_round_objections_round_id", "round_objections")
    op.drop_table("round_objections")
    op.drop_table("rounds")
