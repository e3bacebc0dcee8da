"""Evaluation: decision numbers are unique per commune and year. Each number given (at signing, or to an
amending decision) is a row of `decision_numbers`, whose primary key is (commune, year, number), so two
decisions racing for the same number cannot both commit; `decision_id` is unique (a decision has one
number). Existing numbers are copied in (a number already given twice keeps its first decision by id).

Revision ID: eval_0015
"""

import sqlalchemy as sa
from alembic import op

revision = "eval_0015"
down_revision = "eval_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_numbers",
        sa.Column("admin_unit_code", sa.String(20), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        # No foreign key: the number is claimed first, in the decision's own transaction.
        sa.Column("decision_id", sa.String(36), nullable=False, unique=True),
    )
    op.execute(
        """
        INSERT INTO decision_numbers (admin_unit_code, year, number, decision_id)
        SELECT r.admin_unit_code, r.year, d.number, MIN(d.id)
        FROM decisions d JOIN rounds r ON r.id = d.round_id
        WHERE d.number IS NOT NULL
        GROUP BY r.admin_unit_code, r.year, d.number
        """
    )


def downgrade() -> None:
    op.drop_table("decision_numbers")
