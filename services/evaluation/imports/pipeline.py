"""Bulk import entry points for the service and the CLI: validate a file, then stream it (imports).

The intended use is two passes over a file the caller keeps (a path or a temporary file):

    report = validate_import("households", path, "csv", options)       # pass 1: cheap, writes nothing
    if report.ok:
        for record in iter_records("households", path, "csv", options, expected_digest=report.digest):
            repository.upsert(record)                                    # pass 2: inside one transaction
        uow.commit()                                                     # only after the loop completed

Pass 1 keeps only counts, the first entries and a digest; pass 2 raises on any entry and, after the
last record, if the data differs from pass 1, so a caller that commits after the loop never writes a
file that changed in between. A stream must be rewound (seek(0)) by the caller between passes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.evaluation.domain.errors import Conflict, ValidationFailed
from services.evaluation.imports.columns import COLUMNS
from services.evaluation.imports.grouping import GroupAssembler
from services.evaluation.imports.readers import FileFormat, RowReader, Source
from services.evaluation.imports.records import (
    IMPORT_KINDS,
    ClanRecord,
    HouseholdRecord,
    ImportKind,
    Record,
    UnitRecord,
    VillageRecord,
)
from services.evaluation.imports.report import (
    ImportFileError,
    ReportEntry,
    ValidationReport,
    make_entry,
)
from services.evaluation.imports.validation import (
    CellCache,
    RowContext,
    clan_row,
    household_row,
    unit_row,
    village_row,
)

ROW_FUNCTIONS = {"households": household_row, "clans": clan_row, "units": unit_row}


@dataclass(frozen=True)
class ImportOptions:
    """How to read an import file.

    commune_code: the commune the importing user acts for; blank commune cells take it, other communes
    are refused. reference_year: birth years may not be later (default: the current year, read when
    the import starts). max_rows bounds a file; max_entries bounds the entries a report keeps.
    """

    commune_code: str | None = None
    reference_year: int | None = None
    sheet_name: str | None = None
    max_rows: int = 200_000
    max_entries: int = 1_000


class ImportRejected(ValidationFailed):
    """The file has problems; nothing may be written. `errors` holds the first entry."""

    def __init__(self, entry: ReportEntry) -> None:
        super().__init__(entry.message_vi, entry.message_en, errors={"row": entry.row, "field": entry.field})
        self.entry = entry


class ImportSourceChanged(Conflict):
    """The file read in the writing pass differs from the one validated."""

    def __init__(self) -> None:
        super().__init__(
            "Tệp đã thay đổi sau khi kiểm tra; hãy kiểm tra lại.",
            "The file changed after it was validated; validate it again.",
        )


class _Parse:
    """One pass over a file; `reader.header` tells the columns used once iteration has started."""

    def __init__(self, kind: ImportKind, source: Source, file_format: FileFormat, options: ImportOptions):
        if kind not in IMPORT_KINDS:
            raise ValueError(f"unknown import kind: {kind!r}")
        self.kind = kind
        self.options = options
        required = {c.field for c in COLUMNS[kind] if c.required}
        if options.commune_code is None:
            required.add("commune_code")
        self.reader = RowReader(
            source, file_format, COLUMNS[kind], required=required, sheet_name=options.sheet_name
        )
        self.rows = 0

    def __iter__(self) -> Iterator[Record | ReportEntry]:
        year = self.options.reference_year or date.today().year
        assembler = GroupAssembler(self.kind) if self.kind != "villages" else None
        villages: dict[tuple[str, str], int] = {}
        cache = CellCache()
        commune_code, max_rows, kind = self.options.commune_code, self.options.max_rows, self.kind
        row_function = ROW_FUNCTIONS.get(kind)
        try:
            for number, cells in self.reader:
                self.rows += 1
                if self.rows > max_rows:
                    yield make_entry("too_many_rows", number, value=max_rows)
                    return
                ctx = RowContext(
                    kind, number, cells, commune_code=commune_code, reference_year=year, cache=cache
                )
                if assembler is None:
                    yield from _village(ctx, villages)
                else:
                    assert row_function is not None
                    yield from assembler.feed(row_function(ctx))
            if assembler is not None:
                yield from assembler.finish()
            if self.rows == 0:
                yield make_entry("no_data", None)
        except ImportFileError as exc:
            yield from exc.entries


def _village(ctx: RowContext, seen: dict[tuple[str, str], int]) -> Iterator[Record | ReportEntry]:
    record = village_row(ctx)
    yield from ctx.entries
    if record is None:
        return
    earlier = seen.setdefault(record.natural_key, ctx.row)
    if earlier != ctx.row:
        label = ctx.labels["village_code"]
        yield make_entry(
            "duplicate_key", ctx.row, "village_code", label=label, value=record.village_code, detail=earlier
        )
    else:
        yield record


def parse_import(
    kind: ImportKind, source: Source, file_format: FileFormat, options: ImportOptions | None = None
) -> Iterator[Record | ReportEntry]:
    """Stream a file as normalised records and report entries, in file order."""
    return iter(_Parse(kind, source, file_format, options or ImportOptions()))


def record_counts(record: Record) -> dict[str, int]:
    """How many items of each type a record holds, e.g. {'households': 1, 'citizens': 4}."""
    if isinstance(record, VillageRecord):
        return {"villages": 1}
    if isinstance(record, HouseholdRecord):
        return {"households": 1, "citizens": len(record.members)}
    if isinstance(record, ClanRecord):
        return {"clans": 1, "clan_households": len(record.household_codes)}
    assert isinstance(record, UnitRecord)
    return {"units": 1, "unit_members": len(record.members)}


def _plain(record: Any) -> list[Any]:
    """A record as [type name, field values in order], nested records likewise (no deep copies)."""
    values: list[Any] = [type(record).__name__]
    for value in vars(record).values():
        if isinstance(value, tuple):
            values.append([v if isinstance(v, str) else _plain(v) for v in value])
        else:
            values.append(value)
    return values


class RecordDigest:
    """SHA-256 over normalised records in file order: equal digests mean the same data was read."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, record: Record) -> None:
        """Add one record."""
        self._hash.update(json.dumps(_plain(record), ensure_ascii=False).encode() + b"\n")

    def hexdigest(self) -> str:
        """The digest so far."""
        return self._hash.hexdigest()


