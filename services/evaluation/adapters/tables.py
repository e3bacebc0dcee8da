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
    sa.Index("ix_cases_report", "status", "year", "title", "admin_unit_code"),
    sa.Index("ix_cases_subject", "subject_id", "title"),  # a subject's cases (register moves)
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

# The size of each register (households, citizens per birth year, clans, units) per commune and village,
# kept by database triggers on the register tables (migration eval_0017): the progress report's
# denominators without counting the registers on every call. Clans and units: village_code ''.
register_counts = sa.Table(
    "register_counts",
    metadata,
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("commune_code", sa.String(10), primary_key=True),
    sa.Column("village_code", sa.String(40), primary_key=True),
    sa.Column("birth_year", sa.Integer, primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
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

# One annual report per (plan, year, reporting unit), kept by its AnnualReport workflow's activities.
annual_reports = sa.Table(
    "annual_reports",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workflow_id", sa.String(300), nullable=False, unique=True),
    sa.Column("plan_code", sa.String(80), nullable=False),
    sa.Column("plan_version", sa.Integer, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("unit_code", sa.String(40), nullable=False),
    sa.Column("unit_level", sa.String(20), nullable=False),
    sa.Column("parent_code", sa.String(40), nullable=True),
    sa.Column("to_vi", sa.String(400), nullable=True),
    sa.Column("due_at", UTCDateTime, nullable=True),
    sa.Column("status", sa.String(20), nullable=False),  # open | submitted
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("overdue", sa.Boolean, nullable=False),
    sa.Column("escalation_step", sa.Integer, nullable=False),
    sa.Column("escalated_to_role", sa.String(40), nullable=True),
    sa.Column("children_expected", sa.Integer, nullable=False),
    sa.Column("submitted_at", UTCDateTime, nullable=True),
    sa.Column("submitted_by", sa.String(120), nullable=True),
    sa.Column("on_time", sa.Boolean, nullable=True),
    sa.Column("rolled_up", sa.Text, nullable=True),  # JSON: the children's submitted figures summed
    sa.Column("rolled_up_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("plan_code", "year", "unit_code", name="uq_annual_reports_unit"),
    sa.Index("ix_annual_reports_parent", "plan_code", "year", "parent_code"),
)

# The figures a unit submitted, frozen at submission (canonical JSON and its sha256); never edited.
report_submissions = sa.Table(
    "report_submissions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("report_id", sa.String(36), sa.ForeignKey("annual_reports.id"), nullable=False, unique=True),
    sa.Column("figures", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("submitted_by", sa.String(120), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("on_behalf_of", sa.String(200), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("on_time", sa.Boolean, nullable=False),
    sa.Column("submitted_at", UTCDateTime, nullable=False),
)

# --- the yearly round (issue #6): rounds, objections, council minutes, decisions, recognitions ---

# One row per YearlyRound workflow (commune, year, plan): its phase and dates, read by the API.
rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workflow_id", sa.String(300), nullable=False, unique=True),
    sa.Column("admin_unit_code", sa.String(20), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("plan_code", sa.String(80), nullable=False),
    sa.Column("phase", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("self_assessment_closes", sa.Date, nullable=True),
    sa.Column("posting_starts", sa.Date, nullable=True),
    sa.Column("objections_close", sa.Date, nullable=True),
    sa.Column("council", sa.Text, nullable=True),  # canonical JSON minutes: attendance, votes per subject
    sa.Column("opened_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("admin_unit_code", "year", "plan_code", name="uq_rounds_unit_year_plan"),
)

# Objections raised during the public posting: recorded, assigned, resolved (each step audited).
round_objections = sa.Table(
    "round_objections",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("round_id", sa.String(36), sa.ForeignKey("rounds.id"), nullable=False, index=True),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=True),
    sa.Column("filed_by", sa.String(200), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # open | assigned | resolved
    sa.Column("assignee", sa.String(120), nullable=True),
    sa.Column("resolution", sa.Text, nullable=True),
    sa.Column("upheld", sa.Boolean, nullable=True),  # True: the case is left out of the decision
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Decisions (quyết định): the round's recognition decision per title, and later amending decisions.
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("round_id", sa.String(36), sa.ForeignKey("rounds.id"), nullable=False, index=True),
    sa.Column("title", sa.String(60), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # recognition | correction | revocation
    sa.Column("amends_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=True),
    sa.Column("number", sa.Integer, nullable=True),
    sa.Column("symbol", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # draft | signed | recorded
    sa.Column("signed_by", sa.String(120), nullable=True),
    sa.Column("signer_name", sa.String(200), nullable=True),
    sa.Column("signed_on", sa.Date, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("documents", sa.Text, nullable=True),  # canonical JSON: kind -> {key, sha256, media_type}
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Every decision number given, unique per commune and year (eval_0015): claimed in the decision's own
# transaction, so two decisions racing for one number cannot both commit.
decision_numbers = sa.Table(
    "decision_numbers",
    metadata,
    sa.Column("admin_unit_code", sa.String(20), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("decision_id", sa.String(36), nullable=False, unique=True),
)

# The decision list: one row per case the decision covers, with its outcome (and, once recorded, when).
decision_items = sa.Table(
    "decision_items",
    metadata,
    sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), primary_key=True),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("subject_id", sa.String(120), nullable=False),
    sa.Column("subject_name", sa.String(200), nullable=False),
    sa.Column("village_code", sa.String(40), nullable=True),
    sa.Column("village_name", sa.String(200), nullable=True),
    sa.Column("outcome", sa.String(20), nullable=False),  # recognised | not_recognised
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("recorded", sa.Boolean, nullable=False),
)

# One row per recognised (subject, title, year): the source of recognition history (awards, reports).
recognitions = sa.Table(
    "recognitions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("subject_id", sa.String(120), nullable=False),
    sa.Column("subject_kind", sa.String(20), nullable=False),
    sa.Column("title", sa.String(60), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id"), nullable=False, unique=True),
    sa.Column("decision_id", sa.String(36), sa.ForeignKey("decisions.id"), nullable=False),
    sa.Column("decision_number", sa.String(60), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("admin_unit_code", sa.String(20), nullable=False),
    sa.Column("village_code", sa.String(40), nullable=True),
    sa.Column("streak", sa.Integer, nullable=False),  # consecutive years held, this one included
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.Column("revoked_by", sa.String(36), sa.ForeignKey("decisions.id"), nullable=True),
    sa.Column("certificate", sa.Text, nullable=True),  # canonical JSON: kind -> {key, sha256, media_type}
    sa.UniqueConstraint("subject_id", "title", "year", name="uq_recognitions_subject_title_year"),
    sa.Index("ix_recognitions_unit_year", "admin_unit_code", "year"),
    # The few revoked ones, subtracted by the progress report (migration eval_0016).
    sa.Index(
        "ix_recognitions_revoked",
        "case_id",
        postgresql_where=sa.text("revoked"),
        sqlite_where=sa.text("revoked"),
    ),
)

outbox = outbox_table(metadata)

# Hash-chained audit trail, one chain per case (common/audit.py); the log is only ever appended to.
audit = audit_table(metadata)
audit_heads = audit_heads_table(metadata)
