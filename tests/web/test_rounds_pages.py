"""The round's pages over the real evaluation app (rounds seeded in the phases a workflow would have
put them in): phase and dates, the forms each role sees in each phase, and bad input named per field
with the reason in Vietnamese before anything reaches the service; supplementary decisions and the
round's closing over a stand-in for the round's workflow (the API's 409/412/403 shown on the page)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from common.db import make_engine
from services.evaluation.adapters import tables as t
from tests.conftest import HCMC_WARD
from tests.web.world import HOUSEHOLD, HOUSEHOLD_CODE, World, build_world, csrf_of, seed_case, sign_in


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, s3_server: dict[str, Any]) -> World:
    return build_world(tmp_path_factory.mktemp("web-rounds"), s3_server)


YEARS = itertools.count(2023)  # one round per (commune, year, plan)


def seed_round(world: World, phase: str) -> str:
    round_id = f"round-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    engine = make_engine(world.evaluation_settings.database_url)
    with engine.begin() as db:
        db.execute(
            t.rounds.insert().values(
                id=round_id,
                workflow_id=f"yearly-round/{round_id}",
                admin_unit_code=HCMC_WARD,
                year=next(YEARS),
                plan_code="ho-chi-minh-city-2023",
                phase=phase,
                version=3,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    return round_id


def as_user(world: World, username: str) -> Any:
    client = world.web().test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_the_chairman_signs_only_when_the_round_awaits_the_signature(world: World) -> None:
    chairman = as_user(world, "chu-tich")
    waiting = seed_round(world, "awaiting_signature")
    page = chairman.get(f"/rounds/{waiting}")
    assert page.status_code == 200
    assert (
        "Chờ Chủ tịch ký" in page.text and "Ký quyết định" in page.text and 'name="signer_name"' in page.text
    )
    posting = seed_round(world, "posting")
    page = chairman.get(f"/rounds/{posting}")
    assert "Niêm yết công khai" in page.text and 'name="signer_name"' not in page.text
    assert 'name="filed_by"' in page.text  # objections are taken during the posting
    auditor = as_user(world, "kiem-toan")
    page = auditor.get(f"/rounds/{waiting}")
    assert page.status_code == 200 and 'name="signer_name"' not in page.text


def test_signing_with_bad_input_names_each_field_in_vietnamese(world: World) -> None:
    chairman = as_user(world, "chu-tich")
    round_id = seed_round(world, "awaiting_signature")
    page = chairman.get(f"/rounds/{round_id}")
    r = chairman.post(
        f"/rounds/{round_id}/sign",
        data={
            "csrf_token": csrf_of(page.text),
            "version": "3",
            "signer_name": " ",
            "signed_on": "31/02/2026",
        },
    )
    assert r.status_code == 422
    assert 'id="signer_name-error"' in r.text and "Bắt buộc nhập." in r.text
    assert 'id="signed_on-error"' in r.text and "Ngày không hợp lệ" in r.text
    r = chairman.post(  # a real date, but not in the round's year or the next: the service would refuse it
        f"/rounds/{round_id}/sign",
        data={
            "csrf_token": csrf_of(page.text),
            "version": "3",
            "signer_name": "Lê Văn Sang",
            "signed_on": "1999-12-15",
        },
    )
    assert r.status_code == 422 and 'id="signed_on-error"' in r.text
    assert "Ngày ký phải thuộc năm" in r.text and 'id="signer_name-error"' not in r.text


def test_council_minutes_and_objections_with_bad_input(world: World) -> None:
    officer = as_user(world, "can-bo-hoi")
    council = seed_round(world, "council")
    page = officer.get(f"/rounds/{council}")
    assert "Biên bản hội đồng" in page.text
    r = officer.post(
        f"/rounds/{council}/council",
        data={
            "csrf_token": csrf_of(page.text),
            "version": "3",
            "met_on": "hôm qua",
            "chair": "",
            "secretary": "",
            "attendance": "\n \n",
        },
    )
    assert r.status_code == 422
    for field in ("met_on", "chair", "secretary", "attendance"):
        assert f'id="{field}-error"' in r.text, field

    posting = seed_round(world, "posting")
    page = officer.get(f"/rounds/{posting}")
    r = officer.post(
        f"/rounds/{posting}/objections",
        data={"csrf_token": csrf_of(page.text), "filed_by": "", "content": ""},
    )
    assert r.status_code == 422 and 'id="filed_by-error"' in r.text and 'id="content-error"' in r.text


def test_opening_a_round_with_a_bad_year_and_roles_that_may_not_open(world: World) -> None:
    officer = as_user(world, "can-bo-hoi")
    page = officer.get("/round")
    assert page.status_code == 200 and 'name="year"' in page.text
    r = officer.post("/round", data={"csrf_token": csrf_of(page.text), "year": "20x6"})
    assert r.status_code == 422 and "Năm phải từ 2023 đến 2030." in r.text
    village = as_user(world, "truong-thon")
    page = village.get("/round")
    assert 'name="year"' not in page.text and "dùng mã kỳ xét" in page.text
    assert village.get("/round?id=khong-co").status_code == 302
    assert village.get("/rounds/khong-co").status_code == 404


def test_the_round_page_lists_the_rounds_in_my_scope_with_links(world: World) -> None:
    ward_round = seed_round(world, "awaiting_signature")
    hanoi_round = f"round-hn-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    engine = make_engine(world.evaluation_settings.database_url)
    with engine.begin() as db:  # Phường Hoàn Kiếm, Hà Nội: outside the ward users' scope
        db.execute(
            t.rounds.insert().values(
                id=hanoi_round,
                workflow_id=f"yearly-round/{hanoi_round}",
                admin_unit_code="00070",
                year=2099,
                plan_code="ha-noi",
                phase="closed",
                version=10,
                opened_by="t",
                created_at=now,
                updated_at=now,
            )
        )
    engine.dispose()
    for username in ("chu-tich", "truong-thon"):
        page = as_user(world, username).get("/round")
        assert page.status_code == 200 and 'data-testid="round-list"' in page.text, username
        assert f'href="/rounds/{ward_round}"' in page.text and f"/rounds/{hanoi_round}" not in page.text
        assert "Phường Vũng Tàu (26506)" in page.text and "Chờ Chủ tịch ký" in page.text
    auditor = as_user(world, "kiem-toan")  # national: both, newest year first
    page = auditor.get("/round?offset=x")  # a bad offset is the first page
    assert page.text.index(f"/rounds/{hanoi_round}") < page.text.index(f"/rounds/{ward_round}")
    auditor.get("/lang/en")
    page = auditor.get("/round")
    assert "Rounds within my scope" in page.text and "Awaiting signature" in page.text
    assert "Closed" in page.text and "Open the round" in page.text
    household = as_user(world, "ho-gia-dinh")  # households follow their cases: no list
    page = household.get("/round")
    assert page.status_code == 200 and 'data-testid="round-list"' not in page.text


# --- supplementary decisions and the round's closing ---------------------------------------------------
#
# No Temporal here: the round's Updates reach a stand-in for its workflow that checks what the workflow's
# Update validators check (phase, version, role), then writes what its activities write, with the
# service's own functions (the supplementary list, the signature's numbers); the refusals travel as the
# workflow's ApplicationErrors do, so the evaluation API answers with its own 409/412 envelope.

SUPPLEMENT_YEARS = itertools.count(2041)  # apart from YEARS: each of these rounds has a late case
UPDATE_PHASES = {
    "council": "council",
    "sign": "awaiting_signature",
    "supplement": "supplementary",
    "sign_supplement": "supplement_signature",
    "close": "supplementary",
}
UPDATE_ROLES = {
    "supplement": {"commune_association_officer", "commune_chairman", "administrator"},
    "close": {"commune_association_officer", "commune_chairman", "administrator"},
    "sign_supplement": {"commune_chairman"},
}


class RoundWorkflowStandIn:
    """The round's Updates as the workflow takes them (its checks, then what its activities record)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.updates: list[str] = []

    def execute_update(self, workflow_id: str, update: str, arg: Any, *, result_type: Any = None) -> Any:
        from temporalio.client import WorkflowUpdateFailedError
        from temporalio.exceptions import ApplicationError

        from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
        from services.evaluation.service import decision_list, round_steps
        from workflows.yearly_round import contracts as rc

        round_id = workflow_id.split("/", 1)[1]
        engine = make_engine(self.database_url)
        try:
            with engine.begin() as db:
                row = db.execute(t.rounds.select().where(t.rounds.c.id == round_id)).one()
            if row.phase != UPDATE_PHASES[update]:
                raise WorkflowUpdateFailedError(
                    ApplicationError(f"Đợt xét đang ở giai đoạn '{row.phase}'.", type="InvalidTransition")
                )
            if arg.expected_version != row.version:
                raise WorkflowUpdateFailedError(
                    ApplicationError(
                        f"Đợt xét đã thay đổi (phiên bản {row.version}, yêu cầu dựa trên {arg.expected_version}).",
                        type="VersionConflict",
                    )
                )
            if arg.role not in UPDATE_ROLES.get(update, {arg.role}):
                raise WorkflowUpdateFailedError(
                    ApplicationError("Vai trò không được.", type="InvalidTransition")
                )
            self.updates.append(update)
            version = row.version + 1
            if update == "supplement":
                decision_list.build_supplementary_list(
                    SqlUnitOfWork(engine), inp=rc.SupplementListInput(round_id, version, arg)
                )
                phase = "supplement_signature"
            elif update == "sign_supplement":
                round_steps.record_signature(
                    SqlUnitOfWork(engine), inp=rc.SignRecordInput(round_id, version, arg)
                )
                phase = "recording"
            else:
                phase = "closed"
            set_phase(engine, round_id, phase, version)
            return rc.RoundStep(phase, version)
        finally:
            engine.dispose()

    def check(self) -> None:
        return None


