"""Awards domain: award rounds (pure Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# annual: the yearly round; so_ket: mid-term review of phase 1 (2023-2025); tong_ket: final review (2023-2030)
ROUND_KINDS = ("annual", "so_ket", "tong_ket")
LEVELS = ("commune", "district", "province", "ministry", "national")


@dataclass(frozen=True)
class AwardRound:
    """One award round of one level; (plan_code, kind, year, admin_unit_code) is its natural key."""

    id: str
    plan_code: str
    kind: str
    year: int
    level: str
    admin_unit_code: str
    status: str
    created_by: str
    created_at: datetime
