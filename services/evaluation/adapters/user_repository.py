"""Users repository: accounts with their scope unit's path (adapter layer)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.evaluation.adapters import tables as t
from services.evaluation.adapters.identity_tables import users
from services.evaluation.domain.text import fold_text
from services.evaluation.domain.users import User

au = t.admin_units
_USER_COLUMNS = [c for c in users.c if c.name != "search_text"]  # a key of the table's, not the account's


def _select() -> sa.Select[Any]:
    path = sa.func.coalesce(au.c.path, "").label("scope_path")
    return sa.select(*_USER_COLUMNS, path).select_from(users.outerjoin(au, users.c.scope_code == au.c.code))


def search_text(username: str, full_name: str) -> str:
    """What the accounts search matches: username and full name, folded."""
    return fold_text(f"{username} {full_name}")[:300]


class UserRepository:
    """Read and write accounts."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _one(self, condition: sa.ColumnElement[bool]) -> User | None:
        row = self._conn.execute(_select().where(condition)).mappings().first()
        return User(**row) if row else None

    def get(self, user_id: str) -> User | None:
        """One user by id."""
        return self._one(users.c.id == user_id)

    def get_by_username(self, username: str) -> User | None:
        """One user by (normalized) username."""
        return self._one(users.c.username == username)

    def add(self, user: User) -> None:
        """Insert a user (the scope path is derived, not stored)."""
        values = asdict(user)
        del values["scope_path"]
        values["search_text"] = search_text(user.username, user.full_name)
        self._conn.execute(users.insert().values(**values))

    def set_password_hash(self, user_id: str, password_hash: str, now: datetime) -> None:
        """Replace a user's password hash (after a rehash with current parameters)."""
        self._conn.execute(
            users.update().where(users.c.id == user_id).values(password_hash=password_hash, updated_at=now)
        )

    def set_access(
        self, user_id: str, now: datetime, *, active: bool | None = None, password_hash: str | None = None
    ) -> None:
        """Lock or unlock an account and/or set its password; either way its tokens issued until now stop
        counting."""
        values: dict[str, Any] = {"updated_at": now, "tokens_valid_after": now}
        if active is not None:
            values["active"] = active
        if password_hash is not None:
            values["password_hash"] = password_hash
        self._conn.execute(users.update().where(users.c.id == user_id).values(**values))

    def page_within(
        self,
        scope_path: str,
        *,
        limit: int,
        offset: int,
        role: str | None = None,
        covering_path: str | None = None,
        subject_id: str | None = None,
        text: str = "",
        username: str | None = None,
    ) -> tuple[list[User], int]:
        """Users whose scope lies within `scope_path` ("" is the whole country), by username; optionally
        of one role, only those whose scope contains the unit at `covering_path` (who answers for it), only
        those whose username or full name holds every word of `text` (case and accents aside), and only
        the one account named `username` (active or locked)."""
        q = _select().where(users.c.active.is_(True)) if covering_path is not None else _select()
        if username is not None:
            q = q.where(users.c.username == username)
        for word in fold_text(text).split():
            q = q.where(users.c.search_text.contains(word, autoescape=True))
        if role:
            q = q.where(users.c.role == role)
        if subject_id:
            q = q.where(users.c.subject_id == subject_id)
        if covering_path is not None:
            # My scope covers the unit when it is the unit or one of its ancestors (or the whole country).
            ancestors = [
                "/".join(covering_path.split("/")[: i + 1]) for i in range(len(covering_path.split("/")))
            ]
            q = q.where(sa.or_(users.c.scope_code.is_(None), au.c.path.in_(ancestors)))
        if scope_path:
            q = q.where(
                sa.or_(au.c.path == scope_path, au.c.path.startswith(scope_path + "/", autoescape=True))
            )
        total = self._conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
        rows = self._conn.execute(q.order_by(users.c.username).limit(limit).offset(offset)).mappings()
        return [User(**r) for r in rows], int(total)
