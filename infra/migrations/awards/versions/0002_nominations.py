"""Awards: rounds from the plan, nominations, council, decisions, dossiers, audit (issue #8).

Revision ID: awards_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "awards_0002"
down_revision = "awards_0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("award_rounds") as batch:
        batch.add_column(sa.Column("admin_unit_path", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("forms", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("recipients", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("nomination_deadline", sa.Date, nullable=True))
        batch.add_column(sa.Column("council_deadline", sa.Date, nullable=True))
        batch.add_column(sa.Column("ceremony_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("event_vi", sa.Text, nullable=True))
        batch.add_column(sa.Column("workflow_id", sa.String(300), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "nominations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("round_id", sa.String(36), sa.ForeignKey("award_rounds.id"), nullable=False),
        sa.Column("nominee_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(120), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("household_id", sa.String(120), nullable=True),
        sa.Column("form_key", sa.String(80), nullable=False),
        sa.Column("achievements", sa.Text, nullable=False),
        sa.Column("initiatives", sa.JSON, nullable=False),
        sa.Column("declarations", sa.JSON, nullable=False),
        sa.Column("prior_awards", sa.JSON, nullable=False),
        sa.Column("priority_flags", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("nominated_by", sa.String(120), nullable=False),
        sa.Column("nominated_at", TS, nullable=False),
        sa.Column("eligibility", sa.JSON, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("forwarded_to", sa.String(36), nullable=True),
        sa.UniqueConstraint("round_id", "subject_id", "form_key", name="uq_nomination_once_per_form"),
    )
    op.create_index("ix_nominations_round_id", "nominations", ["round_id"])
    op.create_index("ix_nominations_subject_id", "nominations", ["subject_id"])
    op.create_table(
        "council_members",
        sa.Column("round_id", sa.String(36), sa.ForeignKey("award_rounds.id"), primary_key=True),
        sa.Column("username", sa.String(120), primary_key=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("position_vi", sa.String(200), nullable=False),
        sa.Column("household_id", sa.String(120), nullable=True),
        sa.Column("unit_code", sa.String(40), nullable=True),
    )
    op.create_table(
        "council_scores",
        sa.Column("nomination_id", sa.String(36), sa.ForeignKey("nominations.id"), primary_key=True),
        sa.Column("username", sa.String(120), primary_key=True),
        sa.Column("round_id", sa.String(36), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("approve", sa.Boolean, nullable=False),
        sa.Column("scored_at", TS, nullable=False),
    )
    op.create_index("ix_council_scores_round_id", "council_scores", ["round_id"])
    op.create_table(
        "award_decisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("round_id", sa.String(36), sa.ForeignKey("award_rounds.id"), nullable=False, unique=True),
        sa.Column("number", sa.String(60), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("signer", sa.String(120), nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=False),
        sa.Column("pdf_key", sa.String(300), nullable=True),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "dossiers",
        sa.Column("nomination_id", sa.String(36), sa.ForeignKey("nominations.id"), primary_key=True),
        sa.Column("round_id", sa.String(36), nullable=False),
        sa.Column("pdf_key", sa.String(300), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("zip_key", sa.String(300), nullable=False),
        sa.Column("zip_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_dossiers_round_id", "dossiers", ["round_id"])
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(200), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("entry_id", sa.String(36), nullable=False, unique=True),
        sa.Column("chain", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(60), nullable=True),
        sa.Column("on_behalf_of", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("before_state", sa.Text, nullable=True),
        sa.Column("after_state", sa.Text, nullable=True),
        sa.Column("criteria_set_key", sa.String(100), nullable=True),
        sa.Column("evidence_sha256", sa.Text, nullable=False),
        sa.Column("workflow_id", sa.String(300), nullable=True),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("chain", "position", name="uq_audit_log_chain_position"),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "audit_heads",
        "dossiers",
        "award_decisions",
        "council_scores",
        "council_members",
        "nominations",
    ):
        op.drop_table(table)
    with op.batch_alter_table("award_rounds") as batch:
        for column in (
            "version",
            "workflow_id",
            "event_vi",
            "ceremony_on",
            "council_deadline",
            "nomination_deadline",
            "recipients",
            "forms",
            "admin_unit_path",
        ):
            batch.drop_column(column)
