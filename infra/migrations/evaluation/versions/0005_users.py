"""Evaluation: users with a role and an admin-unit scope.

Revision ID: eval_0005_users
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0005_users"
down_revision = "eval_0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("scope_code", sa.String(40), sa.ForeignKey("admin_units.code"), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_users_scope_code", "users", ["scope_code"])


def downgrade() -> None:
    op.drop_index("ix_users_scope_code", table_name="users")
    op.drop_table("users")
