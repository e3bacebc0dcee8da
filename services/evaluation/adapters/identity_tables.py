"""Evaluation identity tables: users and their roles (SQLAlchemy 2 Core, on the service's metadata)."""

from __future__ import annotations

import sqlalchemy as sa

from common.db import UTCDateTime
from services.evaluation.adapters.tables import metadata

# A user answers for one admin-unit subtree (scope_code); no scope unit means the whole country.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(200), nullable=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("scope_code", sa.String(40), sa.ForeignKey("admin_units.code"), nullable=True),
    # A household representative's household (households.id); None for every other role.
    sa.Column("subject_id", sa.String(36), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Tokens issued before this moment no longer count (locked, password set, signed out everywhere).
    sa.Column("tokens_valid_after", UTCDateTime, nullable=True),
    # Username and full name folded (case, accents, đ: `fold_text`) for the accounts search.
    sa.Column("search_text", sa.String(300), nullable=False, server_default=""),
    sa.Index("ix_users_scope_code", "scope_code"),
    sa.Index("ix_users_subject_id", "subject_id"),
)
