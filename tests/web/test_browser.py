"""A whole case in a real browser (Debian's Chromium driven by Playwright) on the real stack (Temporal
dev server, rclone S3, workers, outbox relay, notifications consumer): a household representative opens
and self-assesses its case and uploads evidence with per-file progress, the village officer judges the
evidence and passes the review, the commune officer adjusts a score with a reason and passes it on, the
chairman opens the commune's round; months later (phases written directly, see `skip_to_the_council`) the
commune officer records the council's minutes, the chairman signs the decision, the round records it,
and the decision (PDF, DOCX) and the certificate download; an auditor reads the timeline with its
verify status; a late household's case (taken to the decision through the API) goes into a supplementary
list built on a phone, the chairman signs it (02/QĐ-UBND), and the association closes the round. Bad input shows the field and the reason in Vietnamese. A screenshot of every page is kept (path printed; WEB_SCREENSHOTS_DIR
keeps them elsewhere, e.g. as CI artifacts)."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from werkzeug.serving import make_server

from common.db import make_engine
from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.service import decision_list, rounds
from services.web.app import create_app as create_web
from services.web.config import Settings as WebSettings
from tests.conftest import HCMC_WARD, OPEN_YEAR, free_port
from tests.integration.conftest import Stack
from tests.signin import PASSWORD, add_household, create_user
from workflows import ids
from workflows.yearly_round import contracts as rc

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed (apt-get install -y chromium)"
    ),
]

PEOPLE = {
    "ho-gia-dinh": ("household_representative", HCMC_WARD),
    "truong-thon": ("village_officer", HCMC_WARD),
    "can-bo-hoi": ("commune_association_officer", HCMC_WARD),
    "chu-tich": ("commune_chairman", HCMC_WARD),
    "kiem-toan": ("auditor", None),
}
INDICATORS = get_criteria_set("gia-dinh-hoc-tap", "2023.1").indicators_for(None)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOUSEHOLD = "HH-TRINH-DUYET"  # the household of `ho-gia-dinh` (a readable id)
HOUSEHOLD_CODE = "HTD1"  # its register code: pages show it beside its name
LATE_HOUSEHOLD = "HH-TRE-HAN"  # its case reaches the decision after the round's: a supplementary decision
LATE_CODE = "HTH1"
YEAR = (
    OPEN_YEAR  # the cases are submitted today, under the stack's open-window plan version (tests/conftest.py)
)


@pytest.fixture
def screenshots(tmp_path: Path) -> Iterator[Path]:
    target = Path(os.environ.get("WEB_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    yield target
    print(f"\nscreenshots of the browser test: {target}")


@pytest.fixture
def web_url(stack: Stack) -> Iterator[str]:
    """The web app on a free port, reaching the stack's services in-process."""
    url = stack.evaluation_settings.database_url
    add_household(url, commune_code=HCMC_WARD, code=HOUSEHOLD_CODE, village="KP8", household_id=HOUSEHOLD)
    for username, (role, scope) in PEOPLE.items():
        subject = HOUSEHOLD if role == "household_representative" else None
        create_user(url, role=role, scope_code=scope, username=username, subject_id=subject)
    settings = WebSettings(common=stack.common, secret_key="browser-test-secret-0001")
    app = create_web(
        settings,
        transports={
            "evaluation": httpx.WSGITransport(app=stack.evaluation.application),
            "notifications": httpx.WSGITransport(app=stack.notifications.application),
        },
    )
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        contexts: list[Any] = []

        async def open_as(name: str, **options: Any) -> Any:
            """A fresh profile (its own user-data-dir) per person."""
            context = await p.chromium.launch_persistent_context(
                str(tmp_path / f"profile-{name}"),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
                locale="vi-VN",
                **options,
            )
            context.set_default_timeout(20_000)
            contexts.append(context)
            return context.pages[0] if context.pages else await context.new_page()

        yield open_as
        for context in contexts:
            await context.close()


