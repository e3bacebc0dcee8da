"""Evaluation: `users.tokens_valid_after`, the moment before which an account's tokens no longer count.

Set when an administrator locks the account or sets its password, and when the user signs out everywhere:
tokens are stateless (signed, 12 h), so revoking them means refusing those issued before this moment
(`services/evaluation/service/token_status.py`). NULL: no revocation yet.

Revision ID: eval_0018
"""

import sqlalchemy as sa
from alembic import op

from common.db import UTCDateTime

revision = "eval_0018"
down_revision = "eval_0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("tokens_valid_after", UTCDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("tokens_valid_after")