class ReportingParse:
    """One pass that yields the records and keeps the report of the whole file (single-pass import).

    Iterating yields the records only; entries are counted and the first `max_entries` kept. After
    the loop, `report()` is the same ValidationReport as `validate_import` gives (with a digest only
    when `digest=True`). A caller that writes each record as it comes, inside one transaction, and
    commits only when `report().ok`, imports a file in one pass with the same all-or-nothing outcome.
    """

    def __init__(
        self,
        kind: ImportKind,
        source: Source,
        file_format: FileFormat,
        options: ImportOptions | None = None,
        *,
        digest: bool = False,
    ) -> None:
        self.options = options or ImportOptions()
        self.kind = kind
        self._parse = _Parse(kind, source, file_format, self.options)
        self.counts: Counter[str] = Counter()
        self.entries: list[ReportEntry] = []
        self.entry_count = 0
        self._digest = RecordDigest() if digest else None

    def __iter__(self) -> Iterator[Record]:
        counts, entries, max_entries, digest = (
            self.counts,
            self.entries,
            self.options.max_entries,
            self._digest,
        )
        for item in self._parse:
            if isinstance(item, ReportEntry):
                self.entry_count += 1
                if len(entries) < max_entries:
                    entries.append(item)
                continue
            if type(item) is HouseholdRecord:  # the bulk case, without a dict per record
                counts["households"] += 1
                counts["citizens"] += len(item.members)
            else:
                for name, count in record_counts(item).items():
                    counts[name] += count
            if digest is not None:
                digest.add(item)
            yield item

    def report(self) -> ValidationReport:
        """The report of what was read so far (the whole file once iteration has finished)."""
        entries = sorted(self.entries, key=lambda e: e.row or 0)
        header = self._parse.reader.header
        ignored = header.ignored if header else ()
        digest = self._digest.hexdigest() if self._digest is not None else ""
        return ValidationReport(
            self.kind, self._parse.rows, dict(self.counts), tuple(entries), self.entry_count, ignored, digest
        )


def validate_import(
    kind: ImportKind, source: Source, file_format: FileFormat, options: ImportOptions | None = None
) -> ValidationReport:
    """Pass 1: read the whole file, keep counts, the first entries (by row) and a digest of the records."""
    parse = ReportingParse(kind, source, file_format, options, digest=True)
    for _ in parse:
        pass
    return parse.report()


def iter_records(
    kind: ImportKind,
    source: Source,
    file_format: FileFormat,
    options: ImportOptions | None = None,
    *,
    expected_digest: str | None = None,
) -> Iterator[Record]:
    """Pass 2: the records only; raises ImportRejected on any entry, ImportSourceChanged at the end."""
    digest = RecordDigest()
    for item in parse_import(kind, source, file_format, options):
        if isinstance(item, ReportEntry):
            raise ImportRejected(item)
        digest.add(item)
        yield item
    if expected_digest is not None and digest.hexdigest() != expected_digest:
        raise ImportSourceChanged()
