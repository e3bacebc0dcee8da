"""Users of the platform: who they are, their role and the admin unit they answer for (pure Python)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from common.auth import NATIONAL_SCOPE_PATH, ROLES, Principal
from common.errors import ValidationFailed

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # hashing cost grows with the input: bound it


@dataclass(frozen=True)
class User:
    """One account; `scope_path` is its scope unit's materialized path ("" for the whole country)."""

    id: str
    username: str
    full_name: str
    password_hash: str
    role: str
    scope_code: str | None
    scope_path: str
    active: bool
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    subject_id: str | None = None  # a household representative's household

    def principal(self) -> Principal:
        """This user as a signed-in principal (acting for themselves)."""
        return Principal(
            user_id=self.id,
            username=self.username,
            role=self.role,
            scope_code=self.scope_code,
            scope_path=self.scope_path if self.scope_code else NATIONAL_SCOPE_PATH,
            subject_id=self.subject_id,
        )


def normalize_username(text: str) -> str:
    """Usernames compare case-insensitively: stored and looked up in lower case."""
    return text.strip().lower()


def check_new_user(*, username: str, full_name: str, password: str, role: str) -> None:
    """Every problem of a new account's fields at once (ValidationFailed, 422)."""
    errors: dict[str, list[str]] = {}  # Vietnamese
    errors_en: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = ["Từ 3 đến 80 ký tự: chữ thường không dấu, chữ số, '.', '_' hoặc '-'."]
        errors_en["username"] = ["3-80 characters: lower-case letters, digits, '.', '_' or '-'."]
    if not full_name.strip() or len(full_name) > 200:
        errors["full_name"] = ["Từ 1 đến 200 ký tự."]
        errors_en["full_name"] = ["1-200 characters."]
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        errors["password"] = [f"Từ {MIN_PASSWORD_LENGTH} đến {MAX_PASSWORD_LENGTH} ký tự."]
        errors_en["password"] = [f"{MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters."]
    if role not in ROLES:
        errors["role"] = [f"Vai trò phải là một trong: {', '.join(ROLES)}."]
        errors_en["role"] = [f"One of: {', '.join(ROLES)}."]
    if errors:
        raise ValidationFailed(
            "Thông tin tài khoản không hợp lệ.",
            "Invalid account details.",
            errors=errors,
            errors_en=errors_en,
        )
