"""Evaluation database tables (SQLAlchemy 2 Core; the Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

from common.db import UTCDateTime
from common.outbox import outbox_table

metadata = sa.MetaData()

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workflow_id", sa.String(300), nullable=False, unique=True),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("title", sa.String(60), nullable=False),
    sa.Column("subject_id", sa.String(120), nullable=False),
    sa.Column("admin_unit_code", sa.String(20), nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("opened_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_cases_unit_status", "admin_unit_code", "status"),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("indicator_code", sa.String(60), nullable=True),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("object_key", sa.String(400), nullable=False, unique=True),
    sa.Column("uploaded_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

outbox = outbox_table(metadata)
