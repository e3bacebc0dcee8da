"""Bulk import of villages, households, clans and units from CSV/XLSX (evaluation service, imports).

Public API: `validate_import` (pass 1), `iter_records` (pass 2), `parse_import` (both streams),
the record dataclasses and `ReportEntry` / `ValidationReport`.
"""

from services.evaluation.imports.pipeline import (
    ImportOptions,
    ImportRejected,
    ImportSourceChanged,
    iter_records,
    parse_import,
    validate_import,
)
from services.evaluation.imports.readers import FileFormat, format_for_name
from services.evaluation.imports.records import (
    CitizenRecord,
    ClanRecord,
    HouseholdRecord,
    ImportKind,
    Record,
    UnitMemberRecord,
    UnitRecord,
    VillageRecord,
)
from services.evaluation.imports.report import ReportEntry, ValidationReport

__all__ = [
    "CitizenRecord",
    "ClanRecord",
    "FileFormat",
    "HouseholdRecord",
    "ImportKind",
    "ImportOptions",
    "ImportRejected",
    "ImportSourceChanged",
    "Record",
    "ReportEntry",
    "UnitMemberRecord",
    "UnitRecord",
    "ValidationReport",
    "VillageRecord",
    "format_for_name",
    "iter_records",
    "parse_import",
    "validate_import",
]
