"""Awards database tables (SQLAlchemy 2 Core; the Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

from common.db import UTCDateTime
from common.outbox import outbox_table

metadata = sa.MetaData()

award_rounds = sa.Table(
    "award_rounds",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("plan_code", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("admin_unit_code", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("plan_code", "kind", "year", "admin_unit_code", name="uq_round_natural_key"),
)

outbox = outbox_table(metadata)
