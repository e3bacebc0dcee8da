"""Recognition history for the awards tests, answered by the real evaluation app's `GET /recognitions`.

Producing years of history through the yearly round (cases, posting, council, signed decisions) for
every nominee would make each awards test replay several years of another issue's workflow; instead the
rows a recorded decision leaves behind (round, decision, case, recognition) are written into the
evaluation test database, as the evaluation service's own authorization matrix test does. The awards
service then reads them over HTTP from the real endpoint, with its service token.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa

from common.db import make_engine
from services.evaluation.adapters import tables as t


class RecognitionSeeder:
    """Writes recorded recognitions into an evaluation database."""

    def __init__(self, database_url: str) -> None:
        self._engine = make_engine(database_url)

    def add(self, subject_id: str, subject_kind: str, title: str, years: list[int], unit: str) -> None:
        """Subject recognised with `title` in each of `years` by a decision of `unit` signed on 20 December."""
        now = datetime.now(UTC)
        with self._engine.begin() as db:
            streaks: dict[int, int] = {}
            for year in sorted(years):
                streaks[year] = streaks.get(year - 1, 0) + 1
                round_id = self._round(db, unit, year, now)
                decision_id = self._decision(db, round_id, unit, title, year, now)
                case_id = str(uuid.uuid4())
                db.execute(
                    t.cases.insert().values(
                        id=case_id,
                        workflow_id=f"recognition/{year}/{title}/{subject_id}",
                        run_id="seed",
                        year=year,
                        title=title,
                        subject_id=subject_id,
                        admin_unit_code=unit,
                        status="recognised",
                        version=1,
                        opened_by="seed",
                        created_at=now,
                        updated_at=now,
                    )
                )
                db.execute(
                    t.recognitions.insert().values(
                        id=str(uuid.uuid4()),
                        subject_id=subject_id,
                        subject_kind=subject_kind,
                        title=title,
                        year=year,
                        case_id=case_id,
                        decision_id=decision_id,
                        decision_number=f"{year}/QĐ-UBND",
                        decided_on=date(year, 12, 20),
                        admin_unit_code=unit,
                        village_code=None,
                        streak=streaks[year],
                        revoked=False,
                    )
                )

    def _round(self, db: sa.Connection, unit: str, year: int, now: datetime) -> str:
        wid = f"yearly-round/{unit}/{year}/seed"
        found = db.execute(sa.select(t.rounds.c.id).where(t.rounds.c.workflow_id == wid)).scalar()
        if found:
            return str(found)
        round_id = str(uuid.uuid4())
        db.execute(
            t.rounds.insert().values(
                id=round_id,
                workflow_id=wid,
                admin_unit_code=unit,
                year=year,
                plan_code="seed",
                phase="done",
                version=1,
                opened_by="seed",
                created_at=now,
                updated_at=now,
            )
        )
        return round_id

    def _decision(
        self, db: sa.Connection, round_id: str, unit: str, title: str, year: int, now: datetime
    ) -> str:
        d = t.decisions.c
        found = db.execute(sa.select(d.id).where(d.round_id == round_id, d.title == title)).scalar()
        if found:
            return str(found)
        decision_id = str(uuid.uuid4())
        db.execute(
            t.decisions.insert().values(
                id=decision_id,
                round_id=round_id,
                title=title,
                kind="recognition",
                number=year,
                symbol="QĐ-UBND",
                status="recorded",
                signed_by="seed",
                signer_name="Chủ tịch",
                signed_on=date(year, 12, 20),
                created_at=now,
                updated_at=now,
            )
        )
        return decision_id
