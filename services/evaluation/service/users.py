"""Use cases: accounts — create, sign in (with rehash on login), read, list within a scope (service layer)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

from common.audit_entry import AuditEntry
from common.audit_history import ChainHistory, chain_history
from common.auth import (
    ADMINISTRATOR,
    HOUSEHOLD_REPRESENTATIVE,
    NATIONAL_SCOPE_PATH,
    AuthenticationFailed,
    Principal,
    is_within,
)
from common.errors import Conflict, NotFound, ValidationFailed
from common.events import Event
from services.evaluation.domain.text import normalize_text
from services.evaluation.domain.users import User, check_new_user, normalize_username, password_problems
from services.evaluation.service.admin_units import Page

INVALID_CREDENTIALS = "invalid_credentials"
SYSTEM_ACTOR = "system"  # accounts created by code (demo seeding, benchmarks) rather than by a person


class Passwords(Protocol):
    """Port: password hashing (argon2 in production, a cheap profile in tests)."""

    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...
    def needs_rehash(self, password_hash: str) -> bool: ...
    def verify_dummy(self, password: str) -> None: ...


class UserNotFound(NotFound):
    """No such user (or not visible to the caller)."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"Không tìm thấy người dùng {user_id}.", f"User {user_id} not found.")


def _scope_path(uow: Any, scope_code: str | None) -> str:
    if scope_code is None:
        return NATIONAL_SCOPE_PATH
    unit = uow.admin_units.get(scope_code)
    if unit is None:
        raise ValidationFailed(
            "Không có đơn vị hành chính này.",
            "Unknown administrative unit.",
            errors={"scope_code": [f"Không có đơn vị hành chính mang mã '{scope_code}'."]},
            errors_en={"scope_code": [f"No administrative unit has the code '{scope_code}'."]},
        )
    return str(unit.path)


def _household_of_account(uow: Any, *, role: str, subject_id: str | None, scope_path: str) -> str | None:
    """The household (its register id) a household representative's account names: its id, or its
    register code in the commune, lying within the account's scope (422 on `subject_id` otherwise; a
    national account only by id); any other role names none (`check_new_user` has refused a household
    account without one, and another role's with one)."""
    if role != HOUSEHOLD_REPRESENTATIVE or not subject_id:
        return None
    household = uow.subjects.get("household", subject_id)
    communes = uow.subjects.communes_within(scope_path) if household is None and scope_path else []
    if len(communes) == 1:  # a commune or village account: its commune's register code names it too
        found = uow.subjects.registered_id("household", communes[0], subject_id)
        household = uow.subjects.get("household", found) if found else None
    unit = uow.admin_units.get(household["village_code"] or household["commune_code"]) if household else None
    if unit is None or not is_within(str(unit.path), scope_path):
        raise ValidationFailed(
            "Không có hộ gia đình này trong phạm vi của tài khoản.",
            "No such household within the account's scope.",
            errors={"subject_id": [f"Không có hộ gia đình '{subject_id}' trong phạm vi của tài khoản."]},
            errors_en={"subject_id": [f"No household '{subject_id}' within the account's scope."]},
        )
    return str(household["id"])