def set_phase(engine: Any, round_id: str, phase: str, version: int) -> None:
    with engine.begin() as db:
        db.execute(t.rounds.update().where(t.rounds.c.id == round_id).values(phase=phase, version=version))


@pytest.fixture
def stand_in(world: World) -> Any:
    container = world.evaluation.extensions["evaluation"]
    saved, container.gateway = container.gateway, RoundWorkflowStandIn(world.evaluation_settings.database_url)
    try:
        yield container.gateway
    finally:
        container.gateway = saved


def decided_round(world: World, *, late_case: bool) -> tuple[str, int, str | None]:
    """A round in `supplementary` (version 10) whose decision 01/QĐ-UBND was signed on 20/11 and recorded,
    with its documents; `late_case`: the household's case reached the decision afterwards."""
    import json

    year = next(SUPPLEMENT_YEARS)
    url = world.evaluation_settings.database_url
    round_id = seed_round(world, "supplementary")
    now = datetime.now(UTC)
    decision_id = str(uuid.uuid4())
    engine = make_engine(url)
    with engine.begin() as db:
        db.execute(t.rounds.update().where(t.rounds.c.id == round_id).values(year=year, version=10))
        db.execute(
            t.decisions.insert().values(
                id=decision_id,
                round_id=round_id,
                title="learning_family",
                kind="recognition",
                number=1,
                symbol="QĐ-UBND",
                status="recorded",
                signed_by="chu-tich",
                signer_name="Lê Văn Sang",
                signed_on=datetime(year, 11, 20).date(),
                documents=json.dumps(document_files(round_id, "01-learning_family")),
                created_at=now,
                updated_at=now,
            )
        )
        db.execute(
            t.decision_numbers.insert().values(
                admin_unit_code=HCMC_WARD, year=year, number=1, decision_id=decision_id
            )
        )
    case_id = None
    if late_case:
        case_id = seed_case(url, year=year)
        with engine.begin() as db:
            village = (
                db.execute(t.households.select().where(t.households.c.id == HOUSEHOLD)).one().village_code
            )
            db.execute(t.cases.update().where(t.cases.c.id == case_id).values(status="awaiting_decision"))
            db.execute(
                t.case_progress.update()
                .where(t.case_progress.c.case_id == case_id)
                .values(village_code=village, plan_code="ho-chi-minh-city-2023")
            )
    engine.dispose()
    return round_id, year, case_id


