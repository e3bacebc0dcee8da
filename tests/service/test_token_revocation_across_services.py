"""A token the evaluation service revoked is refused by awards and notifications too: the real evaluation
API on a free port, the two services asking it (`common.remote_token_status`); and the rules of that
asking with a fake session and clock (only a definite "revoked" refuses; an outage leaves the signature
to decide; answers kept for their seconds)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from common.auth import AuthenticationFailed, Principal
from common.remote_token_status import RemoteTokenStatus
from common.settings import CommonSettings
from infra.migrate import upgrade
from services.awards.app import create_app as create_awards
from services.awards.config import Settings as AwardsSettings
from services.evaluation.app import create_app as create_evaluation
from services.evaluation.config import Settings as EvaluationSettings
from services.notifications.app import create_app as create_notifications
from services.notifications.config import Settings as NotificationsSettings
from tests.conftest import free_port
from tests.service.conftest import copy_of
from tests.signin import FAST_ARGON2, PASSWORD, create_user

SECRET = "revocation-test-secret-key-0001"
HOAN_KIEM = "00070"


@contextlib.contextmanager
def _running(database_url: str, tmp_path: Path, *, secret: str, fallbacks: tuple[str, ...] = ()):
    """The evaluation API served on a free port; awards and notifications apps asking it, trusting an
    answer for 0 s (each request asks); every one signing with `secret` and accepting `fallbacks`."""
    port = free_port()
    common = CommonSettings(
        secret_key=secret,
        secret_key_fallbacks=fallbacks,
        evaluation_url=f"http://127.0.0.1:{port}",
        token_status_seconds=0,
    )
    evaluation = create_evaluation(
        EvaluationSettings(database_url=database_url, common=common, **FAST_ARGON2)
    )
    server = make_server("127.0.0.1", port, evaluation, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for service in ("awards", "notifications"):
        upgrade(service, f"sqlite:///{tmp_path / service}.db")
    awards = create_awards(AwardsSettings(database_url=f"sqlite:///{tmp_path / 'awards.db'}", common=common))
    notifications = create_notifications(
        NotificationsSettings(database_url=f"sqlite:///{tmp_path / 'notifications.db'}", common=common)
    )
    try:
        yield {"base": f"http://127.0.0.1:{port}", "awards": awards, "notifications": notifications}
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def database_url(evaluation_admin_tree: Path, tmp_path: Path) -> str:
    url = copy_of(evaluation_admin_tree, tmp_path)
    create_user(url, role="administrator", scope_code=None, username="quan-tri")
    create_user(url, role="village_officer", scope_code=HOAN_KIEM, username="can-bo")
    return url


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with _running(database_url, tmp_path, secret=SECRET) as running:
        yield running


def _login(base: str, username: str) -> str:
    r = requests.post(f"{base}/auth/login", json={"username": username, "password": PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def _get(app: Flask, path: str, token: str) -> Any:
    return app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_locked_accounts_token_is_refused_by_awards_and_notifications(services: dict[str, Any]) -> None:
    base, awards, notifications = services["base"], services["awards"], services["notifications"]
    officer, admin = _login(base, "can-bo"), _login(base, "quan-tri")
    assert _get(notifications, "/inbox", officer).status_code == 200
    assert _get(awards, "/rounds", officer).status_code == 200
    me = requests.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {officer}"}, timeout=10).json()
    locked = requests.post(
        f"{base}/users/{me['id']}/access",
        json={"active": False, "reason": "Nghỉ việc"},
        headers={"Authorization": f"Bearer {admin}"},
        timeout=10,
    )
    assert locked.status_code == 200, locked.text
    for app, path in ((notifications, "/inbox"), (awards, "/rounds")):
        refused = _get(app, path, officer)
        assert refused.status_code == 401 and refused.get_json()["errors"] == {"auth": ["revoked"]}, path
    assert _get(notifications, "/inbox", admin).status_code == 200  # another account's token still counts


class _Answer:
    def __init__(self, status: int, body: Any = None) -> None:
        self.status_code, self._body = status, body

    def json(self) -> Any:
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


class _Session:
    def __init__(self, *answers: Any) -> None:
        self.answers, self.calls = list(answers), 0

    def get(self, url: str, **_: Any) -> Any:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _check(status: RemoteTokenStatus, principal: Principal, token: str = "t0k3n") -> None:
    with Flask("x").test_request_context(headers={"Authorization": f"Bearer {token}"}):
        status.check(principal)


OFFICER = Principal("u1", "can-bo", "village_officer", HOAN_KIEM, "01/00070")


def test_only_a_definite_revoked_answer_refuses_and_answers_are_kept_for_their_seconds() -> None:
    now = [0.0]
    session = _Session(
        _Answer(401, {"errors": {"auth": ["invalid"]}}),  # another deployment's key: not a revocation
        requests.ConnectionError("down"),  # the evaluation service is down: the signature decides
        _Answer(502),
        _Answer(401, {"errors": {"auth": ["revoked"]}}),
    )
    status = RemoteTokenStatus("http://evaluation", ttl=10.0, session=session, clock=lambda: now[0])
    _check(status, OFFICER)
    now[0] = 9.9
    _check(status, OFFICER)  # kept: not asked again
    assert session.calls == 1
    for moment in (10.0, 20.0):
        now[0] = moment
        _check(status, OFFICER)
    now[0] = 30.0
    with pytest.raises(AuthenticationFailed) as refused:
        _check(status, OFFICER)
    assert refused.value.reason == "revoked" and session.calls == 4
    _check(status, Principal("service:awards", "s", "administrator", None, ""))  # never asked
    assert session.calls == 4


NEW_SECRET = "revocation-test-new-secret-0002"


def _answers(stack: dict[str, Any], token: str) -> list[int]:
    """The status each part gives the token: evaluation, notifications, awards."""
    me = requests.get(f"{stack['base']}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return [me.status_code, _get(stack["notifications"], "/inbox", token).status_code] + [
        _get(stack["awards"], "/rounds", token).status_code
    ]


def test_rotating_the_signing_key_signs_no_one_out_until_the_old_key_is_dropped(
    database_url: str, tmp_path: Path
) -> None:
    """docs/security.md "Rotating the signing key": the new key is first known everywhere, then signs,
    then the old one is dropped (once its tokens have expired)."""
    with _running(database_url, tmp_path, secret=SECRET) as before:
        old = _login(before["base"], "can-bo")
    with _running(database_url, tmp_path, secret=SECRET, fallbacks=(NEW_SECRET,)) as told:
        assert _answers(told, old) == [200, 200, 200]
        assert _login(told["base"], "can-bo")  # still signed with the old key
    with _running(database_url, tmp_path, secret=NEW_SECRET, fallbacks=(SECRET,)) as rotated:
        new = _login(rotated["base"], "can-bo")
        assert _answers(rotated, old) == _answers(rotated, new) == [200, 200, 200]
    with _running(database_url, tmp_path, secret=NEW_SECRET) as after:
        assert _answers(after, new) == [200, 200, 200]
        assert _answers(after, old) == [401, 401, 401]
        refused = requests.get(
            f"{after['base']}/auth/me", headers={"Authorization": f"Bearer {old}"}, timeout=10
        )
        assert refused.json()["errors"] == {"auth": ["invalid"]}