def create_user(
    uow: Any,
    passwords: Passwords,
    *,
    username: str,
    full_name: str,
    password: str,
    role: str,
    scope_code: str | None,
    created_by: Principal | None = None,
    email: str | None = None,
    subject_id: str | None = None,
) -> User:
    """Create an account; `created_by` (the CLI's operator, or None for code that seeds accounts) must
    hold the new scope in its own (NotFound otherwise, as for any unit outside the caller's scope).
    Username taken: Conflict. A household representative names its household (`subject_id`: its id or
    register code), which must lie in its scope; no other role names one. Audited on the account's chain
    (`user.created`: who created it, with what role and scope; never the password)."""
    username = normalize_username(username)
    full_name = normalize_text(full_name)
    check_new_user(
        username=username, full_name=full_name, password=password, role=role, subject_id=subject_id
    )
    with uow:
        scope_path = _scope_path(uow, scope_code)
        if created_by is not None and not is_within(scope_path, created_by.scope_path):
            raise NotFound(
                f"Không tìm thấy đơn vị hành chính {scope_code or '(toàn quốc)'}.",
                f"Administrative unit {scope_code or '(national)'} not found.",
            )
        subject_id = _household_of_account(uow, role=role, subject_id=subject_id, scope_path=scope_path)
        if uow.users.get_by_username(username) is not None:
            raise Conflict(
                "Tên đăng nhập đã có.",
                "This username is taken.",
                errors={"username": [f"Tên đăng nhập '{username}' đã có người dùng; hãy chọn tên khác."]},
                errors_en={"username": [f"The username '{username}' is taken; choose another."]},
            )
    # Hashing is deliberately slow: do it outside the transaction.
    password_hash = passwords.hash(password)
    now = datetime.now(UTC)
    user = User(
        id=str(uuid.uuid4()),
        username=username,
        full_name=full_name,
        password_hash=password_hash,
        role=role,
        scope_code=scope_code,
        scope_path=scope_path,
        active=True,
        created_at=now,
        updated_at=now,
        email=email.strip() if email else None,
        subject_id=subject_id,
    )
    with uow:
        uow.users.add(user)
        uow.record(
            AuditEntry(
                chain=account_chain(user.id),
                action="user.created",
                actor=created_by.username if created_by else SYSTEM_ACTOR,
                role=created_by.role if created_by else ADMINISTRATOR,
                after={
                    "username": username,
                    "full_name": user.full_name,
                    "role": role,
                    "scope_code": scope_code,
                    "subject_id": subject_id,
                },
            )
        )
        uow.commit()  # a username taken meanwhile ends as Conflict (unique constraint)
    return user


