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
