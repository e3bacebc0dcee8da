"""Streaming CSV (UTF-8) and XLSX row readers; never hold a whole file in memory (imports, file input)."""

from __future__ import annotations

import codecs
import csv
import itertools
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import BinaryIO, Literal, TypeAlias

from services.evaluation.imports.columns import Column, HeaderMatch, match_header
from services.evaluation.imports.report import ImportFileError, make_entry

FileFormat: TypeAlias = Literal["csv", "xlsx"]
Source: TypeAlias = str | os.PathLike[str] | BinaryIO

HEADER_SCAN_ROWS = 10  # title rows above the header are common in registers exported from Excel
MAX_LINE_BYTES = 1 << 20  # one CSV line; longer means a broken file, not a register


def format_for_name(file_name: str) -> FileFormat:
    """The file format implied by a file name's extension (.csv or .xlsx)."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise ValueError(f"unsupported import file type: {suffix or file_name!r} (use .csv or .xlsx)")


def _decoded_lines(binary: BinaryIO) -> Iterator[str]:
    """Decode a byte stream line by line as UTF-8 (BOM optional), so an error names its line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    number = 0
    for number, raw in enumerate(iter(lambda: binary.readline(MAX_LINE_BYTES), b""), 1):
        if number == 1 and raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise ImportFileError(make_entry("utf16", 1))
        if len(raw) >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise ImportFileError(make_entry("file_unreadable", number, detail="line too long"))
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise ImportFileError(make_entry("invalid_encoding", number)) from exc
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ImportFileError(make_entry("invalid_encoding", number)) from exc


def iter_csv_cells(source: Source) -> Iterator[tuple[int, list[str]]]:
    """Yield (row_number, cells) of a UTF-8 CSV; the delimiter (, ; or tab) is taken from the first line.

    Raises ImportFileError when the bytes are not UTF-8 (with or without BOM): the reader never guesses.
    """
    own = not hasattr(source, "read")
    binary: BinaryIO = open(source, "rb") if own else source  # type: ignore[arg-type]
    reader = None
    try:
        lines = _decoded_lines(binary)
        first = next(lines, "")
        delimiter = max(",;\t", key=first.count)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
        yield from enumerate(reader, 1)
    except csv.Error as exc:
        line = reader.line_num if reader else 1
        raise ImportFileError(make_entry("file_unreadable", line, detail=str(exc))) from exc
    finally:
        if own:
            binary.close()


def _cell_text(value: object) -> str:
    """The text of an Excel cell value: integral floats lose their '.0', dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def iter_xlsx_cells(source: Source, sheet_name: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (row_number, cells) of one worksheet (the first unless named) in openpyxl read-only mode."""
    from openpyxl import load_workbook  # imported here: only XLSX imports pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            make_entry("file_unreadable", None, detail=f"not an .xlsx workbook ({exc})")
        ) from exc
    try:
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            raise ImportFileError(make_entry("sheet_missing", None, value=sheet_name))
        sheet = workbook[sheet_name] if sheet_name is not None else workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong sheet size; read what is really there
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _find_header(
    rows: Iterator[tuple[int, list[str]]], columns: Sequence[Column], required: set[str]
) -> tuple[HeaderMatch, list[str]]:
    """Find the header among the first rows: the first with every required column, else the best."""
    best: tuple[HeaderMatch, list[str]] | None = None
    seen = 0
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        match = match_header(number, cells, columns)
        if required <= match.positions.keys():
            return match, cells
        if best is None or len(match.positions) > len(best[0].positions):
            best = (match, cells)
        seen += 1
        if seen >= HEADER_SCAN_ROWS:
            break
    if best is None:
        raise ImportFileError(make_entry("no_data", None))
    return best


class RowReader:
    """Stream (row_number, {field: cell text}) from a CSV or XLSX file, headers matched by alias.

    Header names match case-, accent- and punctuation-insensitively ('MÃ HỘ', 'Ma ho', 'household_code').
    File-level problems (not UTF-8, not a workbook, required column missing) raise ImportFileError.
    After iteration starts, `header` tells which columns were used and which were ignored.
    """

    def __init__(
        self,
        source: Source,
        file_format: FileFormat,
        columns: Sequence[Column],
        *,
        required: Iterable[str],
        sheet_name: str | None = None,
    ) -> None:
        self.source = source
        self.file_format = file_format
        self.columns = columns
        self.required = set(required)
        self.sheet_name = sheet_name
        self.header: HeaderMatch | None = None

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        if self.file_format == "csv":
            return iter_csv_cells(self.source)
        if self.file_format == "xlsx":
            return iter_xlsx_cells(self.source, self.sheet_name)
        raise ValueError(f"unsupported file format: {self.file_format!r}")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        rows = self._cells()
        try:
            header, _ = _find_header(rows, self.columns, self.required)
            self._check_header(header)
            self.header = header
            positions = list(header.positions.items())
            width = max(header.positions.values(), default=-1) + 1
            for number, cells in rows:
                if "".join(cells).strip():  # a row with at least one non-blank cell
                    if len(cells) >= width:
                        yield number, {f: cells[i] for f, i in positions}
                    else:  # a short row: the missing trailing cells are blank
                        yield number, {f: (cells[i] if i < len(cells) else "") for f, i in positions}
        finally:
            close = getattr(rows, "close", None)
            if close:
                close()

    def _check_header(self, header: HeaderMatch) -> None:
        labels = {c.field: c.label_vi for c in self.columns}
        entries = [
            make_entry("header_duplicate", header.row, field, label=labels[field], value=text)
            for field, text in header.duplicates
        ]
        entries += [
            make_entry("header_missing", header.row, c.field, label=c.label_vi)
            for c in self.columns
            if c.field in self.required and c.field not in header.positions
        ]
        if entries:
            raise ImportFileError(*entries)