def document_files(round_id: str, name: str) -> dict[str, Any]:
    """A decision's documents as the documents activity records them (the page only links to them)."""
    return {
        fmt: {"key": f"rounds/{round_id}/decisions/{name}.{fmt}", "sha256": "0" * 64, "media_type": media}
        for fmt, media in (
            ("pdf", "application/pdf"),
            ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )
    }


def post_form(client: Any, round_id: str, path: str, **data: str) -> Any:
    page = client.get(f"/rounds/{round_id}")
    return client.post(f"/rounds/{round_id}{path}", data={"csrf_token": csrf_of(page.text), **data})


def test_a_late_case_goes_through_a_supplementary_decision_and_the_round_closes(
    world: World, stand_in: RoundWorkflowStandIn
) -> None:
    import json

    round_id, year, late = decided_round(world, late_case=True)
    officer = as_user(world, "can-bo-hoi")
    page = officer.get(f"/rounds/{round_id}")
    assert page.status_code == 200 and "Đã ban hành quyết định, nhận công nhận bổ sung" in page.text
    assert "Danh sách công nhận bổ sung (0)" in page.text and "Chưa có danh sách bổ sung." in page.text
    assert f'action="/rounds/{round_id}/supplementary"' in page.text and "Lập danh sách bổ sung" in page.text
    assert f'action="/rounds/{round_id}/close"' in page.text and 'name="confirm_close"' in page.text

    # Someone else acted since the page was read: the service's 412, the page shows the latest round.
    r = post_form(officer, round_id, "/supplementary", version="9")
    assert r.status_code == 412 and "đã được người khác thay đổi" in r.text and stand_in.updates == []
    r = post_form(officer, round_id, "/supplementary", version="10")
    assert r.status_code == 302 and stand_in.updates == ["supplement"]
    page = officer.get(f"/rounds/{round_id}")
    assert (
        "Chờ Chủ tịch ký quyết định bổ sung" in page.text and "Danh sách công nhận bổ sung (1)" in page.text
    )
    assert page.text.count('data-testid="supplementary-item"') == 1
    row = page.text.split('data-testid="supplementary-item"')[1].split("</tr>")[0]
    assert HOUSEHOLD_CODE in row and "Thôn KP9" in row and "Gia đình học tập" in row and "Dự thảo" in row
    assert ">Được công nhận</td>" in row  # the family depends on nothing: recognised
    assert "Lập danh sách bổ sung" not in page.text and 'name="confirm_close"' not in page.text
    assert 'name="signer_name"' not in page.text  # the chairman alone signs

    chairman = as_user(world, "chu-tich")
    page = chairman.get(f"/rounds/{round_id}")
    assert "Ký quyết định bổ sung" in page.text
    assert f'action="/rounds/{round_id}/supplementary/sign"' in page.text
    r = post_form(  # before the round's decision (20/11): refused in the web, named on the field
        chairman,
        round_id,
        "/supplementary/sign",
        version="11",
        signer_name="Lê Văn Sang",
        signed_on=f"{year}-11-01",
    )
    assert r.status_code == 422 and 'id="signed_on-error"' in r.text
    assert f"không được ký trước ngày ký quyết định của kỳ xét ({year}-11-20)" in r.text
    r = post_form(
        chairman,
        round_id,
        "/supplementary/sign",
        version="11",
        signer_name="Lê Văn Sang",
        signed_on=f"{year}-12-05",
    )
    assert r.status_code == 302 and stand_in.updates == ["supplement", "sign_supplement"]
    page = chairman.get(f"/rounds/{round_id}")
    assert "Đang ghi quyết định" in page.text and 'data-testid="working"' in page.text
    assert 'hx-trigger="load delay:5s"' in page.text  # the page polls until the decision is recorded

    # What the workflow's recording and documents activities write, then back to `supplementary`.
    engine = make_engine(world.evaluation_settings.database_url)
    with engine.begin() as db:
        supp = db.execute(
            t.decisions.select().where(
                t.decisions.c.kind == "supplementary", t.decisions.c.round_id == round_id
            )
        ).one()
        assert supp.number == 2 and supp.status == "signed"
        db.execute(
            t.decisions.update()
            .where(t.decisions.c.id == supp.id)
            .values(
                status="recorded",
                documents=json.dumps(
                    {
                        **document_files(round_id, "02-learning_family"),
                        "certificates_pdf_2": {  # the merged certificates' second volume
                            "key": f"rounds/{round_id}/certificates/02-learning_family-tat-ca-2.pdf",
                            "sha256": "1" * 64,
                            "media_type": "application/pdf",
                        },
                    }
                ),
            )
        )
        db.execute(
            t.decision_items.update().where(t.decision_items.c.decision_id == supp.id).values(recorded=True)
        )
    set_phase(engine, round_id, "supplementary", 13)
    engine.dispose()
    page = officer.get(f"/rounds/{round_id}")
    assert "Quyết định công nhận bổ sung 02/QĐ-UBND" in page.text and "Lê Văn Sang" in page.text
    block = page.text.split('data-kind="supplementary"')[1].split("</div>")[0]
    assert 'data-testid="download-pdf"' in block and 'data-testid="download-docx"' in block
    assert "02-learning_family.pdf" in block and "02-learning_family.docx" in block
    assert "Tất cả giấy chứng nhận (PDF để in), tập 2 · 02/QĐ-UBND" in block
    row = page.text.split('data-testid="supplementary-item"')[1].split("</tr>")[0]
    assert "02/QĐ-UBND" in row and f"/rounds/{round_id}/certificates/{late}/pdf" in row

    # Closing: the box must be ticked; a stale version is the 412; then the round is closed.
    r = post_form(officer, round_id, "/close", version="13")
    assert r.status_code == 422 and 'id="confirm_close-error"' in r.text
    assert "Hãy đánh dấu ô xác nhận kết thúc kỳ xét." in r.text and stand_in.updates[-1] == "sign_supplement"
    r = post_form(officer, round_id, "/close", version="12", confirm_close="yes")
    assert r.status_code == 412 and "đã được người khác thay đổi" in r.text
    r = post_form(officer, round_id, "/close", version="13", confirm_close="yes")
    assert r.status_code == 302 and stand_in.updates[-1] == "close"
    page = officer.get(f"/rounds/{round_id}")
    assert "Đã kết thúc" in page.text and 'name="confirm_close"' not in page.text
    assert "Lập danh sách bổ sung" not in page.text and "Quyết định công nhận bổ sung 02/QĐ-UBND" in page.text
    officer.get("/lang/en")
    page = officer.get(f"/rounds/{round_id}")
    assert "Supplementary recognition list (1)" in page.text
    assert "Supplementary recognition decision 02/QĐ-UBND" in page.text and "Closed" in page.text


