"""Who may be handed a piece of work — a case, an objection: an active staff account whose scope holds
the unit the work lies in (service layer). A name typed wrong, a household's or an auditor's account, a
locked account or an officer of another commune is refused on the field that named it, before anything
is written."""

from __future__ import annotations

from typing import Any

from common.auth import STAFF_ROLES, is_within
from common.errors import ValidationFailed
from services.evaluation.domain.users import User, normalize_username


def checked_assignee(uow: Any, *, username: str, unit_path: str | None, field: str) -> User:
    """The account `username` names, in the caller's transaction, if it may be handed work in the unit at
    `unit_path`; else ValidationFailed (422) on `field`, in both languages."""
    user = uow.users.get_by_username(normalize_username(username))
    problem: tuple[str, str] | None = None
    if user is None:
        problem = (f"Không có tài khoản nào tên '{username}'.", f"No account is named '{username}'.")
    elif not user.active:
        problem = (
            f"Tài khoản {user.username} đang bị khoá: không giao việc được.",
            f"Account {user.username} is locked: it cannot be handed work.",
        )
    elif user.role not in STAFF_ROLES:
        problem = (
            f"Tài khoản {user.username} không phải tài khoản cán bộ: chỉ giao việc cho cán bộ.",
            f"Account {user.username} is not a staff account: only staff are handed work.",
        )
    elif unit_path is None or not is_within(unit_path, user.scope_path):
        problem = (
            f"Tài khoản {user.username} không phụ trách đơn vị của việc này.",
            f"Account {user.username} does not cover this work's unit.",
        )
    if problem is not None:
        raise ValidationFailed(
            "Không giao việc được cho tài khoản này.",
            "This account cannot be handed the work.",
            errors={field: [problem[0]]},
            errors_en={field: [problem[1]]},
        )
    assert user is not None
    return user
