"""Notifications service HTTP composition root: create_app(settings) -> Flask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine

from common.db import make_engine
from common.health import Check, broker_check, database_check
from common.remote_token_status import init_auth_asking_evaluation
from common.temporal_gateway import TemporalGateway
from common.web import health_blueprint, make_api
from services.notifications.adapters.broker import KombuPublisher
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.adapters.url_guard import WebhookUrlGuard
from services.notifications.api import dead_letters, inbox, preferences, webhooks
from services.notifications.bootstrap import build_url_guard
from services.notifications.config import Settings

MODULES = (inbox, preferences, webhooks, dead_letters)


@dataclass
class Container:
    """Concrete adapters for one process."""

    settings: Settings
    engine: Engine
    gateway: TemporalGateway
    uow: Callable[[], SqlUnitOfWork]
    publisher: KombuPublisher
    url_guard: WebhookUrlGuard


def _checks(app: Flask) -> dict[str, Check]:
    c: Container = app.extensions["notifications"]
    return {
        "database": database_check(c.engine),
        "broker": broker_check(c.settings.common.broker_url),
        "temporal": c.gateway.check,
    }


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; with no settings, read them from the environment."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    app = Flask("notifications")
    app.extensions["notifications"] = Container(
        settings=settings,
        engine=engine,
        gateway=TemporalGateway(settings.common.temporal_address, settings.common.temporal_namespace),
        uow=lambda: SqlUnitOfWork(engine),
        publisher=KombuPublisher(settings.common.broker_url),
        url_guard=build_url_guard(settings),
    )
    api = make_api(app, "Thông báo — notifications service")
    api.register_blueprint(health_blueprint(_checks))
    # The same stateless tokens as the evaluation service (same SECRET_KEY): see api/access.py; the
    # accounts are the evaluation service's, which says which tokens were revoked (docs/security.md).
    init_auth_asking_evaluation(app, api, settings.common)
    for module in MODULES:
        api.register_blueprint(module.blp)
    return app
