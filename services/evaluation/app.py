"""Evaluation service HTTP composition root: create_app(settings) -> Flask."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import Engine

from common.audit_api import stored_anchors, verify_blueprint
from common.db import make_engine
from common.health import Check, broker_check, database_check
from common.login_guard import LoginGuard, LoginLimits
from common.storage import ObjectStorage
from common.temporal_gateway import TemporalGateway
from common.web import health_blueprint, make_api
from common.web_auth import init_auth
from services.evaluation.adapters.passwords import Argon2Passwords
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.api import (
    admin_units,
    annual_reports,
    audit,
    auth,
    case_criteria,
    cases,
    evidence,
    imports,
    plans,
    recognitions,
    reports,
    rounds,
    subjects,
    tasks,
)
from services.evaluation.config import Settings
from services.evaluation.service.token_status import TokenStatus

MODULES = (
    auth,
    admin_units,
    cases,
    evidence,
    imports,
    plans,
    subjects,
    tasks,
    audit,
    recognitions,
    rounds,
    reports,
    annual_reports,
    case_criteria,
)

logger = logging.getLogger(__name__)


@dataclass
class Container:
    """Concrete adapters for one process, built once."""

    settings: Settings
    engine: Engine
    storage: ObjectStorage
    gateway: TemporalGateway
    uow: Callable[[], SqlUnitOfWork]
    passwords: Argon2Passwords
    tokens: TokenStatus = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenStatus(self.reader, ttl=self.settings.common.token_status_seconds)

    def reader(self) -> SqlUnitOfWork:
        """A unit of work for use cases that only read (no SQLite write lock, cannot commit)."""
        return SqlUnitOfWork(self.engine, read_only=True)


def build_storage(settings: Settings) -> ObjectStorage:
    """The evidence bucket on the configured S3 server."""
    return ObjectStorage.on(settings.common, settings.common.evidence_bucket)


def build_passwords(settings: Settings) -> Argon2Passwords:
    """The password hasher with the configured argon2id parameters."""
    return Argon2Passwords(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def build_container(settings: Settings) -> Container:
    """Wire the adapters (no I/O happens here: connections open on first use)."""
    engine = make_engine(settings.database_url)
    return Container(
        settings=settings,
        engine=engine,
        storage=build_storage(settings),
        gateway=TemporalGateway(settings.common.temporal_address, settings.common.temporal_namespace),
        uow=lambda: SqlUnitOfWork(engine),
        passwords=build_passwords(settings),
    )


def _checks(app: Flask) -> dict[str, Check]:
    c: Container = app.extensions["evaluation"]
    return {
        "database": database_check(c.engine),
        "broker": broker_check(c.settings.common.broker_url),
        "temporal": c.gateway.check,
        "object_store": c.storage.check,
    }


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; with no settings, read them from the environment."""
    settings = settings or Settings.from_env()
    app = Flask("evaluation")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + 1024 * 1024
    app.extensions["evaluation"] = build_container(settings)
    app.extensions["login_guard"] = LoginGuard(
        LoginLimits(
            per_account=settings.login_max_failures,
            per_address=settings.login_max_failures_per_address,
            window=settings.login_failure_window_seconds,
        )
    )
    api = make_api(app, "Đánh giá công nhận — evaluation service")
    api.register_blueprint(health_blueprint(_checks))
    init_auth(
        app,
        api,
        secret_key=settings.common.secret_key,
        fallback_keys=settings.common.secret_key_fallbacks,
        max_age_seconds=settings.common.token_max_age_seconds,
        token_check=app.extensions["evaluation"].tokens.check,
    )
    if settings.common.uses_dev_secret and not settings.database_url.startswith("sqlite"):
        logger.warning("SECRET_KEY is the embedded development value: set SECRET_KEY in production")
    for module in MODULES:
        api.register_blueprint(module.blp)
    api.register_blueprint(
        verify_blueprint(
            lambda: app.extensions["evaluation"].reader(),
            anchors=stored_anchors(settings.common, "evaluation"),
        )
    )
    return app
