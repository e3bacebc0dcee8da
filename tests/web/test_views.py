"""The web's pages through Flask's test client, over the real evaluation and notifications apps (httpx
WSGI transport), real SQLite and rclone S3: sign-in, inbox, the case form generated from the criteria
set, Vietnamese reasons for bad input, evidence, verdicts, the timeline, CSRF, language, the bell."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.db import make_engine
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.web import i18n
from services.web.config import Settings as WebSettings
from tests.conftest import HCMC_WARD, OPEN_YEAR
from tests.web.world import WEB_KEY, World, build_world, csrf_of, seed_case, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, s3_server: dict[str, Any]) -> World:
    return build_world(tmp_path_factory.mktemp("web"), s3_server)


@pytest.fixture
def web(world: World) -> Any:
    return world.web().test_client()


def as_user(world: World, username: str) -> Any:
    client = world.web().test_client()
    assert sign_in(client, username).status_code == 302
    return client


def test_anonymous_visitors_go_to_the_login_page_in_vietnamese(web: Any) -> None:
    r = web.get("/tasks")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/tasks")
    page = web.get("/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text and "Mật khẩu" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_empty_login_names_both_fields_in_vietnamese(web: Any) -> None:
    page = web.get("/login")
    r = web.post("/login", data={"username": "", "password": "", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422
    assert r.text.count("Bắt buộc nhập.") == 2
    assert 'id="username-error"' in r.text and 'aria-invalid="true"' in r.text


def test_wrong_password_says_so_in_vietnamese(web: Any) -> None:
    r = sign_in(web, "truong-thon", "sai-mat-khau")
    assert r.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in r.text


def test_a_form_without_its_csrf_token_is_refused(web: Any) -> None:
    r = web.post("/login", data={"username": "truong-thon", "password": "x"})
    assert r.status_code == 400 and "Biểu mẫu đã hết hạn" in r.text


def test_a_rotated_cookie_key_keeps_people_signed_in_and_their_open_forms_valid(world: World) -> None:
    client = world.web().test_client()
    assert sign_in(client, "truong-thon").status_code == 302
    form = csrf_of(client.get("/notifications").text)  # a page left open across the rotation
    cookie = client.get_cookie("hoctap_session")
    assert cookie is not None

    def carried(app: Any) -> Any:
        moved = app.test_client()
        moved.set_cookie("hoctap_session", cookie.value)
        return moved

    new_key = "web-test-secret-0002"
    rotated = carried(world.web(key=new_key, fallbacks=(WEB_KEY,)))
    assert rotated.get("/tasks").status_code == 200
    assert rotated.post("/notifications/read-all", data={"csrf_token": form}).status_code == 302
    dropped = carried(world.web(key=new_key))
    assert dropped.get("/tasks").headers["Location"].startswith("/login")
    assert dropped.post("/notifications/read-all", data={"csrf_token": form}).status_code == 400


def test_the_cookie_keys_come_from_the_environment() -> None:
    common = {"SECRET_KEY": "the-services-new-key-01", "SECRET_KEY_FALLBACKS": "the-services-old-key-01"}
    derived = WebSettings.from_env(common)
    assert derived.session_key_fallbacks == ("web-session/the-services-old-key-01",)
    own = WebSettings.from_env(
        {
            **common,
            "WEB_SECRET_KEY": "the-webs-new-key-0001",
            "WEB_SECRET_KEY_FALLBACKS": "the-webs-old-key-0001",
        }
    )
    assert (own.session_key, own.session_key_fallbacks) == (
        "the-webs-new-key-0001",
        ("the-webs-old-key-0001",),
    )
    with pytest.raises(ValueError, match="WEB_SECRET_KEY_FALLBACKS needs WEB_SECRET_KEY"):
        WebSettings.from_env({"WEB_SECRET_KEY_FALLBACKS": "the-webs-old-key-0001"})


def test_sign_in_never_redirects_to_another_site(web: Any) -> None:
    page = web.get("/login?next=//evil.example/x")
    r = web.post(
        "/login?next=//evil.example/x",
        data={"username": "truong-thon", "password": "mat-khau-thu-nghiem", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/tasks"


def test_the_household_inbox_lists_its_case_and_the_case_page_has_the_criteria_form(world: World) -> None:
    client = as_user(world, "ho-gia-dinh")
    inbox = client.get("/tasks")
    assert inbox.status_code == 200
    assert "Việc cần làm" in inbox.text and f"/cases/{world.case_id}" in inbox.text
    assert "Nguyễn Văn Hộ (HWEB1)" in inbox.text  # the household by its register name and code, not its id
    page = client.get(f"/cases/{world.case_id}")
    assert page.status_code == 200
    assert "Nguyễn Văn Hộ (HWEB1)</h1>" in page.text
    assert '<span data-testid="case-village">Thôn KP9</span>' in page.text  # the village its case lives in
    assert "gia-dinh-hoc-tap@2023.1" in page.text and "Phiếu tự đánh giá" in page.text
    assert 'name="score-1.1"' in page.text and 'value="submit"' in page.text
    assert 'value="pass_review"' not in page.text  # households do not review
    fragment = client.get("/tasks?title=learning_family", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and world.case_id in fragment.text


def test_a_household_sees_its_own_cases_and_opens_only_for_its_household(world: World) -> None:
    client = as_user(world, "ho-gia-dinh")
    page = client.get("/tasks").text
    own = page.split('data-testid="own-cases"')[1].split("</section>")[0]
    assert "Hồ sơ của gia đình" in own and f"/cases/{world.case_id}" in own
    assert '<p data-testid="household">Nguyễn Văn Hộ (HWEB1) · Thôn KP9</p>' in own
    assert '<p data-testid="open-household">Nguyễn Văn Hộ (HWEB1)</p>' in page
    assert 'name="subject_id"' not in page and 'name="mine"' not in page  # no register code, no claims
    opening = page.split('id="open-h"')[1]
    assert 'value="learning_family"' in opening and 'value="learning_citizen"' not in opening
    menu = page.split("</nav>")[0]
    assert "/tasks" in menu and "/reports" not in menu and "/awards" not in menu and "/round" not in menu
    # whatever the form says (here: nothing), the case opened is its own household's
    r = client.post(
        "/cases/open",
        data={"csrf_token": csrf_of(page), "year": "1999", "title": "learning_family", "subject_id": ""},
    )
    assert r.status_code == 422 and 'id="year-error"' in r.text and 'id="subject_id-error"' not in r.text
    staff = as_user(world, "truong-thon").get("/tasks").text
    assert 'name="subject_id"' in staff and 'name="mine"' in staff and "/reports" in staff.split("</nav>")[0]
    assert 'data-testid="own-cases"' not in staff


def test_staff_and_auditors_list_every_case_of_their_unit_not_only_their_tasks(world: World) -> None:
    officer = as_user(world, "truong-thon")
    inbox = officer.get("/tasks").text
    assert 'value="all"' in inbox and "Tất cả hồ sơ" in inbox
    assert f"/cases/{world.case_id}" not in inbox  # it waits on the household, not on the officer
    every = officer.get("/tasks?mine=all").text
    assert f"/cases/{world.case_id}" in every and "Nguyễn Văn Hộ (HWEB1)" in every
    assert 'data-action="claim"' not in every  # claims are taken from the inbox
    fragment = officer.get("/tasks?mine=all&status=draft", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and f"/cases/{world.case_id}" in fragment
    assert f"/cases/{world.case_id}" not in officer.get("/tasks?mine=all&status=commune_review").text
    auditor = as_user(world, "kiem-toan").get("/tasks?mine=all").text
    assert f"/cases/{world.case_id}" in auditor and 'name="mine" value="1"' not in auditor  # claims nothing
    household = as_user(world, "ho-gia-dinh").get("/tasks?mine=all").text  # its inbox, as before
    assert 'value="all"' not in household


def test_the_case_page_says_who_it_waits_on_until_when_and_any_escalation(world: World) -> None:
    url = world.evaluation_settings.database_url
    case_id = seed_case(url, year=2025)
    uow = SqlUnitOfWork(make_engine(url))
    with uow:
        uow.progress.upsert(
            case_id,
            due_at=datetime(2025, 10, 15, 16, 59, 59, tzinfo=UTC),
            overdue=True,
            escalation_step=2,
            escalated_to_role="commune_chairman",
        )
        uow.commit()
    page = as_user(world, "ho-gia-dinh").get(f"/cases/{case_id}").text
    line = page.split('data-testid="case-deadline">')[1].split("</p>")[0]
    assert "Chờ Đại diện hộ gia đình · Hạn xử lý: 15/10/2025" in line
    assert "Quá hạn" in line and "Đã chuyển cấp tới Chủ tịch UBND xã" in line


def test_out_of_range_and_missing_scores_show_each_field_with_the_reason_in_vietnamese(world: World) -> None:
    client = as_user(world, "ho-gia-dinh")
    page = client.get(f"/cases/{world.case_id}")
    form = {
        "csrf_token": csrf_of(page.text),
        "version": "1",
        "action": "submit",
        "score-1.1": "99",
        "score-1.2": "abc",
    }
    r = client.post(f"/cases/{world.case_id}/steps", data=form)
    assert r.status_code == 422
    assert "Có lỗi trong biểu mẫu" in r.text
    assert 'id="score-1.1-error"' in r.text and "Phải từ 0 đến" in r.text
    assert 'id="score-1.2-error"' in r.text and "Phải là số nguyên từ 0 đến" in r.text
    assert "Bắt buộc nhập." in r.text  # the other required indicators
    assert 'value="99"' in r.text  # what was typed stays


def test_a_withdrawal_without_a_reason_names_the_reason_field(world: World) -> None:
    client = as_user(world, "ho-gia-dinh")
    page = client.get(f"/cases/{world.case_id}")
    r = client.post(
        f"/cases/{world.case_id}/steps",
        data={"csrf_token": csrf_of(page.text), "version": "1", "action": "withdraw", "reason": "  "},
    )
    assert r.status_code == 422 and 'id="reason-error"' in r.text and "Cần ghi lý do." in r.text


def test_a_stale_version_is_refused_with_the_latest_case_shown(world: World) -> None:
    client = as_user(world, "ho-gia-dinh")
    page = client.get(f"/cases/{world.case_id}")
    r = client.post(
        f"/cases/{world.case_id}/steps",
        data={"csrf_token": csrf_of(page.text), "version": "0", "action": "save_draft", "score-1.1": "1"},
    )
    assert r.status_code == 412 and "Hồ sơ đã được người khác thay đổi" in r.text


def test_a_draft_whose_window_has_not_opened_says_from_when_and_offers_no_submit(world: World) -> None:
    """The plan opens self-assessment on 01/09 (Hồ Chí Minh City): next year's draft says so and offers saving the draft but not submitting; last year's (open, late) offers both."""
    url = world.evaluation_settings.database_url
    hcmc = ("ho-chi-minh-city-2023", 1)
    ahead = seed_case(url, subject_id=f"HH-A-{uuid.uuid4().hex[:6]}", year=OPEN_YEAR + 1, plan=hcmc)
    late = seed_case(url, subject_id=f"HH-L-{uuid.uuid4().hex[:6]}", year=OPEN_YEAR - 1, plan=hcmc)
    officer = as_user(world, "truong-thon")
    page = officer.get(f"/cases/{ahead}")
    assert page.status_code == 200
    notice = page.text.split('data-testid="window-not-open">')[1].split("</p>")[0]
    assert notice == (
        f"Thời gian tự đánh giá năm {OPEN_YEAR + 1} bắt đầu từ ngày 01/09/{OPEN_YEAR + 1}: hồ sơ được nộp từ "
        "ngày đó; trước đó có thể lưu nháp."
    )
    assert 'data-action="save_draft"' in page.text and 'data-action="submit"' not in page.text
    page = officer.get(f"/cases/{late}")
    assert 'data-testid="window-not-open"' not in page.text and 'data-action="submit"' in page.text


def test_unknown_case_is_a_404_page(world: World) -> None:
    client = as_user(world, "truong-thon")
    r = client.get("/cases/khong-co")
    assert r.status_code == 404 and "Trang không tồn tại." in r.text


def test_evidence_upload_list_and_verdict(world: World) -> None:
    case_id = seed_case(world.evaluation_settings.database_url, year=2027)  # the household's next year
    household = as_user(world, "ho-gia-dinh")
    page = household.get(f"/cases/{case_id}")
    token = csrf_of(page.text)
    empty = household.post(
        f"/cases/{case_id}/evidence",
        data={"csrf_token": token},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert (
        empty.status_code == 422
        and empty.get_json()["field"] == "files"
        and "Chưa chọn tệp." in empty.get_json()["error"]
    )
    r = household.post(
        f"/cases/{case_id}/evidence",
        data={
            "csrf_token": token,
            "indicator_code": "1.1",
            "files": [(io.BytesIO(PDF), "giay-khen.pdf"), (io.BytesIO(b"MZ\x90\x00binary"), "virus.exe")],
        },
        content_type="multipart/form-data",
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    body = r.get_json()
    assert r.status_code == 422 and not body["ok"]
    assert body["results"][0] == {"name": "giay-khen.pdf", "ok": True}
    assert body["results"][1]["ok"] is False and body["results"][1]["error"]
    listing = household.get(f"/cases/{case_id}/evidence")
    assert (
        "giay-khen.pdf" in listing.text and "Chưa xem xét" in listing.text and "virus.exe" not in listing.text
    )
    assert "Ghi kết luận" not in listing.text  # households do not judge evidence

    officer = as_user(world, "truong-thon")
    page = officer.get(f"/cases/{case_id}")
    evidence_id = page.text.split("/evidence/")[1].split("/verdict")[0]
    token = csrf_of(page.text)
    bad = officer.post(
        f"/evidence/{evidence_id}/verdict",
        data={"csrf_token": token, "case_id": case_id, "verdict": "rejected"},
    )
    assert bad.status_code == 302
    assert "Lý do: Cần ghi lý do." in officer.get(f"/cases/{case_id}").text
    refused = officer.post(
        f"/evidence/{evidence_id}/verdict",
        data={
            "csrf_token": token,
            "case_id": case_id,
            "verdict": "more_info_needed",
            "reason": "Ảnh mờ, chụp lại",
        },
    )
    assert refused.status_code == 302  # the service's own reason comes back: a draft is not judged yet
    assert "Không thể kết luận minh chứng khi hồ sơ ở trạng thái" in officer.get(f"/cases/{case_id}").text


def test_the_auditor_reads_the_timeline_with_its_verify_status(world: World) -> None:
    auditor = as_user(world, "kiem-toan")
    r = auditor.get(f"/cases/{world.case_id}/timeline")
    assert r.status_code == 200
    assert "Chuỗi nhật ký toàn vẹn" in r.text and "Mở hồ sơ" in r.text and "Người thực hiện" in r.text
    assert "Gia đình học tập 2026 · Nguyễn Văn Hộ (HWEB1)</h1>" in r.text  # whose case, by name and code
    page = auditor.get(f"/cases/{world.case_id}")
    assert 'value="submit"' not in page.text and "Tải minh chứng lên" not in page.text  # auditors only read
    household = as_user(world, "ho-gia-dinh")
    assert household.get(f"/cases/{world.case_id}/timeline").status_code == 403


def test_opening_a_case_with_bad_input_names_the_fields(world: World) -> None:
    client = as_user(world, "truong-thon")
    page = client.get("/tasks")
    r = client.post(
        "/cases/open", data={"csrf_token": csrf_of(page.text), "year": "1999", "title": "x", "subject_id": ""}
    )
    assert r.status_code == 422
    assert (
        "Năm phải từ 2023 đến 2030." in r.text
        and "Giá trị không hợp lệ." in r.text
        and "Bắt buộc nhập." in r.text
    )


def test_opening_a_case_for_a_subject_not_in_the_register_says_so_on_its_field(world: World) -> None:
    client = as_user(world, "truong-thon")
    page = client.get("/tasks")
    form = {"year": "2027", "title": "learning_family", "subject_id": "H-KHONG-CO"}
    r = client.post("/cases/open", data={"csrf_token": csrf_of(page.text), **form})
    assert r.status_code == 422 and 'id="subject_id-error"' in r.text
    assert "Không có hộ gia đình nào mang mã hoặc định danh này trong đơn vị hành chính 26506." in r.text
    assert 'value="H-KHONG-CO"' in r.text  # what was typed is kept


def test_english_switch(world: World) -> None:
    client = as_user(world, "truong-thon")
    r = client.get("/lang/en?next=/tasks")
    assert r.status_code == 302 and r.headers["Location"] == "/tasks"
    page = client.get("/tasks")
    assert '<html lang="en">' in page.text and "Tasks" in page.text and "Village officer" in page.text
    client.get("/lang/vi")
    assert "Việc cần làm" in client.get("/tasks").text


def test_the_bell_shows_the_unread_count_and_survives_a_service_outage(world: World) -> None:
    client = as_user(world, "truong-thon")
    r = client.get("/bell")
    assert r.status_code == 200 and 'data-testid="bell"' in r.text

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    broken = world.web(notifications=httpx.MockTransport(down)).test_client()
    sign_in(broken, "truong-thon")
    assert broken.get("/bell").status_code == 200
    page = broken.get("/notifications")
    assert page.status_code == 200 and "Dịch vụ notifications đang không phản hồi" in page.text


def test_an_expired_token_signs_the_session_out(world: World) -> None:
    client = as_user(world, "truong-thon")
    with client.session_transaction() as s:
        s["token"] = "not-a-token"
    r = client.get("/tasks")
    assert r.status_code == 302 and r.headers["Location"] == "/login"


def test_every_template_string_has_an_english_translation_and_is_nfc() -> None:
    import re

    web = Path(i18n.__file__).parent
    used = set()
    for path in [*(web / "templates").glob("*.html"), *(web / "views").glob("*.py")]:
        used |= set(re.findall(r'_\(\s*"([^"]+)"\s*\)', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"_\(\s*'([^']+)'\s*\)", path.read_text(encoding="utf-8")))
    missing = sorted(s for s in used if s not in i18n.EN)
    assert not missing, missing
    for text in list(i18n.EN) + [v for pair in i18n.STATUS_NAMES.values() for v in pair]:
        assert unicodedata.normalize("NFC", text) == text


def test_every_audit_action_the_services_record_has_a_name_on_the_timelines() -> None:
    """Every action name written in the evaluation and awards code (audit entries and the events named
    alike) has a Vietnamese and English name, so no timeline shows a bare code."""
    import re

    services = Path(i18n.__file__).parents[1]
    kinds = "round|decision|objection|council|nomination|dossier|report|user|certificate|case|evidence"
    named = re.compile(rf'"((?:{kinds})\.[a-z_]+)"')
    actions = {
        action
        for path in [*(services / "evaluation").rglob("*.py"), *(services / "awards").rglob("*.py")]
        for action in named.findall(path.read_text(encoding="utf-8"))
    }
    actions |= {"decision.correction", "decision.revocation"}  # f"decision.{kind}" (amendments)
    assert len(actions) > 50
    assert sorted(a for a in actions if a not in i18n.ACTION_NAMES) == []


def _recorded_fields(source: str) -> set[str]:
    """The string keys of the dicts an audit call records: `before=` / `after=` dict literals, and the
    dicts built in a variable of the same function that is passed as one (`after=opened`)."""
    import ast

    def keys(node: ast.AST) -> set[str]:
        return {
            k.value
            for d in ast.walk(node)
            if isinstance(d, ast.Dict)
            for k in d.keys
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }

    found: set[str] = set()
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        passed = set()
        for call in ast.walk(func):
            for kw in call.keywords if isinstance(call, ast.Call) else ():
                if kw.arg in ("before", "after"):
                    found |= keys(kw.value)
                    passed |= {n.id for n in ast.walk(kw.value) if isinstance(n, ast.Name)}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in passed:
                        found |= keys(node.value)
                    if (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in passed
                        and isinstance(target.slice, ast.Constant)
                    ):
                        found.add(target.slice.value)
    return found


def test_every_field_the_services_record_in_an_audit_entry_has_a_name_on_the_timelines() -> None:
    """The fields of every audit entry written in the evaluation and awards code (and `common`'s case
    state) have a Vietnamese and English name, so a timeline names what changed instead of showing a
    bare code."""
    services = Path(i18n.__file__).parents[1]
    sources = [
        *(services / "evaluation").rglob("*.py"),
        *(services / "awards").rglob("*.py"),
        services.parent / "common" / "audit.py",
    ]
    fields = set().union(*(_recorded_fields(p.read_text(encoding="utf-8")) for p in sources))
    assert {"admin_unit_code", "full_name", "objections_close", "decided_on"} <= fields  # the scan sees them
    assert sorted(f for f in fields if f not in i18n.FIELD_NAMES) == []


def test_a_subject_is_shown_by_its_register_name_and_code_or_what_is_known() -> None:
    from services.web.i18n import subject_label

    assert subject_label({"subject_id": "u-1", "subject_name": "Lê Thị Hoa", "subject_code": "H001"}) == (
        "Lê Thị Hoa (H001)"
    )
    assert (
        subject_label({"subject_id": "u-1", "subject_name": "Lê Thị Hoa", "subject_code": None})
        == "Lê Thị Hoa"
    )
    assert subject_label({"subject_id": "26506", "subject_name": None, "subject_code": None}) == "26506"
    assert subject_label({"subject_id": "u-1"}) == "u-1"  # an answer without the names


def test_dates_and_times_read_as_in_vietnam_in_each_language() -> None:
    from flask import Flask, session

    from services.web.i18n import local_time

    app = Flask(__name__)
    app.secret_key = "t"
    with app.test_request_context():
        assert local_time("2026-12-07T23:59:59+07:00") == "07/12/2026"  # a due date, as the plan gives it
        assert local_time("2026-11-25T17:30:00+00:00") == "26/11/2026"  # already the 26th in Vietnam
        assert local_time("2026-11-26T01:36:06.29+00:00", time=True) == "26/11/2026 08:36"
        assert local_time("2026-12-20") == "20/12/2026"  # a day, no time zone
        assert local_time(None) == "—" and local_time("") == "—" and local_time("mai") == "mai"
        session["lang"] = "en"
        assert local_time("2026-12-07T23:59:59+07:00") == "2026-12-07"
        assert local_time("2026-11-26T01:36:06+00:00", time=True) == "2026-11-26 08:36"


def test_a_recorded_value_is_named_when_it_is_a_yes_no_or_a_known_code() -> None:
    from flask import Flask

    from services.web.i18n import recorded_value

    with Flask(__name__).test_request_context():  # Vietnamese: no session chose English
        assert recorded_value(True, "active") == "Có" and recorded_value(False, "on_time") == "Không"
        assert recorded_value("village_review", "status") == "Thôn đang thẩm định"
        assert recorded_value("assigned", "status") != "assigned"  # an objection's status
        assert recorded_value("accepted", "verdict") == "Chấp nhận"
        assert recorded_value("village_review", "file_name") == "village_review"  # not a code field
        assert recorded_value("no-such-status", "status") == "no-such-status"
        assert recorded_value({"a": "Hòa"}, "scores") == '{"a": "Hòa"}'
        assert recorded_value("2026-10-15T23:59:59+07:00", "due_at") == "15/10/2026 23:59"
        assert recorded_value("2026-12-20", "signed_on") == "20/12/2026"
        assert recorded_value(None, "returned_to") == "—"  # not "null"
        counts = {"awaiting_decision": 3, "draft": 1}
        assert recorded_value(counts, "counts") == "Chờ quyết định: 3, Đang tự đánh giá: 1"


def test_report_filters_with_bad_input_name_the_field(world: World) -> None:
    client = as_user(world, "can-bo-hoi")
    r = client.get("/reports?year=abc&title=khong-co")
    assert r.status_code == 422
    assert 'id="year-error"' in r.text and "Năm phải từ 2023 đến 2030." in r.text


def test_a_service_without_the_api_yet_shows_not_available(world: World) -> None:
    inner = httpx.WSGITransport(app=world.evaluation)

    def without_reports(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/reports"):
            return httpx.Response(404, json={"code": "not_found", "status": 404, "message": "Not Found"})
        return inner.handle_request(request)

    client = world.web(evaluation=httpx.MockTransport(without_reports)).test_client()
    sign_in(client, "can-bo-hoi")
    page = client.get("/reports?year=2026")
    assert page.status_code == 200 and "Chức năng này chưa có" in page.text


def test_awards_pages_show_nominations_and_their_eligibility(world: World) -> None:
    rnd = {
        "id": "r1",
        "kind": "so_ket",
        "year": 2026,
        "level": "commune",
        "admin_unit_code": "26506",
        "status": "nominating",
        "forms": [{"key": "giay_khen:commune", "name_vi": "Giấy khen của Chủ tịch UBND xã"}],
    }
    nominations = [
        {
            "id": "n1",
            "name": "Hộ ông Nguyễn Văn A",
            "nominee_kind": "household",
            "form_key": "giay_khen:commune",
            "status": "nominated",
            "nominated_by": "can-bo-hoi",
            "eligibility": {"unmet": []},
        },
        {
            "id": "n2",
            "name": "Hộ bà Trần Thị B",
            "nominee_kind": "household",
            "form_key": "bang_khen:province",
            "status": "ineligible",
            "nominated_by": "can-bo-hoi",
            "eligibility": {
                "unmet": [
                    {
                        "rule": "streak",
                        "message_vi": "Chưa đủ 3 năm liên tục được công nhận.",
                        "message_en": "x",
                        "detail": {},
                    }
                ]
            },
        },
    ]

    def awards_api(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"].startswith("Bearer ")
        history = {
            "chain": "award_round:r1",
            "verified": True,
            "verification": {"ok": True, "checked": 1, "chain": "award_round:r1"},
            "entries": [
                {
                    "seq": 1,
                    "at": "2026-06-01T08:00:00+00:00",
                    "action": "nomination.submitted",
                    "actor": "can-bo-hoi",
                    "role": "commune_association_officer",
                    "after": {"name": "Hộ ông Nguyễn Văn A"},
                    "evidence_sha256": [],
                    "hash": "ab" * 32,
                }
            ],
        }
        routes = {
            "/rounds": [rnd, {**rnd, "id": "r2", "admin_unit_code": "99999"}],  # a unit the register lacks
            "/rounds/r1": rnd,
            "/rounds/r1/nominations": nominations,
            "/rounds/r1/history": history,
        }
        body = routes.get(request.url.path)
        return (
            httpx.Response(200, json=body) if body is not None else httpx.Response(404, json={"message": "x"})
        )

    client = world.web(awards=httpx.MockTransport(awards_api)).test_client()
    sign_in(client, "can-bo-hoi")
    listing = client.get("/awards")
    assert listing.status_code == 200 and "/awards/r1" in listing.text
    assert "Sơ kết giai đoạn 2023–2025" in listing.text and "Đang nhận đề cử" in listing.text  # no codes
    assert "· Phường Vũng Tàu</a>" in listing.text  # the unit by its name (asked of the evaluation service)
    assert "· 99999</a>" in listing.text  # no such unit: its code, and the page still answers
    page = client.get("/awards/r1")
    assert "Hộ ông Nguyễn Văn A" in page.text and "Đủ điều kiện" in page.text
    assert "Hộ gia đình · Giấy khen của Chủ tịch UBND xã" in page.text and "Đang nhận đề cử" in page.text
    assert 'href="/awards/r1/timeline"' in page.text and "2026 · Phường Vũng Tàu</h1>" in page.text
    timeline = client.get("/awards/r1/timeline")
    assert "2026 · Phường Vũng Tàu</h1>" in timeline.text
    assert (
        timeline.status_code == 200
        and "Gửi đề cử" in timeline.text
        and "Chuỗi nhật ký toàn vẹn" in timeline.text
    )
    assert "Không đủ điều kiện" in page.text and "Chưa đủ 3 năm liên tục được công nhận." in page.text


def test_an_administrator_locks_an_account_with_a_reason_and_its_sessions_end(world: World) -> None:
    """The accounts page: administrators only; a lock without a reason names the field and changes
    nothing; with one, the account's open session ends at its next page and it cannot sign in; unlocking
    lets it sign in again; a short new password names the field."""
    from tests.signin import create_user

    url = world.evaluation_settings.database_url
    admin_name, target = f"qt-{uuid.uuid4().hex[:6]}", f"tt-{uuid.uuid4().hex[:6]}"
    create_user(url, role="administrator", scope_code=None, username=admin_name)
    user = create_user(url, role="village_officer", scope_code=HCMC_WARD, username=target)
    assert as_user(world, "truong-thon").get("/accounts").status_code == 403
    session = as_user(world, target)
    assert session.get("/tasks").status_code == 200
    admin = as_user(world, admin_name)
    page = admin.get("/accounts")
    assert (
        page.status_code == 200 and f'data-username="{target}"' in page.text and "Khóa tài khoản" in page.text
    )
    token = csrf_of(page.text)
    bare = admin.post(
        f"/accounts/{user.id}/access", data={"csrf_token": token, "action": "lock", "reason": " "}
    )
    assert bare.status_code == 422 and f'id="reason-{user.id}-error"' in bare.text
    assert session.get("/tasks").status_code == 200  # nothing changed
    done = admin.post(
        f"/accounts/{user.id}/access", data={"csrf_token": token, "action": "lock", "reason": "Nghỉ việc"}
    )
    assert done.status_code == 302
    listed = admin.get("/accounts").text
    assert "Đã lưu. Các phiên đăng nhập của tài khoản đã bị thu hồi." in listed
    assert listed.split(f'data-username="{target}"')[1].split("</li>")[0].count("Đã khóa") == 1
    ended = session.get("/tasks")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert sign_in(world.web().test_client(), target).status_code != 302
    short = admin.post(
        f"/accounts/{user.id}/access",
        data={"csrf_token": token, "action": "password", "password": "ngan", "reason": "Cấp lại"},
    )
    assert short.status_code == 422 and f'id="password-{user.id}-error"' in short.text
    admin.post(
        f"/accounts/{user.id}/access", data={"csrf_token": token, "action": "unlock", "reason": "Trở lại"}
    )
    assert sign_in(world.web().test_client(), target).status_code == 302


def test_an_administrator_finds_accounts_by_name_pages_through_them_and_creates_one(world: World) -> None:
    """The accounts page searches words of username or name (accents aside) within the scope, pages by
    50, and creates an account: its fields' problems shown beside them with nothing created, then made
    with its household named by register code."""
    from tests.signin import create_user

    url = world.evaluation_settings.database_url
    admin_name = f"qt-{uuid.uuid4().hex[:6]}"
    create_user(url, role="administrator", scope_code=HCMC_WARD, username=admin_name)
    tag = uuid.uuid4().hex[:4]
    for i in range(53):
        create_user(url, role="village_officer", scope_code=HCMC_WARD, username=f"tt{tag}-{i:02d}")
    admin = as_user(world, admin_name)
    found = admin.get("/accounts", query_string={"q": f"TT{tag}"})
    assert found.status_code == 200 and found.text.count('data-testid="account"') == 50
    assert "Tìm thấy: 53" in found.text and "Cán bộ thôn/khu phố" in found.text  # roles by their names
    second = admin.get("/accounts", query_string={"q": f"tt{tag}", "page": 2})
    assert second.text.count('data-testid="account"') == 3 and "Trang trước" in second.text
    assert (
        admin.get("/accounts", query_string={"q": "không-ai-tên-này"}).text.count(
            "Không có tài khoản nào khớp."
        )
        == 1
    )
    page = admin.get("/accounts")
    token = csrf_of(page.text)
    new = {
        "csrf_token": token,
        "username": f"ho-{tag}",
        "full_name": "Lê Thị Hoa",
        "role": "household_representative",
        "scope_code": HCMC_WARD,
        "subject_id": "",
        "password": "mat-khau-ban-dau",
    }
    missing = admin.post("/accounts", data=new)
    assert missing.status_code == 422 and 'id="subject_id-error"' in missing.text
    assert f'value="ho-{tag}"' in missing.text  # what was typed is kept
    assert admin.get("/accounts", query_string={"q": f"ho-{tag}"}).text.count('data-testid="account"') == 0
    made = admin.post("/accounts", data={**new, "subject_id": "HH-WEB-1"})  # a register code
    assert made.status_code == 302
    listed = admin.get(made.headers["Location"]).text
    assert f"Đã tạo tài khoản ho-{tag}." in listed and "Lê Thị Hoa" in listed
    assert "Hộ HWEB1" in listed  # its household by register code, not its id
    assert sign_in(world.web().test_client(), f"ho-{tag}", "mat-khau-ban-dau").status_code == 302
    history_path = re.search(r'href="(/accounts/[^"]+/history)"', listed).group(1)
    trail = admin.get(history_path)
    assert trail.status_code == 200 and "Tạo tài khoản" in trail.text and admin_name in trail.text
    assert "Lê Thị Hoa" in trail.text  # what was recorded, in its letters (not \u escapes)
    # Each recorded field by its name beside its code, a role by its name, not its code alone.
    assert "Họ và tên <code>full_name</code>: Lê Thị Hoa" in trail.text
    assert "Vai trò <code>role</code>: Đại diện hộ gia đình" in trail.text
    admin.get("/lang/en")
    english = admin.get(history_path).text
    assert "Role <code>role</code>: Household representative" in english
    admin.get("/lang/vi")
    assert "Chuỗi nhật ký toàn vẹn" in trail.text
    assert as_user(world, "kiem-toan").get(history_path).status_code == 200  # auditors read it too
    assert as_user(world, "truong-thon").get(history_path).status_code == 403


def test_signing_out_on_every_device_ends_the_other_sessions(world: World) -> None:
    from tests.signin import create_user

    name = f"tt-{uuid.uuid4().hex[:6]}"
    create_user(
        world.evaluation_settings.database_url, role="village_officer", scope_code=HCMC_WARD, username=name
    )
    phone, desk = as_user(world, name), as_user(world, name)
    page = desk.get("/tasks")
    assert 'data-testid="logout-everywhere"' in page.text
    out = desk.post("/logout", data={"csrf_token": csrf_of(page.text), "everywhere": "1"})
    assert out.status_code == 302 and "/login" in out.headers["Location"]
    assert "Đã đăng xuất khỏi mọi thiết bị." in desk.get("/login").text
    ended = phone.get("/tasks")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    assert as_user(world, name).get("/tasks").status_code == 200  # a new sign-in works


def test_a_national_auditor_sees_whether_every_trail_is_intact_and_what_was_found(world: World) -> None:
    tampered = {
        "ok": False,
        "chains": 3,
        "entries": 9,
        "bad_chains": 0,
        "problems": [],
        "anchors": {
            "checked": True,
            "anchors": 2,
            "problems": [{"kind": "rewritten", "seq_from": 0, "seq_to": 5, "problem": "entries 1–5: …"}],
            "unavailable": None,
        },
    }

    def awards_api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/audit/verify":
            return httpx.Response(200, json=tampered)
        return httpx.Response(404, json={"message": "x"})

    auditor = world.web(awards=httpx.MockTransport(awards_api)).test_client()
    sign_in(auditor, "kiem-toan")
    page = auditor.get("/audit")
    assert page.status_code == 200 and 'href="/audit"' in page.text  # in the menu too
    evaluation = page.text.split('data-testid="audit-evaluation"')[1].split("</section>")[0]
    assert "Toàn vẹn" in evaluation and "Phát hiện sửa đổi" not in evaluation
    awards = page.text.split('data-testid="audit-awards"')[1].split("</section>")[0]
    assert "Phát hiện sửa đổi" in awards and "Các mục đã neo bị viết lại, chèn hoặc xóa" in awards
    officer = as_user(world, "can-bo-hoi")
    assert officer.get("/audit").status_code == 403 and 'href="/audit"' not in officer.get("/tasks").text


def test_staff_claim_a_case_and_a_supervisor_hands_it_on_with_a_reason(world: World) -> None:
    officer = as_user(world, "truong-thon")
    page = officer.get(f"/cases/{world.case_id}")
    assert 'data-action="claim"' in page.text and 'data-action="assign"' not in page.text  # not a supervisor
    r = officer.post(f"/cases/{world.case_id}/claim", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 302
    page = officer.get(f"/cases/{world.case_id}")
    assert "Bạn đã nhận xử lý hồ sơ này." in page.text and 'data-action="claim"' not in page.text
    assert '<p data-testid="assignee">truong-thon</p>' in page.text

    chairman = as_user(world, "chu-tich")
    page = chairman.get(f"/cases/{world.case_id}")
    token = csrf_of(page.text)
    r = chairman.post(f"/cases/{world.case_id}/assign", data={"csrf_token": token, "assign_username": " "})
    assert r.status_code == 422 and 'id="assign_username-error"' in r.text
    r = chairman.post(
        f"/cases/{world.case_id}/assign",
        data={"csrf_token": token, "assign_username": "ho-gia-dinh", "assign_reason": "x"},
    )
    assert r.status_code == 422 and 'id="assign_username-error"' in r.text
    assert (
        "không phải tài khoản cán bộ" in r.text and 'value="ho-gia-dinh"' in r.text
    )  # what was typed is kept
    r = chairman.post(
        f"/cases/{world.case_id}/assign",
        data={"csrf_token": token, "assign_username": "can-bo-hoi", "assign_reason": "Thôn đang thiếu người"},
    )
    assert r.status_code == 302
    page = chairman.get(f"/cases/{world.case_id}")
    assert (
        "Đã giao hồ sơ cho can-bo-hoi." in page.text
        and '<p data-testid="assignee">can-bo-hoi</p>' in page.text
    )
    timeline = chairman.get(f"/cases/{world.case_id}/timeline").text
    assert "Nhận xử lý hồ sơ" in timeline and "Giao hồ sơ cho người khác" in timeline
    assert "Thôn đang thiếu người" in timeline

    household = as_user(world, "ho-gia-dinh").get(f"/cases/{world.case_id}").text
    assert 'data-testid="assignee"' not in household  # who holds it is the staff's concern


def test_staff_acting_for_someone_else_than_the_cases_household_are_told_on_that_field(world: World) -> None:
    officer = as_user(world, "truong-thon")
    page = officer.get(f"/cases/{world.case_id}")
    version = page.text.split('name="version" value="')[1].split('"')[0]
    r = officer.post(
        f"/cases/{world.case_id}/steps",
        data={
            "csrf_token": csrf_of(page.text),
            "version": version,
            "action": "request_evidence",
            "reason": "Thiếu giấy khen",
            "on_behalf_of": "H999",
        },
    )
    assert r.status_code == 422 and 'id="on_behalf_of-error"' in r.text
    assert "&#39;H999&#39; không phải đối tượng của hồ sơ" in r.text and 'value="H999"' in r.text


def _in_village_review(url: str, case_id: str) -> str:
    """The case as its submit leaves it: in village review, waiting on the village officer."""
    import sqlalchemy as sa

    from common.db import make_engine
    from services.evaluation.adapters import tables as t

    with make_engine(url).begin() as db:
        db.execute(
            sa.update(t.cases).where(t.cases.c.id == case_id).values(status="village_review", version=2)
        )
        db.execute(
            sa.update(t.case_progress)
            .where(t.case_progress.c.case_id == case_id)
            .values(waiting_on_role="village_officer")
        )
    return case_id


def test_an_officer_takes_an_unclaimed_task_from_the_inbox_itself(world: World) -> None:

    from tests.web.world import seed_case

    url = world.evaluation_settings.database_url
    case_id = _in_village_review(url, seed_case(url, subject_id="HH-INBOX-CLAIM"))
    officer = as_user(world, "truong-thon")
    inbox = officer.get("/tasks").text
    row = inbox.split(f'/cases/{case_id}"')[1].split("</li>")[0]
    assert 'data-action="claim"' in row
    r = officer.post(f"/cases/{case_id}/claim", data={"csrf_token": csrf_of(inbox), "back": "inbox"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/tasks?mine=1")
    mine = officer.get("/tasks?mine=1").text
    assert "Bạn đã nhận xử lý hồ sơ này." in mine
    row = mine.split(f'/cases/{case_id}"')[1].split("</li>")[0]
    assert "Người xử lý: truong-thon" in row and 'data-action="claim"' not in row
    household = as_user(world, "ho-gia-dinh").get("/tasks").text
    assert 'data-action="claim"' not in household


def test_commune_staff_filter_their_inbox_by_village(world: World) -> None:

    from tests.signin import add_household
    from tests.web.world import seed_case

    url = world.evaluation_settings.database_url
    add_household(url, commune_code=HCMC_WARD, code="HH-KP7", village="KP7", household_id="HH-KP7")
    here = _in_village_review(url, seed_case(url, subject_id="HH-VILLAGE-9"))
    there = _in_village_review(url, seed_case(url, subject_id="HH-KP7"))
    officer = as_user(world, "truong-thon")
    inbox = officer.get("/tasks").text
    assert 'id="f-village"' in inbox and f'value="{HCMC_WARD}.KP7" >Thôn KP7</option>' in inbox
    assert here in inbox and there in inbox
    kp7 = officer.get(f"/tasks?village={HCMC_WARD}.KP7").text
    assert there in kp7 and here not in kp7
    assert '<span class="muted village">Thôn KP7</span>' in kp7  # each row says where
    assert f'value="{HCMC_WARD}.KP7" selected' in kp7
    refused = officer.get("/tasks?village=KP7").text  # a code naming no village of the ward
    assert "Không có thôn này trong phạm vi của bạn." in refused and there not in refused
    assert 'id="f-village"' not in as_user(world, "ho-gia-dinh").get("/tasks").text
