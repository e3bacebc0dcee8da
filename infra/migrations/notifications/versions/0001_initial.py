"""Notifications: inbox items, processed events, dead letters.

Revision ID: notif_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "notif_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("recipient", sa.String(160), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("subject_vi", sa.String(300), nullable=False),
        sa.Column("subject_en", sa.String(300), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_id", "recipient", name="uq_inbox_event_recipient"),
    )
    op.create_index("ix_inbox_recipient_created", "inbox_items", ["recipient", "created_at"])
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(100), nullable=True),
        sa.Column("routing_key", sa.String(100), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("dead_letters")
    op.drop_table("processed_events")
    op.drop_table("inbox_items")
