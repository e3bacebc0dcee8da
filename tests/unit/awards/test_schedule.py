"""Rounds from the plan: which plan round, its dates and its quotas."""

from __future__ import annotations

from datetime import date

import pytest

from common.errors import ValidationFailed
from services.awards.domain.schedule import ceremony_date, find_plan_round, round_spec
from services.evaluation.documents.plans import dump_plan, load_shipped_plans

PLANS = {p.code: dump_plan(p) for p in load_shipped_plans()}
DEFAULTS = {"commune_chairman": 10, "province": 20, "prime_minister": 3}


def test_van_hoa_holds_its_so_ket_in_quarter_ii_2026_and_its_tong_ket_in_2030() -> None:
    so_ket = find_plan_round(PLANS["van-hoa-2023"], kind="so_ket", level="commune", year=2026)
    spec = round_spec(so_ket, year=2026, default_quotas=DEFAULTS)
    assert (spec.ceremony_on, spec.nomination_deadline, spec.council_deadline) == (
        date(2026, 6, 30),
        date(2026, 5, 16),
        date(2026, 6, 15),
    )
    assert [f.key for f in spec.forms] == ["giay_khen:commune_chairman"] and spec.forms[0].quota == 10
    tong_ket = find_plan_round(PLANS["van-hoa-2023"], kind="tong_ket", level="commune", year=2030)
    assert ceremony_date(tong_ket, 2030) == date(2030, 12, 31)
    with pytest.raises(ValidationFailed) as exc:
        find_plan_round(PLANS["van-hoa-2023"], kind="so_ket", level="commune", year=2025)
    assert exc.value.errors == {"year": ["Kế hoạch tổ chức đợt này vào năm 2026."]}
    assert exc.value.errors_en == {"year": ["The plan holds it in 2026."]}


def test_ho_chi_minh_city_awards_in_october_and_forwards_the_prime_ministers_form() -> None:
    annual = find_plan_round(PLANS["ho-chi-minh-city-2023"], kind="annual", level="province", year=2027)
    assert round_spec(annual, year=2027, default_quotas=DEFAULTS).ceremony_on == date(2027, 10, 31)
    so_ket = find_plan_round(PLANS["ho-chi-minh-city-2023"], kind="so_ket", level="province", year=2025)
    spec = round_spec(so_ket, year=2025, default_quotas=DEFAULTS, quotas={"bang_khen:prime_minister": 1})
    assert {f.key: f.quota for f in spec.forms} == {"bang_khen:prime_minister": 1, "bang_khen:province": 20}
    with pytest.raises(ValidationFailed) as exc:
        find_plan_round(PLANS["ho-chi-minh-city-2023"], kind="so_ket", level="commune", year=2025)
    assert (
        exc.value.errors["kind"][0].startswith("Kế hoạch có: ")
        and "so_ket@agency" in exc.value.errors["kind"][0]
    )
    assert exc.value.errors_en["kind"][0].startswith("The plan offers: ")


def test_given_quotas_must_name_the_rounds_forms_and_deadlines_must_be_in_order() -> None:
    so_ket = find_plan_round(PLANS["van-hoa-2023"], kind="so_ket", level="commune", year=2026)
    with pytest.raises(ValidationFailed) as exc:
        round_spec(so_ket, year=2026, default_quotas=DEFAULTS, quotas={"bang_khen:province": 1})
    [vi], [en] = exc.value.errors["quotas"], exc.value.errors_en["quotas"]
    assert vi.startswith("Không có hình thức bang_khen:province; các hình thức của đợt: ")
    assert en.startswith("Unknown form bang_khen:province; the round's forms: ")
    with pytest.raises(ValidationFailed) as exc:
        round_spec(
            so_ket,
            year=2026,
            default_quotas=DEFAULTS,
            nomination_deadline=date(2026, 6, 1),
            council_deadline=date(2026, 5, 1),
        )
    assert exc.value.errors == {"council_deadline": ["Hạn 2026-05-01 trước hạn nhận hồ sơ 2026-06-01."]}
    assert exc.value.errors_en == {
        "council_deadline": ["2026-05-01 is before the nomination deadline 2026-06-01."]
    }
