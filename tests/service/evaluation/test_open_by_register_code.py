"""Opening a case for a subject of the register: staff know a household as "H-77", the register keys it
by id; the case is opened for that id, so its household representative sees it and the decision names
it. For a household, clan, unit or citizen title, an id or code naming no subject of that kind in the
case's unit (unknown, of another commune, of another kind) is refused with 422 naming `subject_id`,
and nothing is written; a village or commune community is named by its unit's code, kept as given."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from common.db import make_engine
from common.settings import CommonSettings
from services.evaluation.adapters import tables as t
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from services.evaluation.imports import ImportOptions
from services.evaluation.service import imports
from tests.conftest import HCMC_WARD, free_port, seed_reference_data
from tests.service.evaluation.matrix_world import HANOI_COMMUNE, FakeGateway
from tests.signin import FAST_ARGON2, add_household, sign_in

DEMO = Path(__file__).resolve().parents[3] / "infra" / "samples" / "demo"
DEMO_CITIZEN = "077075001234"  # the national ID of household H001's head in the demo register
# A clan of the ward, its code unlike any household's (the register's clans file, as a commune keeps it).
CLANS_CSV = "Mã xã,Mã dòng họ,Tên dòng họ,Mã hộ\n26506,DH01,Dòng họ Nguyễn Văn,H001; H002\n"


class RecordingGateway(FakeGateway):
    def __init__(self) -> None:
        self.started: list[Any] = []

    def start_workflow(self, workflow: str, arg: Any, *, workflow_id: str, task_queue: str) -> Any:
        self.started.append(arg)
        return super().start_workflow(workflow, arg, workflow_id=workflow_id, task_queue=task_queue)


def _import(url: str, kind: str, name: str, source: Any) -> None:
    """A register file imported as the CLI and `POST /imports` do."""
    run = imports.import_subjects(
        SqlUnitOfWork(make_engine(url)),
        kind=kind,  # type: ignore[arg-type]
        file_name=name,
        source=source,
        file_format="csv",
        options=ImportOptions(commune_code=HCMC_WARD),
        created_by="test",
    )
    assert run.status == "imported", run.entries[:3]


@pytest.fixture
def world(tmp_path: Path) -> tuple[FlaskClient, RecordingGateway, str, str]:
    """The ward's register (the demo villages and households with their citizens, a clan, household
    H-77) and a household H-88 of a Hà Nội commune; the id of H-77."""
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
    for kind in ("villages", "households"):
        _import(url, kind, f"{kind}.csv", str(DEMO / f"{kind}.csv"))
    _import(url, "clans", "clans.csv", io.BytesIO(CLANS_CSV.encode()))
    household = add_household(url, commune_code=HCMC_WARD, code="H-77", village="T9")
    add_household(url, commune_code=HANOI_COMMUNE, code="H-88", village="T1")
    return app.test_client(), gateway, url, household


def _open(
    api: FlaskClient,
    headers: dict[str, str],
    subject: str,
    unit: str = HCMC_WARD,
    title: str = "learning_family",
) -> Any:
    body = {"year": 2027, "title": title, "subject_id": subject, "admin_unit_code": unit}
    return api.post("/cases", json=body, headers=headers)


def _registered(url: str, table: sa.Table, code: sa.Column[Any], value: str) -> str:
    with make_engine(url).connect() as db:
        return str(db.execute(sa.select(table.c.id).where(code == value)).scalar_one())


def _written(url: str) -> dict[str, int]:
    """The cases and the events about cases written so far (the register's imports have theirs)."""
    with make_engine(url).connect() as db:
        cases = db.execute(sa.select(sa.func.count()).select_from(t.cases)).scalar_one()
        events = db.execute(
            sa.select(sa.func.count()).where(t.outbox.c.event_type.startswith("case."))
        ).scalar_one()
    return {"cases": int(cases), "case_events": int(events)}


def _refused_on_subject(r: Any) -> list[str]:
    """The reasons of a 422 naming `subject_id` (and nothing else)."""
    body = r.get_json()
    assert r.status_code == 422 and body["code"] == "validation_failed", body
    assert list(body["errors"]) == ["subject_id"], body
    return list(body["errors"]["subject_id"])


def test_a_register_code_opens_the_case_of_that_subject(world: Any) -> None:
    api, gateway, url, household = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    r = _open(api, officer, "H-77")
    assert r.status_code == 202
    assert r.get_json()["workflow_id"] == f"recognition/2027/learning_family/{household}"
    assert gateway.started[-1].subject_id == household
    # the same household by its id: the same case
    assert _open(api, officer, household).get_json()["case_id"] == r.get_json()["case_id"]


def test_a_code_typed_with_spaces_around_it_is_that_code(world: Any) -> None:
    """Staff paste codes from spreadsheets: " H-77 " is H-77 (and the unit's code likewise)."""
    api, gateway, url, household = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    r = _open(api, officer, " H-77\t", unit=f" {HCMC_WARD} ")
    assert r.status_code == 202, r.get_json()
    assert gateway.started[-1].subject_id == household


def test_a_subject_of_spaces_only_is_422_naming_subject_id(world: Any) -> None:
    api, gateway, url, _ = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    r = _open(api, officer, "   ")
    assert r.status_code == 422
    assert list(r.get_json()["errors"]["json"]) == ["subject_id"]  # the request schema's refusal
    assert gateway.started == [] and _written(url) == {"cases": 0, "case_events": 0}


def test_the_household_representative_may_name_its_own_household_by_code(world: Any) -> None:
    api, gateway, url, household = world
    own = sign_in(api, url, role="household_representative", scope_code=HCMC_WARD, subject_id=household)
    assert _open(api, own, "H-77").status_code == 202
    assert gateway.started[-1].subject_id == household


@pytest.mark.parametrize("subject", ["HH-not-registered", "H-99", "3f1c0d6e-0000-4000-8000-000000000000"])
def test_an_unknown_id_or_code_is_422_naming_subject_id_and_nothing_is_written(
    world: Any, subject: str
) -> None:
    api, gateway, url, _ = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    r = _open(api, officer, subject)
    assert _refused_on_subject(r) == [
        "Không có hộ gia đình nào mang mã hoặc định danh này trong đơn vị hành chính 26506."
    ]
    message = r.get_json()["message"]
    assert message == f"Không tìm thấy hộ gia đình '{subject}' trong sổ đăng ký của đơn vị hành chính 26506."
    assert unicodedata.is_normalized("NFC", message)
    en = _open(api, {**officer, "Accept-Language": "en"}, subject)
    assert _refused_on_subject(en) == ["No household in administrative unit 26506 has this id or code."]
    assert en.get_json()["message"] == (
        f"No household '{subject}' in the register of administrative unit 26506."
    )
    assert gateway.started == []  # no workflow started
    assert _written(url) == {"cases": 0, "case_events": 0}


def test_a_household_of_another_commune_is_refused_by_its_code_and_by_its_id(world: Any) -> None:
    api, gateway, url, _ = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    hanoi = _registered(url, t.households, t.households.c.household_code, "H-88")
    _refused_on_subject(_open(api, officer, "H-88"))  # Hà Nội's code: not a household of the ward
    _refused_on_subject(_open(api, officer, hanoi))  # its id names it, but it lies in Hà Nội
    national = sign_in(api, url, role="administrator", scope_code=None)
    _refused_on_subject(_open(api, national, hanoi))  # whoever asks: the case's unit is the ward
    assert gateway.started == [] and _written(url) == {"cases": 0, "case_events": 0}


def test_a_subject_of_another_kind_is_refused(world: Any) -> None:
    api, gateway, url, _ = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    clan = _registered(url, t.clans, t.clans.c.clan_code, "DH01")
    _refused_on_subject(_open(api, officer, "DH01"))  # a clan's code for a household title
    _refused_on_subject(_open(api, officer, clan))  # nor its id
    r = _open(api, officer, "H001", title="learning_clan")  # a household's code for a clan title
    assert _refused_on_subject(r) == [
        "Không có dòng họ nào mang mã hoặc định danh này trong đơn vị hành chính 26506."
    ]
    assert _written(url) == {"cases": 0, "case_events": 0} and gateway.started == []
    assert _open(api, officer, "DH01", title="learning_clan").status_code == 202
    assert gateway.started[-1].subject_id == clan


def test_a_citizen_is_found_by_national_id_within_the_case_unit_only(world: Any) -> None:
    api, gateway, url, _ = world
    citizen = _registered(url, t.citizens, t.citizens.c.citizen_key, DEMO_CITIZEN)
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    assert _open(api, officer, DEMO_CITIZEN, title="learning_citizen").status_code == 202
    assert gateway.started[-1].subject_id == citizen
    national = sign_in(api, url, role="administrator", scope_code=None)
    r = _open(api, national, DEMO_CITIZEN, unit=HANOI_COMMUNE, title="learning_citizen")
    assert _refused_on_subject(r) == [
        f"Không có công dân nào mang mã hoặc định danh này trong đơn vị hành chính {HANOI_COMMUNE}."
    ]


def test_a_case_of_the_province_takes_the_ids_of_its_communes_subjects_not_their_codes(world: Any) -> None:
    api, gateway, url, household = world
    city = sign_in(api, url, role="administrator", scope_code="79")
    _refused_on_subject(_open(api, city, "H-77", unit="79"))  # codes are kept per commune
    assert _open(api, city, household, unit="79").status_code == 202  # the ward lies in the city
    hanoi = _registered(url, t.households, t.households.c.household_code, "H-88")
    national = sign_in(api, url, role="administrator", scope_code=None)
    _refused_on_subject(_open(api, national, hanoi, unit="79"))  # Hà Nội's household is not the city's


def test_a_community_is_named_by_its_unit_code_as_before(world: Any) -> None:
    api, gateway, url, _ = world
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    village = f"{HCMC_WARD}.KP01"
    assert _open(api, officer, village, title="learning_community_village").status_code == 202
    assert gateway.started[-1].subject_id == village


def test_role_and_scope_are_judged_before_the_register(world: Any) -> None:
    """A caller learns nothing of a register outside its scope: an unknown subject in a unit it does not
    hold is that unit's 404; a household representative is told 404 for any subject not its own, known
    or not (as for another household's)."""
    api, gateway, url, household = world
    elsewhere = sign_in(api, url, role="village_officer", scope_code=HANOI_COMMUNE)
    assert _open(api, elsewhere, "HH-not-registered").status_code == 404
    auditor = sign_in(api, url, role="auditor", scope_code=None)
    assert _open(api, auditor, "HH-not-registered").status_code == 403
    own = sign_in(api, url, role="household_representative", scope_code=HCMC_WARD, subject_id=household)
    unknown, other = _open(api, own, "HH-not-registered"), _open(api, own, "H001")
    assert unknown.status_code == other.status_code == 404
    assert unknown.get_json()["message"] == "Không tìm thấy đối tượng HH-not-registered."
    assert gateway.started == []


def _refused_on_behalf(r: Any) -> str:
    body = r.get_json()
    assert r.status_code == 422 and list(body["errors"]) == ["X-On-Behalf-Of"], body
    return str(body["errors"]["X-On-Behalf-Of"][0])


def test_staff_acting_for_someone_name_the_cases_subject_or_one_of_its_people(world: Any) -> None:
    from tests.service.evaluation.matrix_world import FakeStorage

    api, _, url, _ = world
    api.application.extensions["evaluation"].storage = FakeStorage()
    officer = sign_in(api, url, role="village_officer", scope_code=HCMC_WARD)
    h001 = _registered(url, t.households, t.households.c.household_code, "H001")

    # Opening: the household by its code or id, or a member (its head's citizen key); anyone else is 422.
    assert _open(api, {**officer, "X-On-Behalf-Of": "H001"}, "H001").status_code == 202
    assert _open(api, {**officer, "X-On-Behalf-Of": DEMO_CITIZEN}, "H001").status_code == 202
    before = _written(url)
    reason = _refused_on_behalf(_open(api, {**officer, "X-On-Behalf-Of": "H002"}, "H-77"))
    assert reason.startswith("'H002' không phải đối tượng của hồ sơ")
    _refused_on_behalf(_open(api, {**officer, "X-On-Behalf-Of": DEMO_CITIZEN}, "H-77"))  # H001's member
    _refused_on_behalf(_open(api, {**officer, "X-On-Behalf-Of": "../../H001"}, "H-77"))
    assert _written(url) == before

    # A step and an evidence file of H001's case: for H001 or its member, never for H002.
    case_id = api.post(
        "/cases",
        json={"year": 2027, "title": "learning_family", "subject_id": "H001", "admin_unit_code": HCMC_WARD},
        headers=officer,
    ).get_json()["case_id"]
    from services.evaluation.service import cases as case_service
    from workflows.recognition import contracts as c

    case_service.record_case_opened(
        SqlUnitOfWork(make_engine(url)),
        inp=c.CaseOpenedInput(case_id, "wf", "run", 2027, "learning_family", h001, HCMC_WARD, "t"),
    )
    step = {"action": "save_draft", "scores": {}}
    stale = {**officer, "If-Match": '"1"'}
    _refused_on_behalf(
        api.post(f"/cases/{case_id}/steps", json=step, headers={**stale, "X-On-Behalf-Of": "H002"})
    )
    assert (
        api.post(
            f"/cases/{case_id}/steps", json=step, headers={**stale, "X-On-Behalf-Of": "H001"}
        ).status_code
        == 200
    )
    upload = {"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "giay-khen.pdf")}
    r = api.post(
        f"/cases/{case_id}/evidence",
        data=upload,
        headers={**officer, "X-On-Behalf-Of": "H002"},
        content_type="multipart/form-data",
    )
    _refused_on_behalf(r)
    with make_engine(url).connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(t.evidence)).scalar_one() == 0


def test_staff_of_a_village_open_the_cases_of_their_villages_people(world: Any) -> None:
    """A village officer (scope 26506.KP01) enters the paper forms of their own village: naming the
    village or the commune, the case is the commune's, placed in the village; a household of another
    village, or a clan (no village), is not theirs (404, nothing written). Commune staff naming a village
    must name a subject of it (422 naming `subject_id`)."""
    api, gateway, url, _ = world
    kp01 = f"{HCMC_WARD}.KP01"
    village_officer = sign_in(api, url, role="village_officer", scope_code=kp01)
    r = _open(api, village_officer, "H001", unit=kp01)
    assert r.status_code == 202, r.get_json()
    assert gateway.started[-1].admin_unit_code == HCMC_WARD  # the case's unit is the commune
    assert _open(api, village_officer, "H002").status_code == 202  # naming the commune: their village's
    before = _written(url)
    for subject, unit, title in (
        ("H-77", kp01, "learning_family"),  # lives in village T9
        ("H-77", HCMC_WARD, "learning_family"),
        ("DH01", HCMC_WARD, "learning_clan"),  # a clan lives in no village
    ):
        r = _open(api, village_officer, subject, unit=unit, title=title)
        assert r.status_code in (404, 422), (subject, unit, r.get_json())
        if unit == HCMC_WARD:
            assert r.status_code == 404, (subject, r.get_json())
    assert _written(url) == before
    commune_officer = sign_in(api, url, role="commune_association_officer", scope_code=HCMC_WARD)
    assert _refused_on_subject(_open(api, commune_officer, "H-77", unit=kp01)) == [
        f"'H-77' không có trong sổ đăng ký của thôn {kp01}."
    ]
    r = _open(api, commune_officer, "H-77", unit=f"{HCMC_WARD}.KP99")  # no such village
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["admin_unit_code"]
    h001 = _registered(url, t.households, t.households.c.household_code, "H001")
    household = sign_in(api, url, role="household_representative", scope_code=HCMC_WARD, subject_id=h001)
    assert _open(api, household, "H003", unit=kp01).status_code == 404  # not its own, wherever it lives
    assert _written(url) == before
