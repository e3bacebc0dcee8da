"""Grouping of multi-row records (households, clans, units) in bounded memory (imports, pure Python).

Memory strategy: the rows of one household (clan, unit) must be contiguous, so only the open group is
buffered and it is emitted as soon as a row with another code arrives. A code that comes back after
its group was closed is reported ("not_contiguous": sort the sheet by the code column) rather than
buffering the whole file. Besides the open group, the assembler keeps the first row of every code seen
(for that check) and, for households, of every national ID (file-wide duplicates), packed as numbers
in arrays (`RowsByNumber`, 16-32 bytes each; codes longer than 11 characters go to a dict): about
25 MB for 100,000 households with 400,000 members, where dicts took 70 MB. A group is also capped at
`MAX_MEMBERS[kind]` rows.
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


_MASK64 = (1 << 64) - 1
_PHI64 = 0x9E3779B97F4A7C15  # 2^64 / golden ratio: Fibonacci hashing spreads any pattern of numbers


class _Shard:
    """An open-addressing hash table over two arrays (linear probing, at most 2/3 full)."""

    __slots__ = ("bits", "keys", "rows", "size")

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.keys = array("q", [-1]) * (1 << bits)
        self.rows = array("q", [0]) * (1 << bits)
        self.size = 0

    def slot(self, number: int, spread: int) -> int:
        keys, mask = self.keys, (1 << self.bits) - 1
        i = spread & mask
        while True:
            key = keys[i]
            if key == number or key == -1:
                return i
            i = (i + 1) & mask

    def grow(self) -> None:
        keys, rows = self.keys, self.rows
        self.bits += 1
        self.keys = array("q", [-1]) * (1 << self.bits)
        self.rows = array("q", [0]) * (1 << self.bits)
        for key, row in zip(keys, rows, strict=True):
            if key != -1:
                i = self.slot(key, _spread(key))
                self.keys[i], self.rows[i] = key, row


def _spread(number: int) -> int:
    return (number * _PHI64) & _MASK64


class RowsByNumber:
    """number -> the first row it was seen on, for hundreds of thousands of numbers in little memory.

    64 open-addressing tables over arrays, each growing on its own (so a growth copies 1/64 of the
    whole): 16 bytes a slot, ~16 MB for 400,000 national IDs where a dict of ints takes 45 MB.
    Numbers must be in [0, 2^63).
    """

    _SHARD_BITS = 6

    def __init__(self) -> None:
        self._shards = [_Shard(4) for _ in range(1 << self._SHARD_BITS)]

    def __len__(self) -> int:
        return sum(shard.size for shard in self._shards)

    def get(self, number: int) -> int | None:
        """The row stored for `number`, or None."""
        spread = _spread(number)
        shard = self._shards[spread >> (64 - self._SHARD_BITS)]
        i = shard.slot(number, spread)
        return shard.rows[i] if shard.keys[i] == number else None

    def setdefault(self, number: int, row: int) -> int | None:
        """The row already stored for `number`, or None after storing `row` for it."""
        if not 0 <= number <= 0x7FFFFFFFFFFFFFFF:
            raise ValueError("RowsByNumber holds numbers in [0, 2^63) only")
        spread = (number * _PHI64) & _MASK64
        shard = self._shards[spread >> (64 - self._SHARD_BITS)]
        i = shard.slot(number, spread)
        if shard.keys[i] == number:
            return shard.rows[i]
        shard.keys[i], shard.rows[i] = number, row
        shard.size += 1
        if 3 * shard.size > 2 * len(shard.keys):
            shard.grow()
        return None


_CODE_DIGITS = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-", 1)}


def code_number(code: str) -> int | None:
    """A parsed code (A-Z 0-9 . _ / -) of at most 11 characters as a distinct number below 2^63."""
    if len(code) > 11:
        return None
    number = 0
    for c in code:
        digit = _CODE_DIGITS.get(c)
        if digit is None:
            return None
        number = number * 42 + digit  # digits 1..41: no two codes share a number (42^11 < 2^63)
    return number


class RowsByCode:
    """code -> the first row it was seen on: short codes packed as numbers, the others in a dict."""

    def __init__(self) -> None:
        self._packed = RowsByNumber()
        self._other: dict[str, int] = {}

    def setdefault(self, code: str, row: int) -> int | None:
        """The row already stored for `code`, or None after storing `row` for it."""
        number = code_number(code)
        if number is not None:
            return self._packed.setdefault(number, row)
        earlier = self._other.get(code)
        if earlier is None:
            self._other[code] = row
        return earlier


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
        self.seen: dict[str, RowsByCode] = {}  # commune -> code -> first row of the group
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
            seen = self.seen.get(commune)
            if seen is None:
                seen = self.seen[commune] = RowsByCode()
            first = seen.setdefault(code, item.row)
            if first is not None:
                group.failed = True
                out.append(self._entry("not_contiguous", item.row, self.code_field, code, first))
                return out  # the whole block is refused; its members are not checked against the first block
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
