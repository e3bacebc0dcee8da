"""Users of the platform: who they are, their role and the admin unit they answer for (pure Python)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from common.auth import HOUSEHOLD_REPRESENTATIVE, NATIONAL_SCOPE_PATH, ROLES, Principal
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
    tokens_valid_after: datetime | None = None  # tokens issued before it no longer count

    def honours(self, issued_at_ms: int) -> bool:
        """Whether a token issued at `issued_at_ms` (Unix milliseconds) still counts for this account: it
        is active and the token was not issued before its revocation."""
        if not self.active:
            return False
        after = self.tokens_valid_after
        return after is None or issued_at_ms >= int(after.timestamp() * 1000)

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


def password_problems(password: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The `password` field's problems, in Vietnamese and English (empty when it is acceptable)."""
    if MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        return {}, {}
    return (
        {"password": [f"Từ {MIN_PASSWORD_LENGTH} đến {MAX_PASSWORD_LENGTH} ký tự."]},
        {"password": [f"{MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters."]},
    )


def check_new_user(
    *, username: str, full_name: str, password: str, role: str, subject_id: str | None = None
) -> None:
    """Every problem of a new account's fields at once (ValidationFailed, 422): the request's schema
    checks only types and presence, so a short username, a weak password, an unknown role and a
    household account without its household are all named in one answer."""
    errors: dict[str, list[str]] = {}  # Vietnamese
    errors_en: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = ["Từ 3 đến 80 ký tự: chữ thường không dấu, chữ số, '.', '_' hoặc '-'."]
        errors_en["username"] = ["3-80 characters: lower-case letters, digits, '.', '_' or '-'."]
    if not full_name.strip() or len(full_name) > 200:
        errors["full_name"] = ["Từ 1 đến 200 ký tự."]
        errors_en["full_name"] = ["1-200 characters."]
    vi, en = password_problems(password)
    errors.update(vi)
    errors_en.update(en)
    if role not in ROLES:
        errors["role"] = [f"Vai trò phải là một trong: {', '.join(ROLES)}."]
        errors_en["role"] = [f"One of: {', '.join(ROLES)}."]
    elif role == HOUSEHOLD_REPRESENTATIVE and not subject_id:
        errors["subject_id"] = ["Bắt buộc với vai trò household_representative (đại diện hộ gia đình)."]
        errors_en["subject_id"] = ["Required for the household_representative role."]
    elif role != HOUSEHOLD_REPRESENTATIVE and subject_id is not None:
        errors["subject_id"] = ["Chỉ dùng cho vai trò household_representative (đại diện hộ gia đình)."]
        errors_en["subject_id"] = ["Only for the household_representative role."]
    if errors:
        raise ValidationFailed(
            "Thông tin tài khoản không hợp lệ.",
            "Invalid account details.",
            errors=errors,
            errors_en=errors_en,
        )