def test_an_empty_supplementary_list_shows_the_services_409_in_my_language(
    world: World, stand_in: RoundWorkflowStandIn
) -> None:
    round_id, _, _ = decided_round(world, late_case=False)
    officer = as_user(world, "can-bo-hoi")
    r = post_form(officer, round_id, "/supplementary", version="10")
    assert r.status_code == 409 and 'role="alert"' in r.text
    assert (
        "Không có hồ sơ nào chờ quyết định ngoài các quyết định đã ban hành: không lập danh sách bổ sung."
        in r.text
    )
    assert "Lập danh sách bổ sung" in r.text and stand_in.updates == []  # nothing sent, the form is back
    officer.get("/lang/en")
    r = post_form(officer, round_id, "/supplementary", version="10")
    assert r.status_code == 409
    assert "No case awaits a decision outside the round&#39;s decisions" in r.text


def test_roles_without_the_step_see_no_button_and_are_refused_when_forcing_it(
    world: World, stand_in: RoundWorkflowStandIn
) -> None:
    round_id, year, _ = decided_round(world, late_case=False)
    for username in ("truong-thon", "kiem-toan"):
        page = as_user(world, username).get(f"/rounds/{round_id}")
        assert page.status_code == 200 and "Danh sách công nhận bổ sung" in page.text, username
        assert "Lập danh sách bổ sung" not in page.text and 'name="confirm_close"' not in page.text
    village = as_user(world, "truong-thon")
    for path, data in (("/supplementary", {}), ("/close", {"confirm_close": "yes"})):
        r = post_form(village, round_id, path, version="10", **data)
        assert r.status_code == 403 and "Bạn không có quyền thực hiện thao tác này." in r.text, path
    officer = as_user(world, "can-bo-hoi")  # the chairman alone signs
    engine = make_engine(world.evaluation_settings.database_url)
    set_phase(engine, round_id, "supplement_signature", 11)
    engine.dispose()
    assert 'name="signer_name"' not in officer.get(f"/rounds/{round_id}").text
    r = post_form(
        officer,
        round_id,
        "/supplementary/sign",
        version="11",
        signer_name="Trần Văn Hội",
        signed_on=f"{year}-12-05",
    )
    assert r.status_code == 403 and "Bạn không có quyền thực hiện thao tác này." in r.text
    assert stand_in.updates == []


