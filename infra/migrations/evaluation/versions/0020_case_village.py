"""Evaluation: fill `case_progress.village_code` for the cases opened before the opening wrote it (the
column was there, never written: the inbox's village filter found nothing and the progress report by
village counted every case under its commune). A household's case takes the household's village, a
citizen's the village of their household, a village community's its own code; others stay NULL.

Revision ID: eval_0020
"""

from alembic import op

revision = "eval_0020"
down_revision = "eval_0019"
branch_labels = None
depends_on = None

FILL = {
    "learning_family": "SELECT h.village_code FROM households h WHERE h.id = c.subject_id",
    "learning_citizen": (
        "SELECT h.village_code FROM citizens z JOIN households h ON h.id = z.household_id"
        " WHERE z.id = c.subject_id"
    ),
    "learning_community_village": (
        "SELECT u.code FROM admin_units u WHERE u.code = c.subject_id AND u.level = 'village'"
    ),
}


def upgrade() -> None:
    for title, village in FILL.items():
        op.execute(
            "UPDATE case_progress SET village_code = ("
            f"SELECT ({village}) FROM cases c WHERE c.id = case_progress.case_id AND c.title = '{title}'"
            ") WHERE village_code IS NULL AND case_id IN "
            f"(SELECT id FROM cases WHERE title = '{title}')"
        )


def downgrade() -> None:
    pass  # the filled villages are right for the code before this revision too
