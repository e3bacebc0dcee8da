"""Awards service HTTP composition root: create_app(settings) -> Flask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine

from common.audit_api import stored_anchors, verify_blueprint
from common.auth import service_token_provider
from common.db import make_engine
from common.health import Check, broker_check, database_check
from common.remote_token_status import init_auth_asking_evaluation
from common.storage import ObjectStorage
from common.temporal_gateway import TemporalGateway
from common.web import health_blueprint, make_api
from services.awards.adapters.catalog import Catalog, shipped_catalog
from services.awards.adapters.evaluation_client import EvaluationClient
from services.awards.adapters.unit_of_work import SqlUnitOfWork
from services.awards.api import nominations, rounds
from services.awards.config import Settings

MODULES = (rounds, nominations)


@dataclass
class Container:
    """Concrete adapters for one process."""

    settings: Settings
    engine: Engine
    gateway: TemporalGateway
    uow: Callable[[], SqlUnitOfWork]
    storage: ObjectStorage
    evaluation: EvaluationClient
    catalog: Catalog


def build_storage(settings: Settings) -> ObjectStorage:
    """The awards bucket on the configured S3 server."""
    return ObjectStorage.on(settings.common, settings.documents_bucket)


def build_evaluation_client(settings: Settings) -> EvaluationClient:
    """The evaluation service's API, called with this service's own token."""
    token = service_token_provider(
        "awards", secret_key=settings.common.secret_key, max_age_seconds=settings.common.token_max_age_seconds
    )
    return EvaluationClient(settings.common.evaluation_url, token=token)


def _checks(app: Flask) -> dict[str, Check]:
    c: Container = app.extensions["awards"]
    return {
        "database": database_check(c.engine),
        "broker": broker_check(c.settings.common.broker_url),
        "temporal": c.gateway.check,
    }


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; with no settings, read them from the environment."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    app = Flask("awards")
    app.config["MAX_CONTENT_LENGTH"] = 21 * 1024 * 1024
    app.extensions["awards"] = Container(
        settings=settings,
        engine=engine,
        gateway=TemporalGateway(settings.common.temporal_address, settings.common.temporal_namespace),
        uow=lambda: SqlUnitOfWork(engine),
        storage=build_storage(settings),
        evaluation=build_evaluation_client(settings),
        catalog=shipped_catalog(),
    )
    api = make_api(app, "Khen thưởng — awards service")
    api.register_blueprint(health_blueprint(_checks))
    # accounts are the evaluation service's: it says which tokens were revoked (docs/security.md)
    init_auth_asking_evaluation(app, api, settings.common)
    for module in MODULES:
        api.register_blueprint(module.blp)
    api.register_blueprint(
        verify_blueprint(
            lambda: app.extensions["awards"].uow(), anchors=stored_anchors(settings.common, "awards")
        )
    )
    return app
