"""Grouping of multi-row records (households, clans, units) in bounded memory (imports, pure Python).

Memory strategy: the rows of one household (clan, unit) must be contiguous, so only the open group is
buffered and it is emitted as soon as a row with another code arrives. A code that comes back after
its group was closed is reported ("not_contiguous": sort the sheet by the code column) rather than
buffering the whole file. Besides the open group, the assembler keeps the first row of every code seen
(for that check; ~120 bytes a code) and, for households, of every national ID (file-wide duplicates),
packed in arrays (`RowsByNumber`, 16-32 bytes an ID): about 30 MB for 100,000 households with 400,000
members, where dicts took 70 MB. A group is also capped at `MAX_MEMBERS[kind]` rows.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from services.evaluation.imports.columns import COLUMNS
from services.evaluation.imports.records import (
    CitizenRecord,
    ClanRecord,
    HouseholdRecord,
    ImportKind,
    Record,
    UnitMemberRecord,
    UnitRecord,
)
from services.evaluation.imports.report import ReportEntry, make_entry
from services.evaluation.imports.validation import GroupRow, Member

CODE_FIELD = {"households": "household_code", "clans": "clan_code", "units": "unit_code"}
MEMBER_FIELD = {"households": "citizen_code", "clans": "household_code", "units": "citizen_code"}
REQUIRED_HEAD = {"households": ("village_code", "head_name"), "clans": ("name",), "units": ("name", "kind")}
MAX_MEMBERS = {"households": 100, "clans": 5_000, "units": 20_000}


class RowsByNumber:
    """number -> the first row it was seen on, for hundreds of thousands of numbers in little memory.

    An open-addressing hash table over two arrays (linear probing, at most 2/3 full): 16 bytes a slot,
    16 MB for 400,000 national IDs where a dict of ints takes 45 MB. Numbers must be >= 0.
    """

    _EMPTY = -1

    def __init__(self, capacity: int = 1024) -> None:
        self._bits = max(capacity - 1, 1).bit_length()
        self._keys = array("q", [self._EMPTY]) * (1 << self._bits)
        self._rows = array("q", [0]) * (1 << self._bits)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _slot(self, number: int) -> int:
        """The slot where `number` is stored, or the empty slot where it would go."""
        keys, mask = self._keys, (1 << self._bits) - 1
        # Fibonacci hashing: the top bits of number * 2^64/phi (mod 2^64) spread any pattern of IDs.
        i = ((number * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> (64 - self._bits)
        while True:
            key = keys[i]
            if key == number or key == self._EMPTY:
                return i
            i = (i + 1) & mask

    def get(self, number: int) -> int | None:
        """The row stored for `number`, or None."""
        i = self._slot(number)
        return self._rows[i] if self._keys[i] == number else None

    def setdefault(self, number: int, row: int) -> int | None:
        """The row already stored for `number`, or None after storing `row` for it."""
        if number < 0:
            raise ValueError("RowsByNumber holds non-negative numbers only")
        i = self._slot(number)
        if self._keys[i] == number:
            return self._rows[i]
        self._keys[i] = number
        self._rows[i] = row
        self._size += 1
        if 3 * self._size > 2 * len(self._keys):
            self._grow()
        return None

    def _grow(self) -> None:
        keys, rows = self._keys, self._rows
        self._bits += 1
        self._keys = array("q", [self._EMPTY]) * (1 << self._bits)
        self._rows = array("q", [0]) * (1 << self._bits)
        for key, row in zip(keys, rows, strict=True):
            if key != self._EMPTY:
                i = self._slot(key)
                self._keys[i] = key
                self._rows[i] = row


@dataclass
class _Group:
    key: tuple[str, str]
    first_row: int
    head: dict[str, str | None]
    members: list[Member] = field(default_factory=list)
    member_rows: dict[str, int] = field(default_factory=dict)
    failed: bool = False
    too_large: bool = False


class GroupAssembler:
    """Feed validated rows of one grouped kind in file order; get records and report entries back."""

    def __init__(self, kind: ImportKind) -> None:
        self.kind = kind
        self.code_field = CODE_FIELD[kind]
        self.member_field = MEMBER_FIELD[kind]
        self.labels = {c.field: c.label_vi for c in COLUMNS[kind]}
        self.open: _Group | None = None
        self.seen: dict[str, dict[str, int]] = {}  # commune -> code -> first row of the group
        self.file_members = RowsByNumber()  # file-wide member key (a national ID, 12 digits) -> row

    def _entry(self, code: str, row: int, field_name: str, value: object, detail: object = "") -> ReportEntry:
        label = self.labels.get(field_name, field_name)
        return make_entry(code, row, field_name, label=label, value=value, detail=detail)

    def feed(self, item: GroupRow) -> list[Record | ReportEntry]:
        """Take one row; returns its entries and the previous group's record when this row closes it."""
        out: list[Record | ReportEntry] = list(item.entries)
        if item.key is None:
            return out  # no usable code: the row cannot join any group (its problem is already reported)
        group = self.open
        if group is None or group.key != item.key:
            out.extend(self.finish())
            group = self.open = _Group(item.key, item.row, dict(item.head))
            commune, code = item.key
            seen = self.seen.setdefault(commune, {})
            if code in seen:
                group.failed = True
                out.append(self._entry("not_contiguous", item.row, self.code_field, code, seen[code]))
                return out  # the whole block is refused; its members are not checked against the first block
            seen[code] = item.row
            self._check_first_row(group, item, out)
        else:
            self._check_repeat_row(group, item, out)
        if item.entries:
            group.failed = True
        if item.members:
            self._add_members(group, item, out)
        return out

    def _check_first_row(self, group: _Group, item: GroupRow, out: list[Record | ReportEntry]) -> None:
        for name in REQUIRED_HEAD[self.kind]:
            if item.head.get(name) is None and name not in item.bad_fields:
                group.failed = True
                out.append(self._entry("missing_value", item.row, name, ""))

    def _check_repeat_row(self, group: _Group, item: GroupRow, out: list[Record | ReportEntry]) -> None:
        """Group columns may be blank on later rows (merged cells); if written they must agree."""
        head = group.head
        for name, value in item.head.items():
            first = head.get(name)
            if first is None:
                head[name] = value  # blank on the first row (reported if required): inherit
            elif value is not None and value != first and value.casefold() != first.casefold():
                group.failed = True
                out.append(self._entry("inconsistent_group", item.row, name, value, first))

    def _add_members(self, group: _Group, item: GroupRow, out: list[Record | ReportEntry]) -> None:
        limit = MAX_MEMBERS[self.kind]
        for member in item.members:
            if len(group.members) >= limit:
                group.failed = True
                if not group.too_large:
                    group.too_large = True
                    out.append(self._entry("group_too_large", item.row, self.code_field, group.key[1], limit))
                return
            earlier = group.member_rows.get(member.key)
            if earlier is None and member.file_key is not None:  # stored here only if not a duplicate
                earlier = self.file_members.setdefault(int(member.file_key), member.row)
            if earlier is not None:
                group.failed = True
                out.append(self._entry("duplicate_key", member.row, self.member_field, member.key, earlier))
                continue
            group.member_rows[member.key] = member.row
            group.members.append(member)

    def finish(self) -> Iterator[Record | ReportEntry]:
        """Close the open group: its group-level entries, then its record if it has no problem."""
        group, self.open = self.open, None
        if group is None:
            return
        entries = list(self._household_entries(group)) if self.kind == "households" else []
        yield from entries
        if not group.failed and not entries:
            yield _build(self.kind, group)

    def _household_entries(self, group: _Group) -> Iterator[ReportEntry]:
        """Exactly one member is the head, and the household's head name is that member's name."""
        heads = [
            m for m in group.members if isinstance(m.value, CitizenRecord) and m.value.relation == "head"
        ]
        code = group.key[1]
        if not heads and not group.failed:
            yield self._entry("no_head", group.first_row, "relation", code)
        if len(heads) > 1:
            rows = ", ".join(str(m.row) for m in heads)
            yield self._entry("several_heads", heads[1].row, "relation", code, rows)
        head_name = group.head.get("head_name")
        if len(heads) == 1 and head_name is not None:
            citizen = heads[0].value
            assert isinstance(citizen, CitizenRecord)
            if citizen.full_name.casefold() != head_name.casefold():
                yield self._entry(
                    "head_name_mismatch", group.first_row, "head_name", head_name, citizen.full_name
                )


def _build(kind: ImportKind, group: _Group) -> Record:
    commune, code = group.key
    head = group.head
    values = [m.value for m in group.members]
    if kind == "households":
        citizens = tuple(v for v in values if isinstance(v, CitizenRecord))
        village, head_name = head["village_code"] or "", head["head_name"] or ""
        return HouseholdRecord(commune, village, code, head_name, head.get("address") or "", citizens)
    if kind == "clans":
        return ClanRecord(commune, code, head["name"] or "", tuple(v for v in values if isinstance(v, str)))
    members = tuple(v for v in values if isinstance(v, UnitMemberRecord))
    return UnitRecord(commune, code, head["name"] or "", head["kind"] or "agency", members)  # type: ignore[arg-type]
