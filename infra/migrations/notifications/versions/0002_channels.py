"""Notifications: deliveries per channel, preferences, webhook subscriptions, digest entries (issue #7).

Revision ID: notif_0002
Revises: notif_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "notif_0002"
down_revision = "notif_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_id", "recipient", "channel", name="uq_delivery_event_recipient_channel"),
    )
    op.create_index("ix_deliveries_status_next", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "preferences",
        sa.Column("username", sa.String(160), primary_key=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("digest", sa.Boolean, nullable=False),
        sa.Column("channels", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("owner", sa.String(160), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scope", "owner", name="uq_webhook_scope_owner"),
    )
    op.create_table(
        "digest_entries",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("recipient", sa.String(160), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=True),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_day", sa.String(10), nullable=True),
        sa.UniqueConstraint("event_id", "recipient", name="uq_digest_event_recipient"),
    )
    op.create_index("ix_digest_entries_day_recipient", "digest_entries", ["digest_day", "recipient"])


def downgrade() -> None:
    op.drop_table("digest_entries")
    op.drop_table("webhook_subscriptions")
    op.drop_table("preferences")
    op.drop_index("ix_deliveries_status_next", table_name="deliveries")
    op.drop_table("deliveries")
