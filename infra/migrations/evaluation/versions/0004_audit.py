"""Evaluation: the hash-chained audit log and its chain heads (see common/audit.py).

Revision ID: eval_0004_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0004_audit"
down_revision = "eval_0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
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
    op.drop_table("audit_log")
    op.drop_table("audit_heads")