# --- amending decisions: the chairman corrects or revokes a recorded decision ---------------------------

SECOND = "HH-WEB-2"  # a second recognised household of the ward (its name lives in the decision's items)


def recognised_round(world: World) -> tuple[str, int, str, dict[str, str]]:
    """A decided round (01/QĐ-UBND signed on 20/11, recorded) that recognised two households; returns the
    round, its year, the decision's id and the cases by subject."""
    round_id, year, _ = decided_round(world, late_case=False)
    url = world.evaluation_settings.database_url
    engine = make_engine(url)
    with engine.begin() as db:
        decision = db.execute(t.decisions.select().where(t.decisions.c.round_id == round_id)).one()
    cases = {HOUSEHOLD: seed_case(url, year=year), SECOND: seed_case(url, subject_id=SECOND, year=year)}
    names = {HOUSEHOLD: "Hộ ông Nguyễn Văn An", SECOND: "Hộ bà Trần Thị Bình"}
    with engine.begin() as db:
        for subject, case_id in cases.items():
            db.execute(t.cases.update().where(t.cases.c.id == case_id).values(status="recognised"))
            db.execute(
                t.decision_items.insert().values(
                    decision_id=decision.id,
                    case_id=case_id,
                    subject_id=subject,
                    subject_name=names[subject],
                    village_code=None,
                    village_name="Thôn KP9",
                    outcome="recognised",
                    reason=None,
                    recorded=True,
                )
            )
            db.execute(
                t.recognitions.insert().values(
                    id=str(uuid.uuid4()),
                    subject_id=subject,
                    subject_kind="household",
                    title="learning_family",
                    year=year,
                    case_id=case_id,
                    decision_id=decision.id,
                    decision_number="01/QĐ-UBND",
                    decided_on=decision.signed_on,
                    admin_unit_code=HCMC_WARD,
                    village_code=None,
                    streak=1,
                    revoked=False,
                    revoked_by=None,
                    certificate=None,
                )
            )
    engine.dispose()
    return round_id, year, decision.id, cases


def amend_form(**data: Any) -> dict[str, Any]:
    return {f"amend_{k}": v for k, v in data.items()}


def decisions_of(world: World, round_id: str) -> list[Any]:
    engine = make_engine(world.evaluation_settings.database_url)
    with engine.begin() as db:
        rows = db.execute(
            t.decisions.select().where(t.decisions.c.round_id == round_id).order_by(t.decisions.c.number)
        ).all()
    engine.dispose()
    return list(rows)


def list_row(html: str, subject: str) -> str:
    return next(r for r in html.split('data-testid="list-item"')[1:] if subject in r.split("</tr>")[0])


