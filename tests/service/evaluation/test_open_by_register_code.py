"""Opening a case by the subject's register code: staff know a household as "H-77", the register keys it
by id; the case is opened for that id, so its household representative sees it and the decision names
it. An id of the register, or a subject the register does not hold, is kept as given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.settings import CommonSettings
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from tests.conftest import HCMC_WARD, free_port, seed_reference_data
from tests.service.evaluation.matrix_world import HANOI_COMMUNE, FakeGateway
from tests.signin import FAST_ARGON2, add_household, sign_in


class RecordingGateway(FakeGateway):
    def __init__(self) -> None:
        self.started: list[Any] = []

    def start_workflow(self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str) -> Any:
        self.started.append(arg)
        return super().start_workflow(workflow, arg, workflow_id=workflow_id, task_queue=task_queue)


@pytest.fixture
def world(tmp_path: Path) -> tuple[FlaskClient, RecordingGateway, str, str]:
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    seed_reference_data(url)
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
    )
    app = create_app(Settings(database_url=url, common=common, **FAST_ARGON2))
    gateway = RecordingGateway()
    app.extensions["evaluation"].gateway = gateway
    household = add_household(url, commune_code=HCMC_WARD, code="H-77", village="T9")
    add_household(url, commune_code=HANOI_COMMUNE, code="H-88", village="T1")
    return app.test_client(), gateway, url, household


def _open(api: FlaskClient, headers: dict[str, str], subject: str, unit: str = HCMC_WARD) -> Any:
    body = {"year": 2027, "title": "learning_family", "subject_id": subject, "admin_unit_code": unit}
    return api.post("/cases", json=body, headers=headers)


def test_a_register_code_opens_the_case_of_that_subject(world: Any) -> None:
    api, gateway, url, household = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    r = _open(api, officer, "H-77")
    assert r.status_code == 202
    assert r.get_json()["workflow_id"] == f"recognition/2027/learning_family/{household}"
    assert gateway.started[-1].subject_id == household
    # the same household by its id: the same case
    assert _open(api, officer, household).get_json()["case_id"] == r.get_json()["case_id"]


def test_the_household_representative_may_name_its_own_household_by_code(world: Any) -> None:
    api, gateway, url, household = world
    own = sign_in(api, url, role="household_representative", scope_code=HCMC_WARD, subject_id=household)
    assert _open(api, own, "H-77").status_code == 202
    assert gateway.started[-1].subject_id == household


def test_codes_of_other_communes_and_unknown_subjects_are_kept_as_given(world: Any) -> None:
    api, gateway, url, _ = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    assert _open(api, officer, "H-88").status_code == 202  # Hà Nội's code: not this ward's household
    assert gateway.started[-1].subject_id == "H-88"
    assert _open(api, officer, "HH-not-registered").status_code == 202
    assert gateway.started[-1].subject_id == "HH-not-registered"
