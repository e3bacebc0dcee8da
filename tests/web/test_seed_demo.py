"""`seed-demo` creates one account per role on the demo commune, signs in through the web, and is
idempotent (make migrate runs it on every `make run`)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from common.auth import ROLES
from services.evaluation.cli import DEMO_PASSWORD, DEMO_USERS, cli
from tests.conftest import seed_reference_data
from tests.signin import FAST_ARGON2


def test_seed_demo_creates_every_role_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    env = {"EVALUATION_DATABASE_URL": url} | {k.upper(): str(v) for k, v in FAST_ARGON2.items()}
    runner = CliRunner()
    first = runner.invoke(cli, ["seed-demo"], env=env)
    assert first.exit_code == 0, first.output
    assert first.output.count(" created") == len(DEMO_USERS)
    assert {role for _, role, _, _ in DEMO_USERS} == set(ROLES)
    again = runner.invoke(cli, ["seed-demo"], env=env)
    assert again.exit_code == 0 and again.output.count(" exists") == len(DEMO_USERS)

    from services.evaluation.app import create_app
    from services.evaluation.config import Settings

    api = create_app(Settings(database_url=url, **FAST_ARGON2)).test_client()
    for username, role, _, scope in DEMO_USERS:
        r = api.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["user"]["role"] == role and r.get_json()["user"]["scope_code"] == scope
        linked = r.get_json()["user"].get("subject_id")
        assert (linked is not None) == (role == "household_representative"), (username, linked)
    households = api.get(
        "/subjects",
        query_string={"kind": "household", "within": "26506"},
        headers={"Authorization": "Bearer " + _token(api, "kiem-toan")},
    )
    assert households.status_code == 200 and households.get_json()["total"] == 3  # imported once, not twice


def _token(api: object, username: str) -> str:
    r = api.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})  # type: ignore[attr-defined]
    return str(r.get_json()["token"])
