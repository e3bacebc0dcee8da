"""Awards database tables (SQLAlchemy 2 Core; the Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

from common.audit import audit_table
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
    # awards_0002: the round as the plan sets it, and its NominationRound workflow
    sa.Column("admin_unit_path", sa.String(200), nullable=False, server_default=""),
    sa.Column("forms", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("recipients", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("nomination_deadline", sa.Date, nullable=True),
    sa.Column("council_deadline", sa.Date, nullable=True),
    sa.Column("ceremony_on", sa.Date, nullable=True),
    sa.Column("event_vi", sa.Text, nullable=True),
    sa.Column("workflow_id", sa.String(300), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("plan_code", "kind", "year", "admin_unit_code", name="uq_round_natural_key"),
)

nominations = sa.Table(
    "nominations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("round_id", sa.String(36), sa.ForeignKey("award_rounds.id"), nullable=False, index=True),
    sa.Column("nominee_kind", sa.String(20), nullable=False),
    sa.Column("subject_id", sa.String(120), nullable=False, index=True),
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
    sa.Column("nominated_at", UTCDateTime, nullable=False),
    sa.Column("eligibility", sa.JSON, nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("forwarded_to", sa.String(36), nullable=True),
    sa.UniqueConstraint("round_id", "subject_id", "form_key", name="uq_nomination_once_per_form"),
)

council_members = sa.Table(
    "council_members",
    metadata,
    sa.Column("round_id", sa.String(36), sa.ForeignKey("award_rounds.id"), primary_key=True),
    sa.Column("username", sa.String(120), primary_key=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("position_vi", sa.String(200), nullable=False),
    sa.Column("household_id", sa.String(120), nullable=True),
    sa.Column("unit_code", sa.String(40), nullable=True),
)

council_scores = sa.Table(
    "council_scores",
    metadata,
    sa.Column("nomination_id", sa.String(36), sa.ForeignKey("nominations.id"), primary_key=True),
    sa.Column("username", sa.String(120), primary_key=True),
    sa.Column("round_id", sa.String(36), nullable=False, index=True),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("approve", sa.Boolean, nullable=False),
    sa.Column("scored_at", UTCDateTime, nullable=False),
)

award_decisions = sa.Table(
    "award_decisions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("round_id", sa.String(36), sa.ForeignKey("award_rounds.id"), nullable=False, unique=True),
    sa.Column("number", sa.String(60), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("signer", sa.String(120), nullable=False),
    sa.Column("signer_name", sa.String(200), nullable=False),
    sa.Column("pdf_key", sa.String(300), nullable=True),
    sa.Column("pdf_sha256", sa.String(64), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

dossiers = sa.Table(
    "dossiers",
    metadata,
    sa.Column("nomination_id", sa.String(36), sa.ForeignKey("nominations.id"), primary_key=True),
    sa.Column("round_id", sa.String(36), nullable=False, index=True),
    sa.Column("pdf_key", sa.String(300), nullable=False),
    sa.Column("pdf_sha256", sa.String(64), nullable=False),
    sa.Column("zip_key", sa.String(300), nullable=False),
    sa.Column("zip_sha256", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

outbox = outbox_table(metadata)
audit_log = audit_table(metadata)
