"""Evaluation database tables (SQLAlchemy 2 Core; the Alembic migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

from common.audit import audit_heads_table, audit_table
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
    # The reviewer's verdict on this file: accepted | rejected | more_info_needed (with a reason).
    sa.Column("verdict", sa.String(30), nullable=True),
    sa.Column("verdict_reason", sa.String(2000), nullable=True),
    sa.Column("verdict_by", sa.String(120), nullable=True),
    sa.Column("verdict_at", UTCDateTime, nullable=True),
)

admin_units = sa.Table(
    "admin_units",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("parent_code", sa.String(40), sa.ForeignKey("admin_units.code"), nullable=True),
    sa.Column("path", sa.String(200), nullable=False, unique=True),
    sa.Index("ix_admin_units_parent", "parent_code"),
)

# Subjects (natural keys unique: a re-import changes nothing).
households = sa.Table(
    "households",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("commune_code", sa.String(10), sa.ForeignKey("admin_units.code"), nullable=False),
    sa.Column("household_code", sa.String(40), nullable=False),
    sa.Column("village_code", sa.String(40), sa.ForeignKey("admin_units.code"), nullable=False),
    sa.Column("head_name", sa.String(200), nullable=False),
    sa.Column("address", sa.String(300), nullable=False),
    sa.UniqueConstraint("commune_code", "household_code", name="uq_households_natural_key"),
    sa.Index("ix_households_village", "village_code"),
)

citizens = sa.Table(
    "citizens",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    # The national ID, or "<commune>/<household>/<local code>" for a member without one.
    sa.Column("citizen_key", sa.String(80), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("birth_year", sa.Integer, nullable=False),
    sa.Column("gender", sa.String(10), nullable=False),
    sa.Column("citizen_group", sa.String(20), nullable=False),
    sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), nullable=True),
    sa.Column("relation", sa.String(20), nullable=True),
    sa.Index("ix_citizens_household", "household_id"),
)

clans = sa.Table(
    "clans",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("commune_code", sa.String(10), sa.ForeignKey("admin_units.code"), nullable=False),
    sa.Column("clan_code", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.UniqueConstraint("commune_code", "clan_code", name="uq_clans_natural_key"),
)

clan_households = sa.Table(
    "clan_households",
    metadata,
    sa.Column("clan_id", sa.String(36), sa.ForeignKey("clans.id"), primary_key=True),
    sa.Column("household_id", sa.String(36), sa.ForeignKey("households.id"), primary_key=True),
)

units = sa.Table(
    "units",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("commune_code", sa.String(10), sa.ForeignKey("admin_units.code"), nullable=False),
    sa.Column("unit_code", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.UniqueConstraint("commune_code", "unit_code", name="uq_units_natural_key"),
)

unit_members = sa.Table(
    "unit_members",
    metadata,
    sa.Column("unit_id", sa.String(36), sa.ForeignKey("units.id"), primary_key=True),
    sa.Column("citizen_key", sa.String(80), primary_key=True),
    sa.Column("full_name", sa.String(200), nullable=False),
)

# Plan documents, every version kept; one active version per plan code.
plans = sa.Table(
    "plans",
    metadata,
    sa.Column("code", sa.String(80), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name_vi", sa.String(400), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("uploaded_by", sa.String(120), nullable=False),
    sa.Column("uploaded_at", UTCDateTime, nullable=False),
    sa.Column("activated_at", UTCDateTime, nullable=True),
)

# One row per import attempt: what was read, what was refused, what was written.
import_runs = sa.Table(
    "import_runs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # imported | rejected
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("report", sa.Text, nullable=False),  # JSON: counts, entries (bounded), written
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Lifecycle columns of a case live in their own table so the read model of the workflow's state grows
# without rewriting `cases` (one row per case, written by the workflow's activities).
case_progress = sa.Table(
    "case_progress",
    metadata,
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("plan_code", sa.String(80), nullable=True),
    sa.Column("plan_version", sa.Integer, nullable=True),
    sa.Column("criteria_set_key", sa.String(80), nullable=True),
    sa.Column("waiting_on_role", sa.String(40), nullable=True),
    sa.Column("returned_to", sa.String(40), nullable=True),
    sa.Column("due_at", UTCDateTime, nullable=True),
    sa.Column("overdue", sa.Boolean, nullable=False, default=False),
    sa.Column("escalation_step", sa.Integer, nullable=False, default=-1),
    sa.Column("escalated_to_role", sa.String(40), nullable=True),
    sa.Column("assignee", sa.String(120), nullable=True),
    sa.Column("village_code", sa.String(40), nullable=True),
    sa.Index("ix_case_progress_waiting", "waiting_on_role", "due_at"),
)

# The scores of a case per indicator and level: self-assessment, then each review level's adjustment.
case_scores = sa.Table(
    "case_scores",
    metadata,
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("indicator_code", sa.String(60), primary_key=True),
    sa.Column("self_score", sa.Float, nullable=True),
    sa.Column("village_score", sa.Float, nullable=True),
    sa.Column("commune_score", sa.Float, nullable=True),
    sa.Column("updated_by", sa.String(120), nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

outbox = outbox_table(metadata)

# Hash-chained audit trail, one chain per case (common/audit.py); the log is only ever appended to.
audit = audit_table(metadata)
audit_heads = audit_heads_table(metadata)
