"""Apps under fuzzing: each service's Flask app on its own SQLite database (seeded like `make migrate`),
the real Temporal dev server and rclone's S3 server, and a national administrator's token so the fuzzer
reaches the handlers behind sign-in (401/403 paths are the authorization matrix tests' business)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from temporalio.testing import WorkflowEnvironment

from common.auth import NATIONAL_SCOPE_PATH, Principal
from common.settings import CommonSettings
from tests.conftest import seed_reference_data
from tests.signin import FAST_ARGON2, bearer

SECRET = "fuzz-secret-key-0123456789abcdef"


def _common(temporal_dev: WorkflowEnvironment, s3: dict[str, Any], root: Path) -> CommonSettings:
    return CommonSettings(
        broker_url=f"sqla+sqlite:///{root / 'broker.db'}",
        temporal_address=temporal_dev.client.service_client.config.target_host,
        s3_endpoint=s3["endpoint"],
        s3_access_key=s3["access_key"],
        s3_secret_key=s3["secret_key"],
        evidence_bucket="fuzz-evidence",
        secret_key=SECRET,
    )


@pytest.fixture(scope="session")
def admin_headers() -> dict[str, str]:
    principal = Principal(
        user_id="fuzz-admin", username="fuzz-admin", role="administrator", scope_code=None,
        scope_path=NATIONAL_SCOPE_PATH,
    )  # fmt: skip
    return bearer(SECRET, principal)


@pytest.fixture(scope="session")
def evaluation_schema(
    temporal_dev: WorkflowEnvironment, s3_server: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Any:
    from services.evaluation.app import build_storage, create_app
    from services.evaluation.config import Settings

    root = tmp_path_factory.mktemp("fuzz-evaluation")
    settings = Settings(
        database_url=f"sqlite:///{root / 'evaluation.db'}",
        common=_common(temporal_dev, s3_server, root),
        **FAST_ARGON2,
    )
    seed_reference_data(settings.database_url)
    build_storage(settings).ensure_bucket()
    return schemathesis.openapi.from_wsgi("/openapi.json", create_app(settings))


@pytest.fixture(scope="session")
def awards_schema(
    temporal_dev: WorkflowEnvironment, s3_server: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Any:
    import threading
    from dataclasses import replace

    from werkzeug.serving import make_server

    from infra.migrate import upgrade
    from services.awards.app import create_app
    from services.awards.config import Settings
    from services.evaluation.app import create_app as create_evaluation
    from services.evaluation.config import Settings as EvaluationSettings
    from tests.conftest import free_port

    root = tmp_path_factory.mktemp("fuzz-awards")
    common = _common(temporal_dev, s3_server, root)
    # Awards reads plans, admin units and recognitions from the evaluation service over HTTP.
    evaluation = EvaluationSettings(
        database_url=f"sqlite:///{root / 'evaluation.db'}", common=common, **FAST_ARGON2
    )
    seed_reference_data(evaluation.database_url)
    port = free_port()
    server = make_server("127.0.0.1", port, create_evaluation(evaluation), threaded=True)
    threading.Thread(target=server.serve_forever, name="fuzz-evaluation", daemon=True).start()
    settings = Settings(
        database_url=f"sqlite:///{root / 'awards.db'}",
        common=replace(common, evaluation_url=f"http://127.0.0.1:{port}"),
        documents_bucket="fuzz-awards",
    )
    upgrade("awards", settings.database_url)
    yield schemathesis.openapi.from_wsgi("/openapi.json", create_app(settings))
    server.shutdown()


@pytest.fixture(scope="session")
def notifications_schema(
    temporal_dev: WorkflowEnvironment, s3_server: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Any:
    from infra.migrate import upgrade
    from services.notifications.app import create_app
    from services.notifications.config import Settings

    root = tmp_path_factory.mktemp("fuzz-notifications")
    settings = Settings(
        database_url=f"sqlite:///{root / 'notifications.db'}", common=_common(temporal_dev, s3_server, root)
    )
    upgrade("notifications", settings.database_url)
    return schemathesis.openapi.from_wsgi("/openapi.json", create_app(settings))
