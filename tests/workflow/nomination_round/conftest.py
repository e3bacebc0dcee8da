"""The awards service end to end on the time-skipping server: the real evaluation app served over HTTP
(plans, admin units, recognition history), rclone S3, the awards app, its activity worker and the
workflow worker, each on a task queue of its own."""

from __future__ import annotations

import threading
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from werkzeug.serving import make_server

from common.auth import Principal
from common.db import make_engine
from common.settings import DEFAULT_SECRET_KEY, CommonSettings
from infra.migrate import upgrade
from services.awards.activities import AwardsActivities
from services.awards.adapters.unit_of_work import SqlUnitOfWork
from services.awards.app import build_storage
from services.awards.app import create_app as create_awards
from services.awards.config import Settings as AwardsSettings
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork as EvaluationUnitOfWork
from services.evaluation.app import create_app as create_evaluation
from services.evaluation.config import Settings as EvaluationSettings
from services.evaluation.service import admin_units
from tests.conftest import free_port, new_task_queue, seed_reference_data
from tests.signin import FAST_ARGON2, bearer
from tests.workflow.nomination_round.recognitions import RecognitionSeeder
from workflows.worker import build_worker


@dataclass
class AwardsStack:
    """Handles on one running stack."""

    env: WorkflowEnvironment
    awards: FlaskClient
    settings: AwardsSettings
    seeder: RecognitionSeeder
    uow: Callable[[], SqlUnitOfWork]

    def headers(self, role: str, scope_path: str, username: str | None = None) -> dict[str, str]:
        """A token for `role` over the unit at `scope_path` ("" for the whole country)."""
        code = scope_path.rsplit("/", 1)[-1] if scope_path else None
        principal = Principal(
            user_id=f"id-{username or role}",
            username=username or f"{role}-{code or 'vn'}",
            role=role,
            scope_code=code,
            scope_path=scope_path,
        )
        return bearer(DEFAULT_SECRET_KEY, principal)


async def today_vn(env: WorkflowEnvironment) -> date:
    """Today in Vietnam on the test server's clock (ahead of the wall clock once a test skipped time)."""
    now = max(await env.get_current_time(), datetime.now(UTC))
    return (now + timedelta(hours=7)).date()


@pytest.fixture(scope="module")
def evaluation_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real evaluation app with the admin tree, the seed plans and two villages of Vạn Hòa (15664.V01,
    15664.V02: nominees' units), served over HTTP."""
    root = tmp_path_factory.mktemp("evaluation")
    settings = EvaluationSettings(database_url=f"sqlite:///{root / 'evaluation.db'}", **FAST_ARGON2)
    seed_reference_data(settings.database_url)
    for local_code in ("V01", "V02"):
        admin_units.create_village(
            EvaluationUnitOfWork(make_engine(settings.database_url)),
            commune_code="15664",
            local_code=local_code,
            name=f"Thôn {local_code}",
            kind="thon",
        )
    seeder = RecognitionSeeder(settings.database_url)
    app = create_evaluation(settings)
    assert any(str(r) == "/recognitions" for r in app.url_map.iter_rules())
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="evaluation-http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", seeder
    server.shutdown()
    thread.join(10)


@pytest.fixture
async def stack(
    temporal_env: WorkflowEnvironment, s3_server: dict[str, Any], evaluation_server: Any, tmp_path: Any
) -> AsyncIterator[AwardsStack]:
    """The awards service with its workers; workflows are left to finish (never terminated)."""
    url, seeder = evaluation_server
    common = CommonSettings(
        temporal_address=temporal_env.client.service_client.config.target_host,
        s3_endpoint=s3_server["endpoint"],
        s3_access_key=s3_server["access_key"],
        s3_secret_key=s3_server["secret_key"],
        evaluation_url=url,
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
    )
    settings = AwardsSettings(
        database_url=f"sqlite:///{tmp_path / 'awards.db'}",
        common=common,
        documents_bucket=f"awards-{uuid.uuid4().hex[:10]}",
        workflow_task_queue=new_task_queue(),
        activity_task_queue=new_task_queue(),
    )
    upgrade("awards", settings.database_url)
    engine = make_engine(settings.database_url)
    acts = AwardsActivities(lambda: SqlUnitOfWork(engine), build_storage(settings))
    client = temporal_env.client
    with ThreadPoolExecutor(max_workers=4) as executor:
        act_worker = Worker(
            client, task_queue=settings.activity_task_queue, activities=acts.all(), activity_executor=executor
        )
        async with act_worker, build_worker(client, settings.workflow_task_queue):
            yield AwardsStack(
                temporal_env,
                create_awards(settings).test_client(),
                settings,
                seeder,
                lambda: SqlUnitOfWork(engine),
            )
    engine.dispose()
