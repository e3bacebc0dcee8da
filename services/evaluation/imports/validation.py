"""Row validation: one row's cells -> normalised values or report entries (imports, pure Python).

Every cell is checked for mojibake on its raw text (a flagged cell is reported, never stored), then
normalised (NFC, single spaces) and parsed. Group rules (households, clans, units spread over several
rows) live in `grouping.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from services.evaluation.domain import text as _text
from services.evaluation.domain.text import FAMILY_LABELS, MojibakeFinding, find_mojibake, normalize_text
from services.evaluation.imports.columns import COLUMNS
from services.evaluation.imports.fields import (
    CITIZEN_GROUP,
    GENDER,
    MAX_ADDRESS,
    RELATION,
    UNIT_KIND,
    VILLAGE_KIND,
    FieldError,
    check_national_id,
    parse_birth_year,
    parse_citizen_code,
    parse_code,
    parse_commune_code,
    parse_name,
)
from services.evaluation.imports.records import (
    CitizenRecord,
    ImportKind,
    UnitMemberRecord,
    VillageRecord,
    is_national_id,
)
from services.evaluation.imports.report import ReportEntry, make_entry

T = TypeVar("T")
_CODE_LIST = re.compile(r"[;,\n]+")
LABELS: dict[str, dict[str, str]] = {
    kind: {c.field: c.label_vi for c in cols} for kind, cols in COLUMNS.items()
}


def mojibake_entry(row: int, field: str, label: str, raw: str) -> ReportEntry | None:
    """A report entry when a raw cell looks like broken Vietnamese, else None."""
    finding = find_mojibake(raw)
    return None if finding is None else _mojibake_entry(row, field, label, finding)


# A cheap proof that `find_mojibake(raw)` is None, for the many distinct names of a register (the full
# check costs ~13 µs a cell, mostly judging each word). It follows find_mojibake step by step and is
# only ever stricter: no PDF ƣ, no UTF-8-as-cp1252 run at all (the full check also requires the run to
# decode to a letter), no lost no-break space, and no token that the legacy check would count as a broken
# word, judged once per distinct word. When the proof fails, the full check decides. Kept in step with
# services/evaluation/domain/text.py by tests/unit/evaluation/test_import_fast_paths.py.
_SUSPECT = re.compile(f"[ƣƢ]|{_text._UTF8_RUN.pattern}|{_text._LOST_NBSP.pattern}")
_LEGACY_CHARS = frozenset(_text._BYTE_OF)


@lru_cache(maxsize=16_384)
def _broken_word(word: str) -> bool:
    """Whether find_mojibake's legacy check counts this token as a broken word (a 'bad' one)."""
    if word.isascii() or not all(c in _LEGACY_CHARS or c.isascii() for c in word):
        return False
    return _text._is_bad(word)


def surely_clean(raw: str) -> bool:
    """True only when find_mojibake(raw) is None; False means: run the full check."""
    if raw.isascii():
        return True
    text = unicodedata.normalize("NFC", raw)
    if _SUSPECT.search(text):
        return False
    return not any(map(_broken_word, _text._TOKEN_SPLIT.split(text)))


def normalized(raw: str) -> str:
    """normalize_text(raw), without the work when raw is already normal, as most cells are.

    Normal means: printable (so no control or invisible character, no whitespace but the space), NFC,
    no leading, trailing or double space; normalize_text returns such a text unchanged.
    """
    if (
        raw.isprintable()
        and "  " not in raw
        and raw[:1] != " "
        and raw[-1:] != " "
        and unicodedata.is_normalized("NFC", raw)
    ):
        return raw
    return normalize_text(raw)


def _mojibake_entry(row: int, field: str, label: str, finding: MojibakeFinding) -> ReportEntry:
    family_vi, _ = FAMILY_LABELS[finding.family]
    detail_vi = f"{family_vi}: '{finding.fragment}'"
    if finding.suggestion:
        detail_vi += f" (có lẽ là '{finding.suggestion}')"
    return make_entry("mojibake", row, field, label=label, detail=detail_vi, detail_en=str(finding))