async def sign_in(page: Any, base: str, username: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(re.compile(r".*/tasks.*"))


async def skip_to_the_council(client: Client, stack: Stack, round_id: str) -> None:
    """Bring the round opened in the browser to its council, as if the months had passed.

    The stack's Temporal dev server runs in real time, and the round's timers wait for the plan's dates
    (the window closes at the year's end, the posting starts with quarter IV and lasts 5 working days):
    so the round's run is stopped, the phases its timers would have written are written by the service
    functions its activities call (window closed, list built and posted, no objection, council due), and
    the round is started again where the council sits (`RoundResume`, as tests/workflow/yearly_round/
    test_crash.py does for the recording). Everything after that goes through the web pages."""
    engine = make_engine(stack.evaluation_settings.database_url)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    try:
        rnd = rounds.get_round(uow(), round_id=round_id)
        await client.get_workflow_handle(rnd["workflow_id"]).terminate("test: the months of timers skipped")
        where = {k: rnd[k] for k in ("admin_unit_code", "year", "plan_code")}
        schedule = rounds.round_schedule(uow(), **where)
        rounds.record_round_phase(uow(), inp=rc.RoundPhaseInput(round_id, rc.REVIEWING, 2))
        built = decision_list.build_decision_list(uow(), round_id=round_id)
        posted = rounds.record_round_phase(
            uow(),
            inp=rc.RoundPhaseInput(
                round_id,
                rc.POSTING,
                3,
                detail={
                    "at": schedule.decision_from,
                    "posting_days": schedule.posting_days,
                    "posting_working_days": schedule.posting_working_days,
                    "days_off": schedule.days_off,
                    "decisions": built.decision_ids,
                    "recognised": built.recognised,
                    "not_recognised": built.not_recognised,
                },
            ),
        )
        assert rounds.record_round_phase(uow(), inp=rc.RoundPhaseInput(round_id, rc.COUNCIL, 4)).moved
    finally:
        engine.dispose()
    resume = rc.RoundResume(
        phase=rc.COUNCIL,
        version=4,
        schedule=schedule,
        decision_ids=built.decision_ids,
        objections_close=posted.objections_close,
    )
    await client.start_workflow(
        rc.WORKFLOW_NAME,
        rc.RoundInput(
            round_id, where["admin_unit_code"], where["year"], where["plan_code"], rnd["opened_by"], resume
        ),
        id=rnd["workflow_id"],
        task_queue=ids.WORKFLOW_TASK_QUEUE,
    )


async def decide_late_case(stack: Stack) -> None:
    """The late household's case, opened after the round's list was built, taken to awaiting_decision
    through the evaluation API (each person's token, If-Match on every step)."""
    from common.auth import Principal
    from common.settings import DEFAULT_SECRET_KEY
    from tests.conftest import assert_eventually
    from tests.signin import bearer

    def headers(role: str, version: int | None = None) -> dict[str, str]:
        principal = Principal(
            user_id=f"id-{role}",
            username=f"{role}-late",
            role=role,
            scope_code=HCMC_WARD,
            scope_path=f"79/{HCMC_WARD}",
            subject_id=LATE_HOUSEHOLD if role == "household_representative" else None,
        )
        h = bearer(DEFAULT_SECRET_KEY, principal)
        if version is not None:
            h["If-Match"] = f'"{version}"'
        return h

    add_household(
        stack.evaluation_settings.database_url,
        commune_code=HCMC_WARD,
        code=LATE_CODE,
        village="KP7",
        household_id=LATE_HOUSEHOLD,
    )
    body = {
        "year": YEAR,
        "title": "learning_family",
        "subject_id": LATE_HOUSEHOLD,
        "admin_unit_code": HCMC_WARD,
    }
    r = await asyncio.to_thread(
        stack.evaluation.post, "/cases", json=body, headers=headers("village_officer")
    )
    assert r.status_code == 202, r.get_json()
    case_id = r.get_json()["case_id"]

    async def opened() -> None:
        got = await asyncio.to_thread(
            stack.evaluation.get, f"/cases/{case_id}", headers=headers("village_officer")
        )
        assert got.status_code == 200 and got.headers["ETag"] == '"1"'

    await assert_eventually(opened)
    scores = {i.code: (i.max_points if i.max_points is not None else True) for i in INDICATORS}
    for version, role, action, extra in (
        (1, "household_representative", "submit", {"scores": scores}),
        (2, "village_officer", "pass_review", {}),
        (3, "commune_association_officer", "pass_review", {}),
    ):
        r = await asyncio.to_thread(
            stack.evaluation.post,
            f"/cases/{case_id}/steps",
            json={"action": action, **extra},
            headers=headers(role, version),
        )
        assert r.status_code == 200, (action, r.get_json())
    assert r.get_json()["status"] == "awaiting_decision"


async def take(page: Any, folder: Path, name: str) -> None:
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def step(page: Any, action_label: str) -> None:
    await page.get_by_role("button", name=action_label, exact=True).click()
    await page.wait_for_load_state("load")


@pytest.mark.timeout(300)
async def test_a_whole_case_in_the_browser(
    temporal_dev: WorkflowEnvironment,
    stack: Stack,
    web_url: str,
    browser: Any,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    from playwright.async_api import expect

    # 1. The household representative, on a phone-sized screen, opens its case.
    home = await browser("ho-gia-dinh", viewport={"width": 390, "height": 844})
    await take(home, screenshots, "00-login")
    await sign_in(home, web_url, "ho-gia-dinh")
    # its own household is named, not asked for (a representative opens its household's case only)
    await expect(home.get_by_test_id("open-household")).to_contain_text(f"({HOUSEHOLD_CODE})")
    await home.get_by_label("Năm").fill("1999")
    await home.get_by_role("button", name="Mở hồ sơ", exact=True).click()
    await expect(home.locator("#year-error")).to_have_text("Năm phải từ 2023 đến 2030.")
    await take(home, screenshots, "01-open-case-bad-input")
    await home.get_by_label("Năm").fill(str(YEAR))
    await home.get_by_role("button", name="Mở hồ sơ", exact=True).click()
    await expect(home.get_by_test_id("case-status")).to_have_text("Đang tự đánh giá", timeout=30_000)
    case_url = home.url.split("?")[0]

    # 2. Bad self-assessment input: the field and the reason, in Vietnamese.
    await take(home, screenshots, "01b-case-opened")
    first = INDICATORS[0]
    await home.locator(f"#score-{first.code}".replace(".", "\\.")).fill("99")
    await step(home, "Nộp hồ sơ")
    await expect(home.locator(f"#score-{first.code}-error".replace(".", "\\."))).to_contain_text(
        "Phải từ 0 đến"
    )
    await take(home, screenshots, "02-self-assessment-bad-input")

    # 3. The whole self-assessment, then evidence with progress per file, then submit.
    for indicator in INDICATORS:
        selector = f"#score-{indicator.code}".replace(".", "\\.")
        if indicator.is_pass_fail:
            await home.locator(selector).select_option("true")
        else:
            await home.locator(selector).fill(str(indicator.max_points))
    files = []
    for name in ("giay-khen.pdf", "so-theo-doi.pdf"):
        path = tmp_path / name
        path.write_bytes(PDF + f"% {name}\n".encode())  # two files: the same bytes twice are one item
        files.append(str(path))
    await home.get_by_label("Chọn tệp (PDF, ảnh; có thể chọn nhiều tệp)").set_input_files(files)
    await home.get_by_role("button", name="Tải lên").click()
    await expect(home.locator("[data-progress] li.ok")).to_have_count(2)
    await expect(home.get_by_test_id("evidence").locator("li")).to_have_count(2)
    await take(home, screenshots, "03-self-assessment-with-evidence")
    await step(home, "Nộp hồ sơ")
    await expect(home.get_by_test_id("case-status")).to_have_text("Thôn đang thẩm định")
    await take(home, screenshots, "04-submitted")

    # 4. The village officer: inbox, evidence verdicts, passes the review.
    village = await browser("truong-thon")
    await sign_in(village, web_url, "truong-thon")
    await expect(village.get_by_test_id("tasks")).to_contain_text(HOUSEHOLD_CODE)
    await take(village, screenshots, "05-village-inbox")
    await village.get_by_text(HOUSEHOLD_CODE).click()
    await expect(village.get_by_test_id("case-status")).to_have_text("Thôn đang thẩm định")
    for i in range(2):
        form = village.locator(".evidence li").nth(i)
        await form.get_by_role("combobox").select_option("accepted")
        await form.get_by_role("button", name="Ghi kết luận").click()
        await village.wait_for_load_state("load")
    await expect(village.get_by_test_id("verdict").first).to_contain_text("Chấp nhận")
    # ... and adds the paper receipt the household brought in, on its behalf.
    receipt = tmp_path / "bien-nhan.pdf"
    receipt.write_bytes(PDF + b"% bien-nhan\n")
    await village.get_by_label("Chọn tệp (PDF, ảnh; có thể chọn nhiều tệp)").set_input_files(str(receipt))
    await village.locator("#ev-on-behalf").fill(HOUSEHOLD)
    await village.get_by_role("button", name="Tải lên").click()
    await expect(village.get_by_test_id("evidence").locator("li")).to_have_count(3)
    await take(village, screenshots, "06-village-review")
    await step(village, "Chuyển cấp trên / Đạt thẩm định")
    await expect(village.get_by_test_id("case-status")).to_have_text("Xã đang thẩm định")

    # 5. The commune officer: an adjustment without a reason is refused on the field; with one it counts.
    commune = await browser("can-bo-hoi")
    await sign_in(commune, web_url, "can-bo-hoi")
    await commune.goto(case_url)
    await step(commune, "Điều chỉnh điểm")
    await expect(commune.locator("#reason-error")).to_have_text("Cần ghi lý do.")
    await take(commune, screenshots, "07-commune-adjust-without-reason")
    scored = next(i for i in INDICATORS if not i.is_pass_fail)
    await commune.locator(f"#score-{scored.code}".replace(".", "\\.")).fill(str(scored.max_points - 1))
    await commune.get_by_label("Lý do", exact=True).fill("Minh chứng chỉ đủ cho một phần chỉ số")
    await step(commune, "Điều chỉnh điểm")
    await expect(commune.locator(".flash.success")).to_have_text("Đã lưu.")
    await step(commune, "Chuyển cấp trên / Đạt thẩm định")
    await expect(commune.get_by_test_id("case-status")).to_have_text("Chờ quyết định")
    await take(commune, screenshots, "08-commune-passed")

    # 6. The chairman: the case waits in the inbox; he opens the commune's round of YEAR.
    chairman = await browser("chu-tich")
    await sign_in(chairman, web_url, "chu-tich")
    await expect(chairman.get_by_test_id("tasks")).to_contain_text(HOUSEHOLD_CODE)
    await take(chairman, screenshots, "09-chairman-inbox")
    await chairman.get_by_role("link", name="Kỳ xét công nhận").click()
    await chairman.get_by_label("Năm").fill(str(YEAR))
    await chairman.get_by_role("button", name="Mở / xem kỳ xét").click()
    await expect(chairman.get_by_test_id("phase")).to_have_text(
        re.compile("Đang tự đánh giá|Đang thẩm định"), timeout=30_000
    )
    await take(chairman, screenshots, "10-chairman-round")
    round_url = chairman.url.split("?")[0]

    # 7. Months later: the window has closed, the list was posted, nobody objected, the council sits.
    await skip_to_the_council(temporal_dev.client, stack, round_url.rsplit("/", 1)[-1])

    # 8. The commune officer records the council's minutes and its vote on the household.
    await commune.goto(round_url)
    await expect(commune.get_by_test_id("phase")).to_have_text("Hội đồng xét duyệt")
    await expect(commune.get_by_test_id("list-item")).to_contain_text(HOUSEHOLD_CODE)
    await commune.get_by_label("Ngày họp").fill(f"{YEAR}-10-12")
    await commune.get_by_label("Chủ trì").fill("Trần Thị Hội")
    await commune.get_by_label("Thư ký").fill("Phạm Văn Ký")
    await commune.get_by_label("Có mặt (mỗi người một dòng)").fill(
        "Trần Thị Hội\nPhạm Văn Ký\nLê Thị Ba\nNguyễn Văn Bốn\nĐỗ Thị Năm"
    )
    await commune.get_by_label("Vắng mặt (mỗi người một dòng)").fill("Hoàng Văn Sáu")
    votes = commune.get_by_role("group", name=HOUSEHOLD_CODE)  # "Biểu quyết về <name> (<code>)"
    await votes.get_by_label("Tán thành", exact=True).fill("5")
    await take(commune, screenshots, "11-council-minutes")
    await step(commune, "Ghi biên bản")
    await expect(commune.locator(".flash.success")).to_have_text("Đã lưu.")
    await expect(commune.get_by_test_id("phase")).to_have_text("Chờ Chủ tịch ký")

    # 9. The chairman signs in the browser: the list first, then a bad form (no name, and today's date
    # is not in the round's year), then by keyboard.
    await chairman.goto(round_url)
    await expect(chairman.get_by_test_id("phase")).to_have_text("Chờ Chủ tịch ký")
    listed = chairman.get_by_test_id("list-item")
    await expect(listed).to_have_count(1)
    await expect(listed).to_contain_text(HOUSEHOLD_CODE)
    await expect(listed).to_contain_text("Được công nhận")
    await take(chairman, screenshots, "12-chairman-awaiting-signature")
    await chairman.get_by_label("Họ tên người ký").fill("")
    await chairman.get_by_label("Ngày ký").fill(f"{YEAR - 1}-11-24")
    await step(chairman, "Ký quyết định")
    await expect(chairman.locator("#signer_name-error")).to_have_text("Bắt buộc nhập.")
    await expect(chairman.locator("#signed_on-error")).to_have_text(
        f"Ngày ký phải thuộc năm {YEAR} hoặc {YEAR + 1}."
    )
    await expect(chairman.get_by_label("Ngày ký")).to_have_attribute("aria-invalid", "true")
    await take(chairman, screenshots, "13-chairman-sign-bad-input")
    await chairman.get_by_label("Ngày ký").fill(f"{YEAR}-12-15")
    await chairman.get_by_label("Họ tên người ký").fill("Lê Văn Sang")
    await chairman.get_by_label("Họ tên người ký").press("Enter")
    await expect(chairman.locator(".flash.success")).to_have_text("Đã lưu.")
    await expect(chairman.get_by_test_id("phase")).to_have_text(
        re.compile("Đang ghi quyết định|Đang tạo văn bản|Đã ban hành quyết định")
    )
    await expect(chairman.get_by_test_id("decision")).to_contain_text("01/QĐ-UBND")
    await take(chairman, screenshots, "14-chairman-signed")

    # 10. The round records the decision and stores its documents, then takes supplementary decisions until
    # the end of YEAR (docs/yearly-round.md): the links answer.
    decided = "Đã ban hành quyết định, nhận công nhận bổ sung"
    for _ in range(120):
        await chairman.reload()
        if await chairman.get_by_test_id("phase").text_content() == decided:
            break
        await asyncio.sleep(0.5)
    await expect(chairman.get_by_test_id("phase")).to_have_text(decided)
    decision = chairman.get_by_test_id("decision")
    await expect(decision).to_contain_text("Đã ghi vào hồ sơ")
    await expect(decision).to_contain_text("Lê Văn Sang")
    await expect(decision.get_by_role("link", name="Tải về Quyết định (PDF) · 01/QĐ-UBND")).to_be_visible()
    await take(chairman, screenshots, "15-chairman-round-closed")
    downloads = {
        "download-pdf": ("application/pdf", b"%PDF"),
        "download-docx": (DOCX, b"PK"),
        "certificate-pdf": ("application/pdf", b"%PDF"),
        "certificate-docx": (DOCX, b"PK"),
    }
    for test_id, (media_type, magic) in downloads.items():
        href = await chairman.get_by_test_id(test_id).get_attribute("href")
        assert href
        answer = await chairman.context.request.get(href if href.startswith("http") else web_url + href)
        assert answer.status == 200, (test_id, answer.status)
        assert answer.headers["content-type"] == media_type, (test_id, answer.headers)
        assert (await answer.body()).startswith(magic), test_id
    # ... and the household sees its case recognised.
    await home.goto(case_url)
    await expect(home.get_by_test_id("case-status")).to_have_text("Được công nhận")
    await take(home, screenshots, "16-household-recognised")

    # 11. The auditor reads the timeline: every action, who, on whose behalf, why, and the verify status.
    auditor = await browser("kiem-toan")
    await auditor.goto(f"{web_url}/login")  # by keyboard only: the username field has the focus
    # Autofocus lands once the page is ready; keys typed before it are lost (seen under load in CI).
    await expect(auditor.locator("#username")).to_be_focused()
    await auditor.keyboard.type("kiem-toan")
    await auditor.keyboard.press("Tab")
    await auditor.keyboard.type(PASSWORD)
    await auditor.keyboard.press("Enter")
    await auditor.wait_for_url(re.compile(r".*/tasks.*"))
    await auditor.goto(case_url + "/timeline")
    await expect(auditor.get_by_test_id("verify")).to_contain_text("Chuỗi nhật ký toàn vẹn")
    timeline = auditor.get_by_test_id("timeline")
    await expect(timeline).to_contain_text("Minh chứng chỉ đủ cho một phần chỉ số")
    await expect(timeline).to_contain_text("can-bo-hoi")
    await expect(timeline).to_contain_text("ho-gia-dinh")
    await expect(timeline.locator("li", has_text="truong-thon").filter(has_text="Thay mặt")).to_have_count(1)
    await expect(timeline).to_contain_text(HOUSEHOLD)
    await expect(timeline).to_contain_text("Quyết định công nhận")
    await take(auditor, screenshots, "17-auditor-timeline")

    # 12. English on request.
    await auditor.get_by_role("link", name="English").click()
    await expect(auditor.get_by_test_id("verify")).to_contain_text("Audit chain verified")
    await take(auditor, screenshots, "18-auditor-timeline-english")

    # 13. A late household: its case reaches the decision only now (through the API; the pages above did
    # it once), so the commune officer builds a supplementary list, the chairman signs it (not before the
    # round's decision of 15/12), the round records it as 02/QĐ-UBND with its documents while the page
    # polls; then the association closes the round, confirming it first.
    await decide_late_case(stack)
    await commune.set_viewport_size({"width": 390, "height": 844})
    await commune.goto(round_url)
    await expect(commune.get_by_test_id("phase")).to_have_text(decided)
    await step(commune, "Lập danh sách bổ sung")
    await expect(commune.get_by_test_id("phase")).to_have_text("Chờ Chủ tịch ký quyết định bổ sung")
    late_row = commune.get_by_test_id("supplementary-item")
    await expect(late_row).to_have_count(1)
    await expect(late_row).to_contain_text(LATE_CODE)
    await expect(late_row).to_contain_text("Được công nhận")
    await take(commune, screenshots, "19-supplementary-list")
    await chairman.goto(round_url)
    # The amending decisions' form below has its own signer and date: the fields of this section.
    signing = chairman.get_by_role("region", name="Ký quyết định bổ sung")
    await signing.get_by_label("Họ tên người ký").fill("Lê Văn Sang")
    await signing.get_by_label("Ngày ký").fill(f"{YEAR}-12-01")
    await step(chairman, "Ký quyết định bổ sung")
    await expect(chairman.locator("#signed_on-error")).to_contain_text(
        "không được ký trước ngày ký quyết định"
    )
    await signing.get_by_label("Ngày ký").fill(f"{YEAR}-12-22")
    await step(chairman, "Ký quyết định bổ sung")
    await expect(chairman.locator(".flash.success")).to_have_text("Đã lưu.")
    await expect(chairman.get_by_test_id("phase")).to_have_text(decided, timeout=60_000)  # htmx polls
    supplementary = chairman.locator('[data-testid="decision"][data-kind="supplementary"]')
    await expect(supplementary).to_contain_text("Quyết định công nhận bổ sung 02/QĐ-UBND")
    await expect(supplementary).to_contain_text("Đã ghi vào hồ sơ")
    await expect(chairman.get_by_test_id("supplementary-item")).to_contain_text("02/QĐ-UBND")
    await take(chairman, screenshots, "20-supplementary-decision")
    links = {
        supplementary.get_by_test_id("download-pdf"): ("application/pdf", b"%PDF"),
        supplementary.get_by_test_id("download-docx"): (DOCX, b"PK"),
        chairman.get_by_test_id("supplementary-certificate-pdf"): ("application/pdf", b"%PDF"),
    }
    for link, (media_type, magic) in links.items():
        href = await link.get_attribute("href")
        assert href
        answer = await chairman.context.request.get(href if href.startswith("http") else web_url + href)
        assert answer.status == 200 and answer.headers["content-type"] == media_type, href
        assert (await answer.body()).startswith(magic), href
    await commune.goto(round_url)
    await step(commune, "Kết thúc kỳ xét")
    await expect(commune.locator("#confirm_close-error")).to_have_text(
        "Hãy đánh dấu ô xác nhận kết thúc kỳ xét."
    )
    await commune.get_by_label(f"Tôi xác nhận kết thúc kỳ xét năm {YEAR}").check()
    await step(commune, "Kết thúc kỳ xét")
    await expect(commune.get_by_test_id("phase")).to_have_text("Đã kết thúc")
    await expect(commune.get_by_role("button", name="Lập danh sách bổ sung")).to_have_count(0)
    await take(commune, screenshots, "21-round-closed")

    # Later, the chairman revokes the late household's recognition by an amending decision.
    await chairman.goto(round_url)
    amendment = chairman.get_by_test_id("amendment")
    decision = amendment.locator("option", has_text="Quyết định công nhận bổ sung 02/QĐ-UBND")
    await amendment.get_by_label("Quyết định được đính chính, thu hồi").select_option(
        await decision.get_attribute("value")
    )
    await amendment.get_by_label("Thu hồi danh hiệu").check()
    await amendment.get_by_label("Lý do").fill("Hộ gia đình đã chuyển khỏi địa phương trước khi xét.")
    await amendment.get_by_label("Ngày ký").fill(f"{YEAR + 1}-01-10")
    await step(chairman, "Ban hành quyết định")  # no subject ticked: refused, what was typed is kept
    await expect(chairman.locator("#amend_case_ids-error")).to_be_visible()
    await expect(amendment.get_by_label("Lý do")).to_have_value(
        "Hộ gia đình đã chuyển khỏi địa phương trước khi xét."
    )
    await amendment.get_by_role("checkbox", name=re.compile(LATE_CODE)).check()
    await step(chairman, "Ban hành quyết định")
    await expect(chairman.locator(".flash.success")).to_contain_text("Đã ban hành quyết định thu hồi")
    revocation = chairman.locator('[data-testid="decision"][data-kind="revocation"]')
    await expect(revocation).to_contain_text("03/QĐ-UBND")
    await expect(chairman.get_by_test_id("supplementary-item")).to_contain_text("Đã thu hồi")
    await expect(chairman.get_by_test_id("supplementary-item")).to_contain_text("Không còn hiệu lực")
    await expect(chairman.get_by_test_id("supplementary-certificate-pdf")).to_have_count(0)
    await take(chairman, screenshots, "22-revocation")
    assert len(list(screenshots.glob("*.png"))) == 24
