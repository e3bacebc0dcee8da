"""A token the evaluation service revoked is refused by awards and notifications too: the real evaluation
API on a free port, the two services asking it (`common.remote_token_status`); and the rules of that
asking with a fake session and clock (only a definite "revoked" refuses; an outage leaves the signature
to decide; answers kept for their seconds)."""

from __future__ import annotations

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


@pytest.fixture
def services(evaluation_admin_tree: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The evaluation API served on a free port; awards and notifications apps asking it, trusting an
    answer for 0 s (each request asks)."""
    url = copy_of(evaluation_admin_tree, tmp_path)
    port = free_port()
    common = CommonSettings(
        secret_key=SECRET, evaluation_url=f"http://127.0.0.1:{port}", token_status_seconds=0
    )
    evaluation = create_evaluation(EvaluationSettings(database_url=url, common=common, **FAST_ARGON2))
    server = make_server("127.0.0.1", port, evaluation, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    upgrade("awards", f"sqlite:///{tmp_path / 'awards.db'}")
    upgrade("notifications", f"sqlite:///{tmp_path / 'notifications.db'}")
    awards = create_awards(AwardsSettings(database_url=f"sqlite:///{tmp_path / 'awards.db'}", common=common))
    notifications = create_notifications(
        NotificationsSettings(database_url=f"sqlite:///{tmp_path / 'notifications.db'}", common=common)
    )
    create_user(
        url,
        role="administrator",
        scope_code=None,
        username="quan-tri",
    )
    create_user(
        url,
        role="village_officer",
        scope_code=HOAN_KIEM,
        username="can-bo",
    )
    try:
        yield {"base": f"http://127.0.0.1:{port}", "awards": awards, "notifications": notifications}
    finally:
        server.shutdown()
        thread.join(5)


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
