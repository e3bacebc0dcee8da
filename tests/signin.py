"""Sign-in helpers for tests: accounts made through the service layer, tokens from POST /auth/login, or
tokens issued directly when a test needs many principals and no database rows."""

from __future__ import annotations

from typing import Any

from common.auth import Principal, issue_token
from common.db import make_engine
from services.evaluation.adapters.passwords import Argon2Passwords
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.domain.users import User
from services.evaluation.service import users

# argon2 at its cheapest: tests hash and verify in microseconds instead of half a second.
FAST_ARGON2: dict[str, int] = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}
PASSWORD = "mat-khau-thu-nghiem"


def fast_passwords() -> Argon2Passwords:
    """The hasher matching FAST_ARGON2 (apps built with it never rehash these accounts)."""
    return Argon2Passwords(time_cost=1, memory_kib=8, parallelism=1)


def username_for(role: str, scope_code: str | None) -> str:
    """A valid, readable username for a role and scope."""
    return f"{role}-{scope_code or 'vn'}".lower().replace("_", "-")


def create_user(
    database_url: str,
    *,
    role: str,
    scope_code: str | None,
    username: str | None = None,
    password: str = PASSWORD,
    passwords: Any = None,
    subject_id: str | None = None,
) -> User:
    """An account created through the service layer (no caller: as the bootstrap CLI does)."""
    engine = make_engine(database_url)
    try:
        return users.create_user(
            SqlUnitOfWork(engine),
            passwords or fast_passwords(),
            username=username or username_for(role, scope_code),
            full_name=f"Người dùng {role}",
            password=password,
            role=role,
            scope_code=scope_code,
            subject_id=subject_id,
        )
    finally:
        engine.dispose()


def login(api: Any, username: str, password: str = PASSWORD, **headers: str) -> dict[str, str]:
    """Sign in through the API; the Authorization header to send with later requests."""
    response = api.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}", **headers}


def sign_in(
    api: Any,
    database_url: str,
    *,
    role: str,
    scope_code: str | None,
    username: str | None = None,
    subject_id: str | None = None,
) -> dict[str, str]:
    """Create an account and sign it in: the headers of a real user of `role` over `scope_code` (a household
    representative names their household by `subject_id`)."""
    user = create_user(
        database_url, role=role, scope_code=scope_code, username=username, subject_id=subject_id
    )
    return login(api, user.username)


def bearer(secret_key: str, principal: Principal) -> dict[str, str]:
    """Headers with a token issued directly to `principal` (no account needed: tokens are stateless)."""
    return {"Authorization": f"Bearer {issue_token(principal, secret_key=secret_key).token}"}


def add_household(
    database_url: str, *, commune_code: str, code: str, village: str = "T1", household_id: str | None = None
) -> str:
    """A household registered in village `village` of the commune (created unless it exists), for the
    cases opened for it (`POST /cases` takes registered subjects only) and household representatives'
    accounts; returns its id (`household_id` when given: a readable id that tests can type and find on
    pages)."""
    import uuid

    from common.errors import Conflict
    from services.evaluation.adapters import tables as t
    from services.evaluation.domain.admin_units import village_code
    from services.evaluation.service import admin_units

    engine = make_engine(database_url)
    try:
        try:
            code_of_village = admin_units.create_village(
                SqlUnitOfWork(engine),
                commune_code=commune_code,
                local_code=village,
                name=f"Thôn {village}",
                kind="thon",
            ).code
        except Conflict:  # another household of the test lives there already
            code_of_village = village_code(commune_code, village)
        household_id = household_id or str(uuid.uuid4())
        with engine.begin() as db:
            db.execute(
                t.households.insert().values(
                    id=household_id,
                    commune_code=commune_code,
                    household_code=code,
                    village_code=code_of_village,
                    head_name="Nguyễn Văn Hộ",
                    address=f"Thôn {village}",
                )
            )
        return household_id
    finally:
        engine.dispose()
