"""Unit tests: streaming CSV/XLSX row readers and header matching of bulk imports (evaluation)."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.evaluation.imports.columns import COLUMNS, header_key
from services.evaluation.imports.readers import (
    RowReader,
    format_for_name,
    iter_csv_cells,
    iter_xlsx_cells,
)
from services.evaluation.imports.report import ImportFileError

SAMPLES = Path(__file__).resolve().parents[3] / "infra" / "samples"
VILLAGE_COLUMNS = COLUMNS["villages"]
VILLAGE_REQUIRED = {"commune_code", "village_code", "name", "kind"}


def _villages(
    data: bytes | io.BytesIO, file_format: str = "csv", **kwargs
) -> list[tuple[int, dict[str, str]]]:
    source = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    return list(RowReader(source, file_format, VILLAGE_COLUMNS, required=VILLAGE_REQUIRED, **kwargs))


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_csv_rows_are_keyed_by_field_with_spreadsheet_row_numbers():
    data = "Mã xã,Mã thôn,Tên thôn,Loại\n15664,TH01,Thôn Minh Thành,Thôn\n15664,TH02,Thôn Đồng Tiến,Thôn\n"
    rows = _villages(data.encode())
    assert rows == [
        (2, {"commune_code": "15664", "village_code": "TH01", "name": "Thôn Minh Thành", "kind": "Thôn"}),
        (3, {"commune_code": "15664", "village_code": "TH02", "name": "Thôn Đồng Tiến", "kind": "Thôn"}),
    ]


def test_utf8_with_and_without_bom_read_the_same():
    data = "Mã xã,Mã thôn,Tên thôn,Loại\n15664,TH01,Thôn Minh Thành,Thôn\n".encode()
    assert _villages(data) == _villages(b"\xef\xbb\xbf" + data)


@pytest.mark.parametrize(
    "header",
    ["MÃ XÃ;MÃ THÔN;TÊN THÔN;LOẠI", "ma_xa;ma-thon;Ten thon;loai", "commune_code;village_code;name;kind"],
)
def test_headers_match_case_accent_and_punctuation_insensitively_and_semicolons_work(header):
    rows = _villages(f"{header}\n15664;TH01;Thôn Minh Thành;Thôn\n".encode())
    assert rows[0][1]["village_code"] == "TH01"


def test_title_rows_blank_rows_and_unknown_columns_are_skipped():
    lines = [
        "DANH SÁCH THÔN,,,,",
        ",,,,",
        "STT,Mã xã,Mã thôn,Tên thôn,Loại",
        "1,15664,TH01,Thôn A,Thôn",
        ",,,,",
    ]
    data = "\n".join([*lines, "2,15664,TH02,Thôn B,Thôn", ""])
    reader = RowReader(io.BytesIO(data.encode()), "csv", VILLAGE_COLUMNS, required=VILLAGE_REQUIRED)
    rows = list(reader)
    assert [n for n, _ in rows] == [4, 6]
    assert reader.header is not None and reader.header.row == 3 and reader.header.ignored == ("STT",)


def test_short_rows_are_padded_with_empty_cells():
    rows = _villages("Mã xã,Mã thôn,Tên thôn,Loại\n15664,TH01\n".encode())
    assert rows[0][1] == {"commune_code": "15664", "village_code": "TH01", "name": "", "kind": ""}


def test_missing_required_columns_are_all_reported_on_the_header_row():
    with pytest.raises(ImportFileError) as caught:
        _villages("Mã xã,Tên thôn\n15664,Thôn A\n".encode())
    assert [(e.row, e.field, e.code) for e in caught.value.entries] == [
        (1, "village_code", "header_missing"),
        (1, "kind", "header_missing"),
    ]


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(ImportFileError) as caught:
        _villages("Mã xã,Mã thôn,Mã TDP,Tên thôn,Loại\n".encode())
    assert [(e.field, e.code) for e in caught.value.entries] == [("village_code", "header_duplicate")]


def test_invalid_utf8_is_rejected_with_its_line_rather_than_guessed():
    tcvn3 = (
        "Mã xã,Mã thôn,Tên thôn,Loại\n15664,TH01,Thôn A,Thôn\n".encode() + b"15664,TH02,Th\xabn B,Th\xabn\n"
    )
    with pytest.raises(ImportFileError) as caught:
        _villages(tcvn3)
    (entry,) = caught.value.entries
    assert (entry.row, entry.code) == (3, "invalid_encoding")
    assert "UTF-8" in entry.message_vi and "UTF-8" in entry.message_en


def test_utf16_unicode_text_export_gets_its_own_message():
    with pytest.raises(ImportFileError) as caught:
        list(iter_csv_cells(io.BytesIO("Mã xã\tMã thôn\n".encode("utf-16"))))
    assert caught.value.entries[0].code == "utf16"


def test_csv_is_streamed_not_loaded(tmp_path):
    class CountingStream(io.BytesIO):
        consumed = 0

        def readline(self, size: int | None = -1) -> bytes:
            line = super().readline(size)
            CountingStream.consumed += len(line)
            return line

    body = "".join(f"15664,TH{i:05d},Thôn số {i},Thôn\n" for i in range(200_000))
    stream = CountingStream(("Mã xã,Mã thôn,Tên thôn,Loại\n" + body).encode())
    reader = iter(RowReader(stream, "csv", VILLAGE_COLUMNS, required=VILLAGE_REQUIRED))
    first = [next(reader) for _ in range(3)]
    assert first[0][1]["village_code"] == "TH00000"
    assert CountingStream.consumed < 10_000 < len(stream.getvalue())


def test_a_callers_stream_is_left_open():
    stream = io.BytesIO("Mã xã,Mã thôn,Tên thôn,Loại\n15664,TH01,Thôn A,Thôn\n".encode())
    _villages(stream)
    assert not stream.closed


def test_xlsx_cells_become_text_like_csv_cells():
    sheet = _xlsx(
        [
            ["Mã xã", "Mã thôn", "Tên thôn", "Loại", "Năm", "Ngày", "Có"],
            [4, "TH01", "Thôn A", "Thôn", 1985.0, datetime(1985, 5, 12), True],
            [15664, 7, "Thôn B", None, 1985.5, date(2001, 1, 2), False],
        ]
    )
    cells = list(iter_xlsx_cells(sheet))
    assert cells[1] == (2, ["4", "TH01", "Thôn A", "Thôn", "1985", "1985-05-12", "TRUE"])
    assert cells[2] == (3, ["15664", "7", "Thôn B", "", "1985.5", "2001-01-02", "FALSE"])


def test_xlsx_rows_keep_sheet_row_numbers_after_a_title():
    sheet = _xlsx(
        [["DANH SÁCH"], [], ["MÃ XÃ", "MÃ THÔN", "TÊN THÔN", "LOẠI"], ["15664", "TH01", "Thôn A", "Thôn"]]
    )
    assert _villages(sheet, "xlsx") == [
        (4, {"commune_code": "15664", "village_code": "TH01", "name": "Thôn A", "kind": "Thôn"})
    ]


def test_xlsx_named_sheet_and_missing_sheet():
    wb = Workbook()
    wb.active.title = "Ghi chú"
    wb.create_sheet("Thôn").append(["Mã xã", "Mã thôn", "Tên thôn", "Loại"])
    wb["Thôn"].append(["15664", "TH01", "Thôn A", "Thôn"])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert len(_villages(io.BytesIO(buffer.getvalue()), "xlsx", sheet_name="Thôn")) == 1
    with pytest.raises(ImportFileError) as caught:
        _villages(io.BytesIO(buffer.getvalue()), "xlsx", sheet_name="Hộ")
    assert caught.value.entries[0].code == "sheet_missing"


def test_a_file_that_is_not_a_workbook_is_reported():
    with pytest.raises(ImportFileError) as caught:
        _villages(b"Ma xa,Ma thon\n", "xlsx")
    assert caught.value.entries[0].code == "file_unreadable"


def test_sample_register_with_merged_cells_reads_blank_continuation_cells():
    reader = RowReader(
        SAMPLES / "households.xlsx", "xlsx", COLUMNS["households"], required={"household_code", "head_name"}
    )
    rows = list(reader)
    assert rows[0][0] == 4 and rows[0][1]["head_name"] == "Lê Đình Hùng"
    assert rows[1][1]["head_name"] == "" and rows[1][1]["household_code"] == "H001"


def test_no_alias_means_two_fields_within_a_kind():
    for kind, columns in COLUMNS.items():
        keys = [k for c in columns for k in c.header_keys()]
        assert len(keys) == len(set(keys)), kind
    assert header_key("Mã hộ") == header_key("MA_HO") == "maho"


def test_format_for_name():
    assert format_for_name("Danh sách hộ.XLSX") == "xlsx"
    assert format_for_name("ho.csv") == "csv"
    with pytest.raises(ValueError):
        format_for_name("ho.xls")
