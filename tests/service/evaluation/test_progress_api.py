"""GET /reports/progress (+ Excel export and charts) on a real database: the figures per village, ward
and city against the Hồ Chí Minh City plan's targets, this year and across years; scope and bad input."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from common.settings import CommonSettings
from services.evaluation.app import create_app
from services.evaluation.config import Settings
from tests.conftest import free_port, seed_reference_data
from tests.service.evaluation import report_world as rw
from tests.service.evaluation.matrix_world import FakeGateway, FakeStorage
from tests.signin import FAST_ARGON2, sign_in

PLAN = "ho-chi-minh-city-2023"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("progress")
    url = f"sqlite:///{tmp / 'evaluation.db'}"
    seed_reference_data(url)
    household = rw.build(url)
    common = CommonSettings(
        broker_url=f"sqla+sqlite:///{tmp / 'broker.db'}",
        temporal_address=f"127.0.0.1:{free_port()}",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        secret_key="progress-secret-key-01",
    )
    app = create_app(Settings(database_url=url, common=common, **FAST_ARGON2))
    app.extensions["evaluation"].gateway, app.extensions["evaluation"].storage = FakeGateway(), FakeStorage()
    api = app.test_client()
    return {
        "api": api,
        "city": sign_in(api, url, role="commune_association_officer", scope_code="79"),
        "ward": sign_in(api, url, role="auditor", scope_code=rw.WARD),
        "hanoi": sign_in(api, url, role="auditor", scope_code="01"),
        "household": sign_in(
            api, url, role="household_representative", scope_code=rw.WARD, subject_id=household
        ),
    }


def _get(env: dict[str, Any], who: str, path: str = "/reports/progress", **query: Any) -> Any:
    return env["api"].get(path, query_string=query, headers=env[who])


def _row(body: dict[str, Any], unit: str, title: str = "learning_family") -> dict[str, Any]:
    return next(r for r in body["rows"] if r["unit_code"] == unit and r["title"] == title)


def test_villages_of_a_ward_against_the_target(env: dict[str, Any]) -> None:
    r = _get(env, "ward", plan=PLAN, year=2025, title="learning_family")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["admin_unit"]["code"] == rw.WARD and body["level"] == "village"
    kp1, kp2 = _row(body, f"{rw.WARD}.KP1"), _row(body, f"{rw.WARD}.KP2")
    assert (kp1["recognised"], kp1["population"], kp1["target_share"]) == (3, 4, 0.70)
    assert kp1["share"] == 0.75 and kp1["target_count"] == 3 and kp1["needed"] == 0 and kp1["met"] is True
    assert (kp2["recognised"], kp2["population"], kp2["target_count"], kp2["needed"]) == (3, 6, 5, 2)
    assert kp2["met"] is False
    unknown = _row(body, rw.WARD)  # the case recorded with no village
    assert unknown["recognised"] == 1 and unknown["population"] is None
    assert "chưa rõ thôn" in unknown["unit_name"]
    [total] = body["totals"]
    assert (total["recognised"], total["population"], total["target_count"], total["met"]) == (7, 10, 7, True)
    assert body["titles"][0]["target"]["year"] == 2025


def test_the_city_by_ward_and_across_years(env: dict[str, Any]) -> None:
    body = _get(env, "city", plan=PLAN, year=2025, title="learning_family").get_json()
    assert body["admin_unit"]["code"] == "79" and body["level"] == "commune"
    assert len(body["rows"]) == 168  # every ward of the city, most with nothing yet
    assert (_row(body, rw.WARD)["recognised"], _row(body, rw.WARD)["population"]) == (7, 10)
    assert (_row(body, rw.OTHER_WARD)["recognised"], _row(body, rw.OTHER_WARD)["population"]) == (2, 5)
    assert body["totals"][0]["recognised"] == 9 and body["totals"][0]["population"] == 15
    history = {h["year"]: h["recognised"] for h in body["history"]}
    assert history == {2023: 0, 2024: 2, 2025: 9}


def test_every_title_of_the_plan_and_registers_kept_by_commune(env: dict[str, Any]) -> None:
    body = _get(env, "city", plan=PLAN, year=2025, admin_unit=rw.WARD, level="commune").get_json()
    titles = {t["title"] for t in body["titles"]}
    assert {"learning_family", "learning_clan", "learning_citizen"} <= titles
    clan = _row(body, rw.WARD, "learning_clan")
    assert (clan["recognised"], clan["population"], clan["target_share"]) == (1, 2, 0.65)
    citizens = _row(body, rw.WARD, "learning_citizen")
    assert citizens["population"] == 10  # the adults only (children are under 15)
    villages = _row(body, rw.WARD, "learning_community_village")
    assert villages["population"] == 2
    by_village = _get(env, "ward", plan=PLAN, year=2025, title="learning_clan").get_json()
    assert _row(by_village, f"{rw.WARD}.KP1", "learning_clan")["population"] is None


def test_the_plan_is_found_from_the_unit(env: dict[str, Any]) -> None:
    body = _get(env, "ward", year=2025, title="learning_family").get_json()
    assert body["plan"]["code"] == PLAN


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"plan": PLAN, "year": 2019}, "year"),
        ({"plan": PLAN, "year": "abc"}, "year"),
        ({"plan": "no-such-plan", "year": 2025}, "plan"),
        ({"plan": PLAN, "year": 2025, "title": "learning_dragon"}, "title"),
        ({"plan": PLAN, "year": 2025, "level": "hamlet"}, "level"),
        ({"plan": PLAN, "year": 2025, "admin_unit": rw.WARD, "level": "province"}, "level"),
        ({"plan": PLAN, "year": 2025, "admin_unit": "00000"}, "admin_unit"),
        ({"plan": "van-hoa-2023", "year": 2025, "admin_unit": rw.WARD}, "admin_unit"),
        ({"plan": PLAN}, "year"),
    ],
)
def test_bad_input_is_422_on_its_field(env: dict[str, Any], query: dict[str, Any], field: str) -> None:
    r = _get(env, "city", **query)
    assert r.status_code == 422, r.get_json()
    assert field in str(r.get_json()["errors"])


def test_bad_input_names_the_reason_in_vietnamese_and_english(env: dict[str, Any]) -> None:
    def errors(language: str, **query: Any) -> dict[str, Any]:
        headers = {**env["city"], "Accept-Language": language}
        return dict(
            env["api"].get("/reports/progress", query_string=query, headers=headers).get_json()["errors"]
        )

    level = {"plan": PLAN, "year": 2025, "admin_unit": rw.WARD, "level": "province"}
    assert errors("vi", **level) == {
        "level": ["Cấp 'province' cao hơn cấp của đơn vị (commune); hãy chọn commune hoặc thấp hơn."]
    }
    assert errors("en", **level) == {
        "level": ["Level 'province' is above the unit's (commune); choose commune or below."]
    }
    plan = {"plan": "no-such-plan", "year": 2025}
    assert errors("vi", **plan) == {"plan": ["Không có kế hoạch mang mã 'no-such-plan'."]}
    assert errors("en", **plan) == {"plan": ["No plan has the code 'no-such-plan'."]}
    unit = {"plan": PLAN, "year": 2025, "admin_unit": "00000"}
    assert errors("vi", **unit) == {"admin_unit": ["Không có đơn vị hành chính mang mã '00000'."]}
    assert errors("en", **unit) == {"admin_unit": ["No administrative unit has the code '00000'."]}
    [year] = errors("en", plan=PLAN, year=2019)["year"]
    assert year.startswith("The year must be from ") and year.endswith(f"(plan {PLAN}'s period).")
    [title] = errors("vi", plan=PLAN, year=2025, title="learning_dragon")["title"]
    assert title.startswith(f"Danh hiệu 'learning_dragon' không có trong kế hoạch {PLAN}; có: ")


def test_role_and_scope(env: dict[str, Any]) -> None:
    assert _get(env, "household", plan=PLAN, year=2025).status_code == 403
    assert _get(env, "hanoi", plan=PLAN, year=2025, admin_unit=rw.WARD).status_code == 404
    assert _get(env, "ward", plan=PLAN, year=2025, admin_unit="79").status_code == 404
    assert _get(env, "ward", plan=PLAN, year=2025, admin_unit=rw.OTHER_WARD).status_code == 404


def test_excel_export_is_an_official_table(env: dict[str, Any]) -> None:
    r = _get(env, "ward", "/reports/progress/export", plan=PLAN, year=2025, title="learning_family")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["D1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and ws["D1"].font.bold
    assert ws["D2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["A2"].value == "PHƯỜNG VŨNG TÀU"
    assert ws["D3"].value.startswith("Vũng Tàu, ngày ")
    assert "NĂM 2025" in ws["A5"].value
    assert [ws.cell(8, col).value for col in (1, 2, 4, 5, 6, 7)] == [
        "STT", "Đơn vị", "Tổng số", "Đã công nhận", "Tỷ lệ đạt", "Chỉ tiêu",
    ]  # fmt: skip
    assert ws["A9"].value.startswith("Gia đình học tập")
    rows = {ws.cell(r, 2).value: r for r in range(10, ws.max_row + 1) if ws.cell(r, 2).value}
    kp2 = rows["Khu phố 2"]
    assert [ws.cell(kp2, col).value for col in (4, 5, 6, 7, 9, 10)] == [6, 3, 0.5, 0.7, 2, "Chưa đạt"]
    assert ws.cell(kp2, 6).number_format == "0.0%" and ws.cell(kp2, 4).border.left.style == "thin"
    total = rows["Cộng"]
    assert [ws.cell(total, col).value for col in (4, 5, 10)] == [10, 7, "Đạt"] and ws.cell(total, 5).font.bold
    assert ws.cell(kp2, 2).font.name == "Times New Roman"


def test_charts_are_valid_png_and_svg_with_vietnamese_text(env: dict[str, Any]) -> None:
    png = _get(env, "ward", "/reports/progress/chart", plan=PLAN, year=2025, title="learning_family")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in png.data[-16:]
    from PIL import Image

    image = Image.open(io.BytesIO(png.data))
    image.verify()
    svg = _get(env, "city", "/reports/progress/chart", plan=PLAN, year=2025, format="svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    assert root.tag.endswith("svg")
    assert b"<text" not in svg.data  # text drawn as glyph paths: diacritics need no installed font
    again = _get(env, "city", "/reports/progress/chart", plan=PLAN, year=2025, format="svg")
    assert again.data == svg.data  # deterministic
    bad = _get(env, "city", "/reports/progress/chart", plan=PLAN, year=2025, format="gif")
    assert bad.status_code == 422


def test_chart_glyphs_come_from_the_shipped_font(tmp_path: Path) -> None:
    from matplotlib import font_manager

    from common.typefaces import FONT_DIR
    from services.evaluation.reports.charts import FAMILY, _register_font

    _register_font()
    found = font_manager.findfont(font_manager.FontProperties(family=FAMILY), fallback_to_default=False)
    assert Path(found).parent == FONT_DIR and Path(found).name == "LiberationSerif-Regular.ttf"
    # The machine's own "Liberation Serif" (Debian's 1.07 lacks Vietnamese letters) is never drawn with.
    bold = font_manager.FontProperties(family=FAMILY, weight="bold")
    assert Path(font_manager.findfont(bold, fallback_to_default=False)).parent == FONT_DIR


def test_a_chart_draws_every_vietnamese_letter(env: dict[str, Any]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for a box
        png = _get(env, "ward", "/reports/progress/chart", plan=PLAN, year=2025, title="learning_family")
    assert png.status_code == 200