def test_the_chairman_revokes_one_recognised_subject_by_an_amending_decision(world: World) -> None:
    round_id, year, decision_id, cases = recognised_round(world)
    chairman = as_user(world, "chu-tich")
    page = chairman.get(f"/rounds/{round_id}")
    assert page.status_code == 200 and "Quyết định đính chính, thu hồi" in page.text
    assert f'action="/rounds/{round_id}/amendments"' in page.text
    assert f'<option value="{decision_id}"' in page.text and "01/QĐ-UBND" in page.text
    picks = page.text.split('data-testid="amend-cases"')[1].split("</fieldset>")[0]
    assert "Hộ ông Nguyễn Văn An" in picks and "Hộ bà Trần Thị Bình" in picks
    assert f'value="{cases[SECOND]}"' in picks and "disabled" not in picks
    assert 'name="amend_signer_name"' in page.text and 'name="amend_signed_on"' in page.text

    data = amend_form(
        decision_id=decision_id,
        kind="revocation",
        reason="Kê khai không đúng thực tế",
        case_ids=cases[SECOND],
        signer_name="Lê Văn Sang",
        signed_on=f"{year}-12-10",
    )
    r = post_form(chairman, round_id, "/amendments", **data)
    assert r.status_code == 302 and r.headers["Location"] == f"/rounds/{round_id}"
    page = chairman.get(f"/rounds/{round_id}")
    assert "Đã ban hành quyết định thu hồi 02/QĐ-UBND." in page.text
    block = page.text.split('data-kind="revocation"')[1].split("</div>")[0]
    assert "Quyết định thu hồi 02/QĐ-UBND" in block and "Lê Văn Sang" in block
    assert "thu hồi danh hiệu đã công nhận tại Quyết định 01/QĐ-UBND" in block
    assert 'data-testid="download-pdf"' in block and 'data-testid="download-docx"' in block
    assert 'data-testid="revoked"' in list_row(page.text, SECOND)  # the household's title is revoked
    assert 'data-testid="revoked"' not in list_row(page.text, HOUSEHOLD_CODE)
    # The revoked title's certificate is no longer offered; the other household's still is.
    revoked_row = list_row(page.text, SECOND).split("</tr>")[0]
    assert "certificate-pdf" not in revoked_row and "Không còn hiệu lực" in revoked_row
    assert 'data-testid="certificate-pdf"' in list_row(page.text, HOUSEHOLD_CODE).split("</tr>")[0]
    # Each case says so too (GET /cases/{id} carries its recognition): revoked, and still standing.
    revoked_case = chairman.get(f"/cases/{cases[SECOND]}").text
    assert "Danh hiệu đã bị thu hồi (Quyết định 02/QĐ-UBND)" in revoked_case
    standing = chairman.get(f"/cases/{cases[HOUSEHOLD]}").text
    assert "Công nhận tại Quyết định 01/QĐ-UBND" in standing and "recognition-revoked" not in standing
    picks = page.text.split('data-testid="amend-cases"')[1].split("</fieldset>")[0]
    assert picks.count("disabled") == 1 and "(đã thu hồi)" in picks
    amending = decisions_of(world, round_id)[-1]
    assert (amending.kind, amending.amends_id, amending.number) == ("revocation", decision_id, 2)

    # The same request again: the decision already issued (the API's 200), no new number.
    r = post_form(chairman, round_id, "/amendments", **data)
    assert r.status_code == 302 and len(decisions_of(world, round_id)) == 2
    # Revoking it once more by another request: the service's 409, the form keeps what was typed.
    r = post_form(chairman, round_id, "/amendments", **{**data, "amend_reason": "Trùng hồ sơ"})
    assert r.status_code == 409 and 'role="alert"' in r.text and "Danh hiệu đã bị thu hồi." in r.text
    assert ">Trùng hồ sơ</textarea>" in r.text and len(decisions_of(world, round_id)) == 2
    chairman.get("/lang/en")
    page = chairman.get(f"/rounds/{round_id}")
    assert "Revoking decision 02/QĐ-UBND" in page.text and "Correcting and revoking decisions" in page.text
    assert (
        "revokes titles recognised by Decision 01/QĐ-UBND" in page.text and ">Revoked</strong>" in page.text
    )


def test_the_chairman_revokes_by_typed_subject_codes_when_the_list_is_too_long(world: World) -> None:
    """A large round's subjects need not be found among checkboxes: codes typed one per line are resolved
    to the cases the chosen decision recognised; a code it did not recognise is named, nothing issued."""
    round_id, year, decision_id, cases = recognised_round(world)
    chairman = as_user(world, "chu-tich")
    assert 'name="amend_subject_ids"' in chairman.get(f"/rounds/{round_id}").text
    data = amend_form(
        decision_id=decision_id,
        kind="revocation",
        reason="Kê khai không đúng thực tế",
        subject_ids=f"{SECOND}\nHH-KHONG-CO",
        signer_name="Lê Văn Sang",
        signed_on=f"{year}-12-10",
    )
    r = post_form(chairman, round_id, "/amendments", **data)
    assert r.status_code == 422 and "HH-KHONG-CO" in r.text and "Không có trong quyết định đã chọn" in r.text
    assert len(decisions_of(world, round_id)) == 1
    r = post_form(chairman, round_id, "/amendments", **{**data, "amend_subject_ids": f" {SECOND} \n"})
    assert r.status_code == 302
    page = chairman.get(f"/rounds/{round_id}")
    assert 'data-testid="revoked"' in list_row(page.text, SECOND)
    assert 'data-testid="revoked"' not in list_row(page.text, HOUSEHOLD_CODE)
    amending = decisions_of(world, round_id)[-1]
    assert (amending.kind, amending.amends_id) == ("revocation", decision_id)


