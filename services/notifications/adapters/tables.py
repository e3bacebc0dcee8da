"""Notifications database tables (SQLAlchemy 2 Core; the Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

from common.db import UTCDateTime

metadata = sa.MetaData()

inbox_items = sa.Table(
    "inbox_items",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("recipient", sa.String(160), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("subject_vi", sa.String(300), nullable=False),
    sa.Column("subject_en", sa.String(300), nullable=False),
    sa.Column("case_id", sa.String(36), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("read_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("event_id", "recipient", name="uq_inbox_event_recipient"),
    sa.Index("ix_inbox_recipient_created", "recipient", "created_at"),
)

# Every event id this service has handled: the consumer's idempotency record.
processed_events = sa.Table(
    "processed_events",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("processed_at", UTCDateTime, nullable=False),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(100), nullable=True),
    sa.Column("routing_key", sa.String(100), nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("replayed_at", UTCDateTime, nullable=True),
)

# One send of one notice on one channel (e-mail, webhook) to one recipient: written with the event's
# other effects, sent afterwards outside any transaction, then marked. The unique key is what makes
# a redelivered event, a second consumer or a replay send nothing twice.
deliveries = sa.Table(
    "deliveries",
    metadata,
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
    # When the next send may start; a claim pushes it one lease ahead, so a dead sender's row comes back.
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("event_id", "recipient", "channel", name="uq_delivery_event_recipient_channel"),
    sa.Index("ix_deliveries_status_next", "status", "next_attempt_at"),
)

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("username", sa.String(160), primary_key=True),
    sa.Column("language", sa.String(5), nullable=False),
    sa.Column("digest", sa.Boolean, nullable=False),
    sa.Column("channels", sa.Text, nullable=False),  # JSON: {category: {channel: bool}}
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("scope", sa.String(8), nullable=False),  # "user" | "unit"
    sa.Column("owner", sa.String(160), nullable=False),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("scope", "owner", name="uq_webhook_scope_owner"),
)

# Deadline notices held for a user's daily digest; `digest_day` is set when a digest carries them.
digest_entries = sa.Table(
    "digest_entries",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("recipient", sa.String(160), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("case_id", sa.String(36), nullable=True),
    sa.Column("payload_json", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("digest_day", sa.String(10), nullable=True),
    sa.UniqueConstraint("event_id", "recipient", name="uq_digest_event_recipient"),
    sa.Index("ix_digest_entries_day_recipient", "digest_day", "recipient"),
)
