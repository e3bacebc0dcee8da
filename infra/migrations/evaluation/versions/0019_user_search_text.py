"""Evaluation: `users.search_text`, an account's username and full name folded (case, accents, đ) for the
accounts search (`GET /users?q=`); filled for the accounts already there.

Revision ID: eval_0019
"""

import sqlalchemy as sa
from alembic import op

from services.evaluation.adapters.user_repository import search_text

revision = "eval_0019"
down_revision = "eval_0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("search_text", sa.String(300), nullable=False, server_default=""))
    conn = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("username"), sa.column("full_name"))
    rows = conn.execute(sa.select(users.c.id, users.c.username, users.c.full_name)).all()
    update = sa.text("UPDATE users SET search_text = :text WHERE id = :id")
    for start in range(0, len(rows), 1000):
        batch_rows = rows[start : start + 1000]
        conn.execute(update, [{"id": r.id, "text": search_text(r.username, r.full_name)} for r in batch_rows])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("search_text")