def test_the_chairman_corrects_a_decision_with_its_changes(world: World) -> None:
    round_id, year, decision_id, cases = recognised_round(world)
    chairman = as_user(world, "chu-tich")
    r = post_form(
        chairman,
        round_id,
        "/amendments",
        **amend_form(
            decision_id=decision_id,
            kind="correction",
            reason="Sai tên chủ hộ",
            changes="Sửa tên chủ hộ Nguyễn Văn An thành Nguyễn Văn Ân\n\n  Sửa thôn KP9 thành KP8  ",
            case_ids=cases[HOUSEHOLD],
            signer_name="Lê Văn Sang",
            signed_on=f"{year}-11-25",
        ),
    )
    assert r.status_code == 302
    page = chairman.get(f"/rounds/{round_id}")
    assert "Đã ban hành quyết định đính chính 02/QĐ-UBND." in page.text
    block = page.text.split('data-kind="correction"')[1].split("</div>")[0]
    assert "Quyết định đính chính 02/QĐ-UBND" in block and "đính chính Quyết định 01/QĐ-UBND" in block
    assert 'data-testid="download-pdf"' in block
    assert 'data-testid="revoked"' not in page.text  # a correction revokes nothing
    amending = decisions_of(world, round_id)[-1]
    assert (amending.kind, amending.amends_id, amending.reason) == (
        "correction",
        decision_id,
        "Sai tên chủ hộ",
    )


def test_an_amending_decision_with_bad_input_names_each_field_in_vietnamese(world: World) -> None:
    round_id, year, decision_id, cases = recognised_round(world)
    chairman = as_user(world, "chu-tich")
    r = post_form(
        chairman,
        round_id,
        "/amendments",
        **amend_form(
            decision_id=decision_id,
            kind="revocation",
            reason=" ",
            signer_name="Lê Văn Sang",
            signed_on="31/02/x",
        ),
    )
    assert r.status_code == 422 and "Có lỗi trong biểu mẫu" in r.text
    assert 'id="amend_reason-error"' in r.text and "Bắt buộc nhập." in r.text
    assert (
        'id="amend_case_ids-error"' in r.text and "Chọn ít nhất một đối tượng bị thu hồi danh hiệu." in r.text
    )
    assert 'id="amend_signed_on-error"' in r.text and "Ngày không hợp lệ" in r.text
    assert 'id="amend_signer_name-error"' not in r.text and 'value="Lê Văn Sang"' in r.text
    assert 'value="revocation" checked' in r.text  # nothing typed is lost
    r = post_form(  # no kind, no decision, no signer; a correction needs its changes
        chairman,
        round_id,
        "/amendments",
        **amend_form(reason="Sai tên", signer_name="", signed_on=f"{year}-12-01"),
    )
    assert r.status_code == 422
    assert (
        "Chọn quyết định được đính chính hoặc thu hồi." in r.text
        and "Chọn đính chính hoặc thu hồi." in r.text
    )
    assert 'id="amend_signer_name-error"' in r.text
    r = post_form(
        chairman,
        round_id,
        "/amendments",
        **amend_form(
            decision_id=decision_id,
            kind="correction",
            reason="Sai tên",
            signer_name="Lê Văn Sang",
            signed_on=f"{year}-11-01",  # before the decision it amends (20/11)
        ),
    )
    assert r.status_code == 422 and 'id="amend_changes-error"' in r.text
    assert "Quyết định đính chính phải nêu nội dung đính chính" in r.text
    assert f"không được ký trước ngày ký quyết định được sửa đổi ({year}-11-20)" in r.text
    # What only the service knows: a case that decision did not recognise (its 422 on the field), a
    # decision that is not the round's (its 404 as the page's problem).
    other = seed_case(world.evaluation_settings.database_url, subject_id="HH-WEB-9", year=year)
    good = amend_form(kind="revocation", reason="Sai", signer_name="Lê Văn Sang", signed_on=f"{year}-12-01")
    r = post_form(
        chairman, round_id, "/amendments", **good, amend_decision_id=decision_id, amend_case_ids=other
    )
    assert r.status_code == 422 and 'id="amend_case_ids-error"' in r.text
    assert "Hồ sơ không được công nhận tại quyết định này." in r.text
    r = post_form(
        chairman, round_id, "/amendments", **good, amend_decision_id="khong-co", amend_case_ids=other
    )
    assert r.status_code == 404 and "Không tìm thấy quyết định khong-co." in r.text
    assert len(decisions_of(world, round_id)) == 1  # nothing issued


def test_other_roles_see_no_amendment_form_and_are_refused_when_forcing_it(world: World) -> None:
    round_id, year, decision_id, cases = recognised_round(world)
    for username in ("truong-thon", "can-bo-hoi", "kiem-toan"):
        page = as_user(world, username).get(f"/rounds/{round_id}")
        assert page.status_code == 200 and "01/QĐ-UBND" in page.text, username
        assert "Quyết định đính chính, thu hồi" not in page.text and "/amendments" not in page.text, username
    undecided = seed_round(world, "awaiting_signature")  # nothing recorded yet: nothing to amend
    assert "/amendments" not in as_user(world, "chu-tich").get(f"/rounds/{undecided}").text
    data = amend_form(
        decision_id=decision_id,
        kind="revocation",
        reason="Kê khai không đúng",
        case_ids=cases[SECOND],
        signer_name="Trần Văn Hội",
        signed_on=f"{year}-12-10",
    )
    for username in ("can-bo-hoi", "truong-thon"):
        r = post_form(as_user(world, username), round_id, "/amendments", **data)
        assert r.status_code == 403 and "Bạn không có quyền thực hiện thao tác này." in r.text, username
    assert len(decisions_of(world, round_id)) == 1


