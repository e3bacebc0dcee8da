"""Evaluation: join the three branches built in parallel (household accounts, yearly rounds and
recognitions, annual reports) into one head. No schema change.

Revision ID: eval_0014
"""

revision = "eval_0014"
down_revision = ("eval_0010", "eval_0011", "eval_0012")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
