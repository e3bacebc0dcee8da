"""The world the authorization matrix runs in: the evaluation app on SQLite with fakes of Temporal and
S3, a case, an evidence file and a household in one Hồ Chí Minh City ward, and a user per role and scope."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from flask import Flask
from flask.testing import FlaskClient

from common.auth import HOUSEHOLD_REPRESENTATIVE, ROLES, VILLAGE_OFFICER, Principal
from common.db import make_engine
from common.settings import CommonSettings
from common.storage import StoredObject
from common.temporal_gateway import StartResult
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.domain.model import Evidence
from services.evaluation.service import admin_units, cases
from services.evaluation.service.imports import ImportRun
from tests.conftest import HCMC_WARD, free_port, seed_reference_data
from tests.signin import FAST_ARGON2, add_household, create_user
from workflows.recognition import contracts as c
from workflows.yearly_round import contracts as rc

ROUND_ID = "round-in-ward"

NATIONAL, IN_SCOPE, OUT_OF_SCOPE = None, "79", "01"
HANOI_COMMUNE = "00070"  # Hoàn Kiếm
SCOPES = (NATIONAL, IN_SCOPE, OUT_OF_SCOPE)
PDF = b"%PDF-1.4\n%minh chung\n"


class FakeGateway:
    """Temporal as the API sees it: every start creates, every step is accepted."""

    def start_workflow(self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str) -> StartResult:
        return StartResult(workflow_id=workflow_id, run_id="run", created=True)

    opens: bool = True  # False: the case's workflow is slow to open (the wait for `wait_opened` runs out)

    def wait_update(self, workflow_id: str, update: str, *, timeout: float, result_type: Any = None) -> Any:
        if not self.opens:
            return None
        return c.CaseStatus(status="draft", version=1, due_at=None, escalation_step=-1, returned_to=None)

    def start_and_wait(
        self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str, update: str, **wait: Any
    ) -> tuple[StartResult, Any]:
        started = self.start_workflow(workflow, arg, workflow_id=workflow_id, task_queue=task_queue)
        return started, self.wait_update(workflow_id, update, **wait)

    def execute_update(self, workflow_id: str, update: str, arg: Any, *, result_type: Any = None) -> Any:
        steps = {
            "council": "awaiting_signature",
            "sign": "recording",
            "supplement": "supplement_signature",
            "sign_supplement": "recording",
            "close": "closed",
        }
        if update in steps:
            return rc.RoundStep(phase=steps[update], version=9)
        return c.StepResult(status="draft", version=1, due_at=None)

    def signal(self, workflow_id: str, signal: str, arg: Any = None) -> None:
        return None

    def check(self) -> None:
        return None


@dataclass
class FakeStorage:
    """Object storage in a dict."""

    objects: dict[str, bytes] = field(default_factory=dict)

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str, max_bytes: int) -> StoredObject:
        data = stream.read()
        self.objects[key] = data
        return StoredObject(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def iter_object(self, key: str, chunk_size: int = 8192) -> Iterator[bytes]:
        yield self.objects.get(key, PDF)

    def presigned_get(self, key: str, *, expires: Any, filename: str | None = None) -> str:
        return f"http://objects.test/{key}"

    def remove(self, key: str) -> None:
        self.objects.pop(key, None)

    def check(self) -> None:
        return None


@dataclass
class World:
    """The app, its fixtures in the ward, and one signed-in user per role and scope."""

    app: Flask
    api: FlaskClient
    case_id: str
    evidence_id: str
    household_id: str
    principals: dict[tuple[str, str | None], Principal]
    import_runs: dict[str, str]  # username -> the run that user made
    counter: Iterator[int] = field(default_factory=itertools.count)

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"


def _seed(url: str) -> tuple[str, str, str]:
    engine = make_engine(url)
    village = admin_units.create_village(
        SqlUnitOfWork(engine), commune_code=HCMC_WARD, local_code="KP0", name="Khu phố 0", kind="khu_pho"
    )
    case_id = "case-in-ward"
    cases.record_case_opened(
        SqlUnitOfWork(engine),
        inp=c.CaseOpenedInput(
            case_id=case_id,
            workflow_id="recognition/2026/learning_family/HH-1",
            run_id="r1",
            year=2026,
            title="learning_family",
            subject_id="HH-1",
            admin_unit_code=HCMC_WARD,
            opened_by="test",
        ),
    )
    now = datetime.now(UTC)
    evidence = Evidence(
        id="evidence-in-ward",
        case_id=case_id,
        indicator_code=None,
        file_name="giay-khen.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        object_key=f"cases/{case_id}/evidence-in-ward",
        uploaded_by="test",
        created_at=now,
    )
    household_id = "HH-1"  # the case's subject: its household representative sees it
    with engine.begin() as db:
        db.execute(t.evidence.insert().values(**evidence.__dict__))
        db.execute(
            t.households.insert().values(
                id=household_id,
                commune_code=HCMC_WARD,
                household_code="HH-1",
                village_code=village.code,
                head_name="Nguyễn Văn A",
                address="Khu phố 0",
            )
        )
        db.execute(
            t.rounds.insert().values(
                id=ROUND_ID,
                workflow_id="yearly-round/26506/2026/ho-chi-minh-city-2023",
                admin_unit_code=HCMC_WARD,
                year=2026,
                plan_code="ho-chi-minh-city-2023",
                phase="posting",
                version=3,
                opened_by="test",
                created_at=now,
                updated_at=now,
            )
        )
        db.execute(
            t.decisions.insert().values(
                id="decision-in-ward",
                round_id=ROUND_ID,
                title="learning_family",
                kind="recognition",
                number=1,
                symbol="QĐ-UBND",
                status="recorded",
                signed_by="chu-tich",
                signer_name="Nguyễn Văn Chủ",
                signed_on=datetime(2026, 12, 15).date(),
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    return case_id, evidence.id, household_id


def _import_run(url: str, username: str) -> str:
    run = ImportRun(
        id=str(uuid.uuid4()),
        kind="villages",
        file_name="villages.csv",
        status="imported",
        rows=1,
        counts={},
        entries=[],
        entry_count=0,
        ignored_columns=[],
        created_by=username,
        created_at=datetime.now(UTC),
    )
    uow = SqlUnitOfWork(make_engine(url))
    with uow:
        uow.import_runs.add(run)
        uow.commit()
    return run.id


def build_world(tmp: Path) -> World:
    """Seed a database and build the app with fakes and every user."""
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    seed_reference_data(url)
    case_id, evidence_id, household_id = _seed(url)
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp / 'broker.db'}",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key="matrix-secret-key-0001",
    )
    app = create_app(Settings(database_url=url, common=common, **FAST_ARGON2))
    container = app.extensions["evaluation"]
    container.gateway, container.storage = FakeGateway(), FakeStorage()
    # Household representatives are linked to a household in their scope: the case's one in the city
    # (and for the national account), one in Hà Nội for the out-of-scope account.
    households = {NATIONAL: household_id, IN_SCOPE: household_id}
    households[OUT_OF_SCOPE] = add_household(url, commune_code=HANOI_COMMUNE, code="HH-HN")
    principals, runs = {}, {}
    for role, scope in itertools.product(ROLES, SCOPES):
        subject = households[scope] if role == HOUSEHOLD_REPRESENTATIVE else None
        user = create_user(url, role=role, scope_code=scope, subject_id=subject)
        principals[(role, scope)] = user.principal()
        runs[user.username] = _import_run(url, user.username)
    # The officers cases and objections are handed to (an assignee is an active staff account in the ward).
    for assignee in ("can-bo-khac", "can-bo-thon"):
        create_user(url, role=VILLAGE_OFFICER, scope_code=HCMC_WARD, username=assignee)
    return World(app, app.test_client(), case_id, evidence_id, household_id, principals, runs)