class CellCache:
    """Memo of the per-cell cleaning of one pass: mojibake check and normalisation, by raw text.

    Registers repeat most cells (the household columns on every member row, labels, years, the head's
    name as a member), so a repeated cell costs a dict lookup. Both are pure functions of the text, so
    the outcome is exactly that of the uncached work. Bounded: the memo is emptied when full.
    """

    LIMIT = 4096

    def __init__(self) -> None:
        self._clean: dict[str, tuple[MojibakeFinding | None, str]] = {}

    def clean(self, raw: str) -> tuple[MojibakeFinding | None, str]:
        """(mojibake finding or None, normalised text) of a raw cell."""
        hit = self._clean.get(raw)
        if hit is None:
            if len(self._clean) >= self.LIMIT:
                self._clean.clear()
            finding = None if surely_clean(raw) else find_mojibake(raw)
            hit = self._clean[raw] = (finding, normalized(raw))
        return hit


class RowContext:
    """One data row being validated: cleaned cells, entries found so far, and the fields that failed."""

    __slots__ = ("row", "commune_code", "reference_year", "labels", "cache", "entries", "bad_fields", "cells")

    def __init__(
        self,
        kind: ImportKind,
        row: int,
        cells: Mapping[str, str],
        *,
        commune_code: str | None,
        reference_year: int,
        cache: CellCache | None = None,
    ) -> None:
        self.row = row
        self.commune_code = commune_code
        self.reference_year = reference_year
        self.labels = LABELS[kind]
        self.cache = cache if cache is not None else CellCache()
        self.entries: list[ReportEntry] = []
        self.bad_fields: set[str] = set()
        self.cells: dict[str, str] = {}
        memo, clean = self.cache._clean, self.cache.clean
        for field, raw in cells.items():
            finding, self.cells[field] = memo.get(raw) or clean(raw)
            if finding is not None:
                self.entries.append(_mojibake_entry(row, field, self.labels[field], finding))
                self.bad_fields.add(field)

    def error(self, code: str, field: str, value: object = "", detail: object = "") -> None:
        """Record a problem with one field of this row."""
        self.bad_fields.add(field)
        label = self.labels.get(field, field)
        self.entries.append(make_entry(code, self.row, field, label=label, value=value, detail=detail))

    def text(self, field: str, *, required: bool = True) -> str | None:
        """The cleaned text of a field; None when blank (reported if required) or already failed."""
        value = self.cells.get(field, "")
        if field in self.bad_fields:
            return None
        if not value and required:
            self.error("missing_value", field)
        return value or None

    def parse(self, field: str, parser: Callable[..., T], *args: Any, required: bool = True) -> T | None:
        """A parsed field value; None when blank or invalid (the problem is recorded)."""
        if field in self.bad_fields:
            return None
        value = self.cells.get(field, "")
        if not value:
            if required:
                self.error("missing_value", field)
            return None
        try:
            return parser(value, *args)
        except FieldError as exc:
            self.error(exc.code, field, exc.value, exc.detail)
            return None

    def commune(self) -> str | None:
        """The row's commune code, defaulting to the commune being imported when the cell is blank."""
        if not self.cells.get("commune_code") and "commune_code" not in self.bad_fields:
            if self.commune_code is None:
                self.error("missing_value", "commune_code")
            return self.commune_code
        return self.parse("commune_code", parse_commune_code, self.commune_code)

    @property
    def ok(self) -> bool:
        """True when no problem was found on this row."""
        return not self.entries


class Member(NamedTuple):
    """One member carried by a row: its key within the group, its key within the file (if any)."""

    row: int
    key: str
    file_key: str | None
    value: CitizenRecord | UnitMemberRecord | str


class GroupRow(NamedTuple):
    """A validated row of a grouped kind: the group's key and head values, and the members it adds."""

    row: int
    key: tuple[str, str] | None  # (commune_code, code); None when the code itself is unusable
    head: dict[str, str | None]  # group-level values as written on this row (None = blank)
    bad_fields: frozenset[str]
    members: tuple[Member, ...]
    entries: tuple[ReportEntry, ...]


