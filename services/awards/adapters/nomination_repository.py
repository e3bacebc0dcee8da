"""Nominations, council members and scores, decisions and dossiers (adapter layer)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.awards.adapters import tables as t
from services.awards.domain.council import Score
from services.awards.domain.model import CouncilMember, Nomination

_TUPLES = ("initiatives", "prior_awards", "priority_flags", "evidence")


def _nomination(row: Any) -> Nomination:
    data = dict(row)
    for key in _TUPLES:
        data[key] = tuple(data[key] or ())
    return Nomination(**data)


class NominationRepository:
    """Nominations of every round."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, item: Nomination) -> None:
        """Insert a nomination."""
        values = asdict(item)
        for key in _TUPLES:
            values[key] = list(values[key])
        self._conn.execute(t.nominations.insert().values(**values))

    def get(self, nomination_id: str) -> Nomination | None:
        """One nomination."""
        row = (
            self._conn.execute(sa.select(t.nominations).where(t.nominations.c.id == nomination_id))
            .mappings()
            .first()
        )
        return _nomination(row) if row else None

    def of_round(self, round_id: str, *, status: str | None = None) -> list[Nomination]:
        """A round's nominations in the order they came in."""
        n = t.nominations.c
        q = sa.select(t.nominations).where(n.round_id == round_id).order_by(n.nominated_at, n.id)
        if status:
            q = q.where(n.status == status)
        return [_nomination(r) for r in self._conn.execute(q).mappings()]

    def find(self, round_id: str, subject_id: str, form_key: str) -> Nomination | None:
        """The nomination of a subject for a form in a round."""
        n = t.nominations.c
        q = sa.select(t.nominations).where(
            n.round_id == round_id, n.subject_id == subject_id, n.form_key == form_key
        )
        row = self._conn.execute(q).mappings().first()
        return _nomination(row) if row else None

    def set_status(self, nomination_id: str, status: str, *, forwarded_to: str | None = None) -> None:
        """Move a nomination on (shortlisted, not_selected, forwarded, awarded)."""
        values: dict[str, Any] = {"status": status}
        if forwarded_to is not None:
            values["forwarded_to"] = forwarded_to
        self._conn.execute(t.nominations.update().where(t.nominations.c.id == nomination_id).values(**values))

    def awards_of(self, subject_id: str) -> list[tuple[Nomination, int]]:
        """The subject's awarded nominations with their round's year (the award history kept here)."""
        n, r = t.nominations.c, t.award_rounds.c
        q = (
            sa.select(t.nominations, r.year.label("round_year"))
            .join(t.award_rounds, r.id == n.round_id)
            .where(n.subject_id == subject_id, n.status == "awarded")
        )
        out = []
        for row in self._conn.execute(q).mappings():
            data = {k: v for k, v in row.items() if k != "round_year"}
            out.append((_nomination(data), int(row["round_year"])))
        return out

    def update_evidence(self, nomination_id: str, evidence: list[dict[str, Any]]) -> None:
        """Replace a nomination's evidence list."""
        self._conn.execute(
            t.nominations.update().where(t.nominations.c.id == nomination_id).values(evidence=evidence)
        )


class CouncilRepository:
    """Council members and their scores."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def members(self, round_id: str) -> list[CouncilMember]:
        """A round's council."""
        q = sa.select(t.council_members).where(t.council_members.c.round_id == round_id)
        return [
            CouncilMember(**r)
            for r in self._conn.execute(q.order_by(t.council_members.c.username)).mappings()
        ]

    def replace_members(self, round_id: str, members: list[CouncilMember]) -> None:
        """Set the council (before any score is given)."""
        self._conn.execute(t.council_members.delete().where(t.council_members.c.round_id == round_id))
        if members:
            self._conn.execute(t.council_members.insert(), [asdict(m) for m in members])

    def put_score(self, round_id: str, score: Score, at: Any) -> bool:
        """Record or replace a member's score; True when it is new."""
        s = t.council_scores.c
        where = (s.nomination_id == score.nomination_id) & (s.username == score.username)
        values = {"score": score.score, "approve": score.approve, "scored_at": at}
        if self._conn.execute(sa.select(s.username).where(where)).first():
            self._conn.execute(t.council_scores.update().where(where).values(**values))
            return False
        self._conn.execute(
            t.council_scores.insert().values(
                nomination_id=score.nomination_id, username=score.username, round_id=round_id, **values
            )
        )
        return True

    def scores(self, round_id: str) -> list[Score]:
        """Every score of a round."""
        s = t.council_scores.c
        q = sa.select(s.nomination_id, s.username, s.score, s.approve).where(s.round_id == round_id)
        return [
            Score(r.nomination_id, r.username, int(r.score), bool(r.approve)) for r in self._conn.execute(q)
        ]


class DecisionRepository:
    """Award decisions and nominee dossiers."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def of_round(self, round_id: str) -> dict[str, Any] | None:
        """A round's decision."""
        row = (
            self._conn.execute(sa.select(t.award_decisions).where(t.award_decisions.c.round_id == round_id))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    def add(self, **values: Any) -> None:
        """Record a decision."""
        self._conn.execute(t.award_decisions.insert().values(**values))

    def set_document(self, decision_id: str, *, pdf_key: str, pdf_sha256: str) -> None:
        """Link the rendered decision."""
        d = t.award_decisions
        self._conn.execute(
            d.update().where(d.c.id == decision_id).values(pdf_key=pdf_key, pdf_sha256=pdf_sha256)
        )

    def dossier(self, nomination_id: str) -> dict[str, Any] | None:
        """A nominee's dossier."""
        row = (
            self._conn.execute(sa.select(t.dossiers).where(t.dossiers.c.nomination_id == nomination_id))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    def dossiers(self, round_id: str) -> list[dict[str, Any]]:
        """Every dossier of a round."""
        q = (
            sa.select(t.dossiers)
            .where(t.dossiers.c.round_id == round_id)
            .order_by(t.dossiers.c.nomination_id)
        )
        return [dict(r) for r in self._conn.execute(q).mappings()]

    def add_dossier(self, **values: Any) -> None:
        """Record a dossier."""
        self._conn.execute(t.dossiers.insert().values(**values))