def test_a_recognition_left_short_of_its_dependency_is_shown_until_the_chairman_revokes_it(
    world: World,
) -> None:
    """The flag a revocation writes (`decision.dependency_unmet`, see test_dependency_warnings.py) shown
    on the round page to staff, and gone once that recognition is revoked with the existing form."""
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service.decision_list import DEPENDENCY_UNMET
    from services.evaluation.service.round_audit import round_entry

    round_id, year, decision_id, cases = recognised_round(world)
    reason = "Tỷ lệ đạt danh hiệu “Gia đình học tập” là 60%, chưa đạt 70% (10 thành viên)."
    engine = make_engine(world.evaluation_settings.database_url)
    with SqlUnitOfWork(engine) as uow:
        rnd = uow.rounds.get(round_id)
        after = {
            "decision_id": decision_id,
            "decision_number": "01/QĐ-UBND",
            "case_id": cases[SECOND],
            "subject_id": SECOND,
            "title": "learning_community_village",
            "trigger": "revoking-decision",
            "trigger_number": "02/QĐ-UBND",
        }
        uow.record(round_entry(rnd, action=DEPENDENCY_UNMET, actor="chu-tich", reason=reason, after=after))
        uow.commit()
    engine.dispose()
    for username in ("can-bo-hoi", "kiem-toan", "chu-tich"):
        page = as_user(world, username).get(f"/rounds/{round_id}")
        assert page.status_code == 200 and "Danh hiệu không còn đủ điều kiện (1)" in page.text
        (row,) = page.text.split('data-testid="dependency-warning"')[1:]
        row = row.split("</tr>")[0]
        assert "Hộ bà Trần Thị Bình" in row and "Cộng đồng học tập cấp thôn" in row and "01/QĐ-UBND" in row
        assert reason in row and "sau Quyết định thu hồi 02/QĐ-UBND" in row
    chairman = as_user(world, "chu-tich")
    chairman.get("/lang/en")
    page = chairman.get(f"/rounds/{round_id}")
    assert (
        "Titles that no longer qualify (1)" in page.text and "after revoking decision 02/QĐ-UBND" in page.text
    )
    chairman.get("/lang/vi")
    # The chairman revokes it with the amending decision's form: the warning is gone.
    r = post_form(
        chairman,
        round_id,
        "/amendments",
        **amend_form(
            decision_id=decision_id,
            kind="revocation",
            reason="Không còn đủ tỷ lệ gia đình học tập",
            case_ids=cases[SECOND],
            signer_name="Lê Văn Sang",
            signed_on=f"{year}-12-10",
        ),
    )
    assert r.status_code == 302
    page = chairman.get(f"/rounds/{round_id}")
    assert 'data-testid="dependency-warnings"' not in page.text
    assert "Danh hiệu không còn đủ điều kiện" not in page.text


def test_the_rounds_timeline_shows_its_audit_trail_with_names_and_the_chains_verdict(world: World) -> None:
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.service.round_audit import round_entry

    posting = seed_round(world, "posting")
    engine = make_engine(world.evaluation_settings.database_url)
    now = datetime.now(UTC)
    with engine.begin() as db:  # an objection being checked (the world has no Temporal to file one)
        db.execute(
            t.round_objections.insert().values(
                id=str(uuid.uuid4()), round_id=posting, filed_by="Bà Lê Thị Hoa", content="Chưa đủ điều kiện",
                status="assigned", assignee="truong-thon", version=2, created_by="can-bo-hoi",
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
    with SqlUnitOfWork(engine) as uow:  # and what filing it recorded
        rnd = {"id": posting, "workflow_id": f"yearly-round/{posting}"}
        uow.record(
            round_entry(rnd, action="objection.filed", actor="can-bo-hoi", role="commune_association_officer")
        )
        uow.commit()
    engine.dispose()
    page = as_user(world, "can-bo-hoi").get(f"/rounds/{posting}")
    assert f'href="/rounds/{posting}/timeline"' in page.text
    ward = "Phường Vũng Tàu"  # HCMC_WARD by its name, not its code
    assert f"· {ward}</h1>" in page.text
    assert "Chưa đủ điều kiện" in page.text and "(Đang xác minh" in page.text  # its status by name
    timeline = as_user(world, "kiem-toan").get(f"/rounds/{posting}/timeline")
    assert timeline.status_code == 200
    assert "Nhận ý kiến phản ánh" in timeline.text and "objection.filed" in timeline.text
    assert "can-bo-hoi" in timeline.text and "Chuỗi nhật ký toàn vẹn" in timeline.text
    assert f"· {ward}</h1>" in timeline.text
    assert as_user(world, "ho-gia-dinh").get(f"/rounds/{posting}/timeline").status_code in (403, 404)