def _group_row(
    ctx: RowContext, code_field: str, head: dict[str, str | None], members: list[Member]
) -> GroupRow:
    commune = ctx.commune()
    code = ctx.parse(code_field, parse_code)
    key = (commune or "", code) if code else None
    return GroupRow(ctx.row, key, head, frozenset(ctx.bad_fields), tuple(members), tuple(ctx.entries))


def village_row(ctx: RowContext) -> VillageRecord | None:
    """A village record from one row, or None when the row has problems."""
    commune = ctx.commune()
    code = ctx.parse("village_code", parse_code)
    name = ctx.parse("name", parse_name)
    kind = ctx.parse("kind", VILLAGE_KIND.parse)
    if not ctx.ok or not (commune and code and name and kind):
        return None
    return VillageRecord(commune, code, name, kind)  # type: ignore[arg-type]


def household_row(ctx: RowContext) -> GroupRow:
    """One member row of a household: household columns (repeated or blank) and the member."""
    head = {
        "village_code": ctx.parse("village_code", parse_code, required=False),
        "head_name": ctx.parse("head_name", parse_name, required=False),
        "address": ctx.parse("address", parse_name, MAX_ADDRESS, required=False),
    }
    citizen = _citizen(ctx)
    members = []
    if citizen is not None:
        file_key = citizen.citizen_code if citizen.has_national_id else None
        members.append(Member(ctx.row, citizen.citizen_code, file_key, citizen))
    return _group_row(ctx, "household_code", head, members)


def _citizen(ctx: RowContext) -> CitizenRecord | None:
    code = ctx.parse("citizen_code", parse_citizen_code)
    full_name = ctx.parse("full_name", parse_name)
    birth_year = ctx.parse("birth_year", parse_birth_year, ctx.reference_year)
    gender = ctx.parse("gender", GENDER.parse)
    group = ctx.parse("group", CITIZEN_GROUP.parse)
    relation = ctx.parse("relation", RELATION.parse)
    if code and is_national_id(code):
        try:
            check_national_id(code, birth_year, gender)
        except FieldError as exc:
            ctx.error(exc.code, "citizen_code", exc.value, exc.detail)
    if not (code and full_name and birth_year and gender and group and relation):
        return None
    return CitizenRecord(code, full_name, birth_year, gender, group, relation)  # type: ignore[arg-type]


def clan_row(ctx: RowContext) -> GroupRow:
    """One row of a clan: the clan's columns and one or more household codes (split on ; , or newline)."""
    head = {"name": ctx.parse("name", parse_name, required=False)}
    members = []
    cell = ctx.text("household_code")
    for part in _CODE_LIST.split(cell or ""):
        if part.strip():
            try:
                code = parse_code(part.strip())
            except FieldError as exc:
                ctx.error(exc.code, "household_code", exc.value)
                continue
            members.append(Member(ctx.row, code, None, code))
    return _group_row(ctx, "clan_code", head, members)


def unit_row(ctx: RowContext) -> GroupRow:
    """One row of a unit: the unit's columns and, optionally, one member citizen."""
    head = {
        "name": ctx.parse("name", parse_name, required=False),
        "kind": ctx.parse("kind", UNIT_KIND.parse, required=False),
    }
    household = ctx.parse("household_code", parse_code, required=False)
    full_name = ctx.parse("full_name", parse_name, required=False)
    code = ctx.parse("citizen_code", parse_citizen_code, required=bool(household or full_name))
    members = []
    if code and not is_national_id(code) and not household and "household_code" not in ctx.bad_fields:
        ctx.error("member_household_required", "household_code", code)
    elif code:
        member = UnitMemberRecord(code, household or "", full_name or "")
        key = code if is_national_id(code) else f"{household}/{code}"
        members.append(Member(ctx.row, key, None, member))
    return _group_row(ctx, "unit_code", head, members)
