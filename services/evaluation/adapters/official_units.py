"""The official post-2025 provinces and communes from the `vietnam-provinces` package (adapter layer)."""

from __future__ import annotations

from collections.abc import Iterator

import vietnam_provinces as vp

from services.evaluation.domain.admin_units import AdminUnit, commune, province


def official_units() -> Iterator[AdminUnit]:
    """34 provinces then 3,321 communes (xã, phường, đặc khu), parents first."""
    provinces = {}
    for p in vp.Province.iter_all():
        unit = province(p.code.value, p.name, p.division_type.value)
        provinces[p.code.value] = unit
        yield unit
    for w in vp.Ward.iter_all():
        yield commune(w.code.value, w.name, w.division_type.value, provinces[w.province_code.value])
