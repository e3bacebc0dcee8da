"""A seeded evaluation service (real SQLite, real rclone S3; no Temporal) and a notifications service,
reached by the web app through httpx's WSGI transport: real HTTP semantics without ports."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from flask import Flask

from common.db import make_engine
from common.settings import CommonSettings
from infra.migrate import upgrade
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import build_storage
from services.evaluation.app import create_app as create_evaluation
from services.evaluation.config import Settings as EvaluationSettings
from services.evaluation.service import cases
from services.notifications.app import create_app as create_notifications
from services.notifications.config import Settings as NotificationsSettings
from services.web.app import create_app as create_web
from services.web.config import Settings as WebSettings
from tests.conftest import HCMC_WARD, free_port, seed_reference_data
from tests.signin import FAST_ARGON2, PASSWORD, add_household, create_user
from workflows.recognition import contracts as c

CRITERIA_KEY = "gia-dinh-hoc-tap@2023.1"
HOUSEHOLD = "HH-WEB-1"  # the household of `ho-gia-dinh` (a readable id)
HOUSEHOLD_CODE = "HWEB1"  # its register code: pages show it beside its name
# (username, role, scope): one account per role in the ward, the auditor for the whole country.
USERS = (
    ("ho-gia-dinh", "household_representative", HCMC_WARD),
    ("truong-thon", "village_officer", HCMC_WARD),
    ("can-bo-hoi", "commune_association_officer", HCMC_WARD),
    ("chu-tich", "commune_chairman", HCMC_WARD),
    ("kiem-toan", "auditor", None),
)


WEB_KEY = "web-test-secret-0001"


@dataclass
class World:
    evaluation: Flask
    notifications: Flask
    evaluation_settings: EvaluationSettings
    case_id: str

    def web(
        self, *, key: str = WEB_KEY, fallbacks: tuple[str, ...] = (), **transports: httpx.BaseTransport
    ) -> Flask:
        """A web app over these services (or over the transports given instead), signing its cookies
        with `key` and accepting those of `fallbacks`."""
        settings = WebSettings(
            common=self.evaluation_settings.common, secret_key=key, secret_key_fallbacks=fallbacks
        )
        routes = {
            "evaluation": httpx.WSGITransport(app=self.evaluation),
            "notifications": httpx.WSGITransport(app=self.notifications),
            **transports,
        }
        app = create_web(settings, transports=routes)
        app.config["TESTING"] = True
        return app


def seed_case(
    database_url: str, subject_id: str = HOUSEHOLD, year: int = 2026, plan: tuple[str, int] | None = None
) -> str:
    """A case as its workflow records it when it opens (no Temporal needed to read it), for a household
    of the ward's register: one the register lacks is registered first in the world household's
    village, under its id (as `POST /cases` opens cases for registered subjects only). `plan`: the
    plan version recorded on its progress row, as the opening activity writes it (none by default)."""
    case_id = f"case-{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    with engine.connect() as db:
        known = db.execute(sa.select(t.households.c.id).where(t.households.c.id == subject_id)).first()
    if known is None:
        add_household(
            database_url, commune_code=HCMC_WARD, code=subject_id, village="KP9", household_id=subject_id
        )
    cases.record_case_opened(
        SqlUnitOfWork(engine),
        inp=c.CaseOpenedInput(
            case_id=case_id,
            workflow_id=f"recognition/{year}/learning_family/{subject_id}",
            run_id="r1",
            year=year,
            title="learning_family",
            subject_id=subject_id,
            admin_unit_code=HCMC_WARD,
            opened_by="test",
        ),
    )
    uow = SqlUnitOfWork(engine)
    with uow:
        recorded = {"plan_code": plan[0], "plan_version": plan[1]} if plan else {}
        uow.progress.upsert(
            case_id, criteria_set_key=CRITERIA_KEY, waiting_on_role="household_representative", **recorded
        )
        uow.commit()
    engine.dispose()
    return case_id


def build_world(tmp: Path, s3: dict[str, Any]) -> World:
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    seed_reference_data(url)
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp / 'broker.db'}",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=s3["endpoint"],
        s3_access_key=s3["access_key"],
        s3_secret_key=s3["secret_key"],
        evidence_bucket=f"evidence-{uuid.uuid4().hex[:10]}",
        secret_key="web-world-secret-key-0001",
    )
    ev_settings = EvaluationSettings(database_url=url, common=common, **FAST_ARGON2)
    build_storage(ev_settings).ensure_bucket()
    add_household(url, commune_code=HCMC_WARD, code=HOUSEHOLD_CODE, village="KP9", household_id=HOUSEHOLD)
    for username, role, scope in USERS:
        subject = HOUSEHOLD if role == "household_representative" else None
        create_user(url, role=role, scope_code=scope, username=username, subject_id=subject)
    nt_url = f"sqlite:///{tmp / 'notifications.db'}"
    upgrade("notifications", nt_url)
    notifications = create_notifications(NotificationsSettings(database_url=nt_url, common=common))
    return World(create_evaluation(ev_settings), notifications, ev_settings, seed_case(url))


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign the web client in through the login form."""
    page = client.get("/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    )