def authenticate(uow: Any, passwords: Passwords, *, username: str, password: str) -> User:
    """The user these credentials belong to. Unknown user, wrong password and inactive account all fail
    the same way after one password verification each (no user enumeration by answer or timing). A hash
    made with outdated parameters is replaced on a successful sign-in."""
    with uow:
        user = uow.users.get_by_username(normalize_username(username))
    if user is None:
        passwords.verify_dummy(password)
        raise AuthenticationFailed(INVALID_CREDENTIALS)
    if not passwords.verify(user.password_hash, password) or not user.active:
        raise AuthenticationFailed(INVALID_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        new_hash = passwords.hash(password)
        with uow:
            uow.users.set_password_hash(user.id, new_hash, datetime.now(UTC))
            uow.commit()
    return user


def get_user_or_raise(uow: Any, *, user_id: str) -> User:
    """One user, or UserNotFound."""
    with uow:
        user = uow.users.get(user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user  # type: ignore[no-any-return]


def change_access(
    uow: Any,
    passwords: Passwords,
    *,
    user_id: str,
    by: Principal,
    reason: str,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """An administrator locks or unlocks an account within their scope and/or sets its password (a
    forgotten one, a leaked one): the account's tokens issued until now stop counting at once on this
    process and within `TokenStatus`'s seconds elsewhere; audited on the account's chain with the reason.
    An account outside the scope is 404, as one that does not exist; an administrator cannot lock
    themselves out (422)."""
    if active is None and password is None:
        raise ValidationFailed(
            "Chưa có thay đổi nào.",
            "Nothing to change.",
            errors={"active": ["Cần khóa/mở khóa (active) hoặc mật khẩu mới (password)."]},
            errors_en={"active": ["Send active (lock/unlock) or a new password."]},
        )
    if password is not None:
        vi, en = password_problems(password)
        if vi:
            raise ValidationFailed(
                "Mật khẩu mới không hợp lệ.", "Invalid new password.", errors=vi, errors_en=en
            )
    if active is False and user_id == by.user_id:
        raise ValidationFailed(
            "Không thể tự khóa tài khoản của mình.",
            "You cannot lock your own account.",
            errors={"active": ["Một quản trị viên khác phải khóa tài khoản này."]},
            errors_en={"active": ["Another administrator must lock this account."]},
        )
    new_hash = passwords.hash(password) if password is not None else None  # slow: outside the transaction
    with uow:
        user = uow.users.get(user_id)
        if user is None or not is_within(user.scope_path, by.scope_path):
            raise UserNotFound(user_id)
        uow.users.set_access(user_id, datetime.now(UTC), active=active, password_hash=new_hash)
        changes: dict[str, Any] = {"active": active} if active is not None else {}
        if password is not None:
            changes["password"] = "set"
        uow.record(
            AuditEntry(
                chain=account_chain(user_id),
                action="user.access_changed",
                actor=by.username,
                role=by.role,
                reason=reason,
                before={"active": user.active},
                after={**changes, "tokens_revoked": True},
            )
        )
        # Its owner is told (inbox, e-mail): a password they did not ask for is how a takeover shows.
        uow.publish(
            Event(
                type="account.access_changed",
                source="evaluation",
                payload={
                    "addressee": user.username,
                    "username": user.username,
                    "role": user.role,
                    "admin_unit_code": user.scope_code,  # None for a national account (told all the same)
                    "subject_id": user.subject_id,
                    "change": _change_of(active, password is not None),
                    "actor": by.username,
                    "reason": reason,
                },
            )
        )
        uow.commit()
    return get_user_or_raise(uow, user_id=user_id)


def _change_of(active: bool | None, password_set: bool) -> str:
    """What an access change did, as the notice names it."""
    if active is False:
        return "locked"
    if active is True:
        return "unlocked_password_set" if password_set else "unlocked"
    return "password_set"


def account_chain(user_id: str) -> str:
    """The audit chain of one account (created, locked, unlocked, password set, signed out)."""
    return f"user:{user_id}"


def account_history(uow: Any, *, user_id: str, by: Principal) -> ChainHistory:
    """An account's audit entries and verdict, for an administrator or auditor whose scope holds the
    account (404 otherwise, as for one that does not exist)."""
    with uow:
        user = uow.users.get(user_id)
    if user is None or not is_within(user.scope_path, by.scope_path):
        raise UserNotFound(user_id)
    return chain_history(uow, account_chain(user_id))


def sign_out_everywhere(uow: Any, *, principal: Principal) -> None:
    """The signed-in user revokes every token of theirs (this one too): audited on their chain."""
    with uow:
        uow.users.set_access(principal.user_id, datetime.now(UTC))
        uow.record(
            AuditEntry(
                chain=account_chain(principal.user_id),
                action="user.signed_out",
                actor=principal.username,
                role=principal.role,
                after={"tokens_revoked": True},
            )
        )
        uow.commit()


def current_user(uow: Any, *, principal: Principal) -> User:
    """The account behind a token; a removed or deactivated one no longer counts (AuthenticationFailed)."""
    with uow:
        user = uow.users.get(principal.user_id)
    if user is None or not user.active:
        raise AuthenticationFailed("invalid")
    return user  # type: ignore[no-any-return]


def list_users(
    uow: Any,
    *,
    within_path: str,
    limit: int = 50,
    offset: int = 0,
    role: str | None = None,
    covering: str | None = None,
    subject_id: str | None = None,
    q: str = "",
    username: str | None = None,
) -> Page:
    """Users whose scope lies within `within_path` ("" is the whole country), by username. With `covering`,
    the active users who answer for that unit (the notifications service's recipient directory); with `q`,
    those whose username or full name holds every word of it, case and accents aside ("nguyen van"
    finds "Nguyễn Văn An"); with `username`, that one account, active or locked (the directory finds the
    owner of an account told of a change to it)."""
    from common.errors import NotFound

    with uow:
        covering_path = None
        if covering:
            unit = uow.admin_units.get(covering)
            if unit is None:
                raise NotFound("Không tìm thấy đơn vị hành chính.", "Administrative unit not found.")
            covering_path = unit.path
        items, total = uow.users.page_within(
            within_path,
            limit=limit,
            offset=offset,
            role=role,
            covering_path=covering_path,
            subject_id=subject_id,
            text=q,
            username=username,
        )
        # A household representative's household by its register code, as people know it ("H001").
        households = {u.subject_id for u in items if u.subject_id}
        codes = uow.subjects.labels({"household": households}) if households else {}
    rows = [{**vars(u), "subject_code": codes.get(("household", u.subject_id), (None,))[0]} for u in items]
    return Page(items=rows, total=total)
