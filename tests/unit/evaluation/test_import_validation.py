"""Unit tests: validation, normalisation and the two-pass API of bulk imports (evaluation)."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.evaluation.domain.errors import Conflict, ValidationFailed
from services.evaluation.domain.text import normalize_text
from services.evaluation.imports import (
    HouseholdRecord,
    ImportOptions,
    ImportRejected,
    ImportSourceChanged,
    ReportEntry,
    VillageRecord,
    grouping,
    iter_records,
    parse_import,
    validate_import,
)

SAMPLES = Path(__file__).resolve().parents[3] / "infra" / "samples"
OPTIONS = ImportOptions(commune_code="15664", reference_year=2025)
HOUSEHOLD_HEADER = [
    "Mã xã", "Mã thôn", "Mã hộ", "Chủ hộ", "Địa chỉ", "Số định danh", "Họ và tên", "Năm sinh", "Giới tính",
    "Đối tượng", "Quan hệ với chủ hộ",
]  # fmt: skip

# households_with_errors.csv: (row, field, code) of every entry, row 1 being the header.
EXPECTED_ERRORS = [
    (5, "full_name", "missing_value"),
    (6, "household_code", "bad_code"),
    (7, "gender", "unknown_value"),
    (8, "group", "unknown_value"),
    (9, "relation", "unknown_value"),
    (11, "birth_year", "year_out_of_range"),
    (12, "birth_year", "year_out_of_range"),
    (13, "birth_year", "bad_year"),
    (16, "citizen_code", "duplicate_key"),
    (17, "citizen_code", "duplicate_key"),
    (19, "full_name", "mojibake"),
    (20, "full_name", "mojibake"),
    (21, "full_name", "mojibake"),
    (22, "full_name", "mojibake"),
    (23, "commune_code", "unknown_commune"),
    (24, "commune_code", "wrong_commune"),
    (25, "citizen_code", "national_id_mismatch"),
    (26, "citizen_code", "national_id_leading_zeros"),
    (27, "relation", "no_head"),
    (29, "relation", "several_heads"),
    (30, "head_name", "head_name_mismatch"),
    (32, "village_code", "inconsistent_group"),
    (33, "household_code", "not_contiguous"),
    (34, "head_name", "missing_value"),
]


def _csv(header: list[str], rows: list[list[object]]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode())


def _household(
    code: str, *members: tuple[str, str, int, str, str, str], village: str = "TH01"
) -> list[list[object]]:
    head = next(m[1] for m in members if m[5] == "Chủ hộ")
    return [["15664", village, code, head, "", *m] for m in members]


def _entries(items) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.field, e.code) for e in items if isinstance(e, ReportEntry)]


def _records(items) -> list:
    return [i for i in items if not isinstance(i, ReportEntry)]


def test_error_file_produces_exactly_the_expected_entries():
    report = validate_import("households", SAMPLES / "households_with_errors.csv", "csv", OPTIONS)
    assert [(e.row, e.field, e.code) for e in report.entries] == EXPECTED_ERRORS
    assert report.entry_count == len(EXPECTED_ERRORS) and not report.ok
    assert report.counts == {"households": 1, "citizens": 2}  # only H101's first block is clean
    for entry in report.entries:
        assert entry.message_vi and entry.message_en and entry.message_vi != entry.message_en


def test_mojibake_entries_say_which_encoding_and_suggest_the_text():
    report = validate_import("households", SAMPLES / "households_with_errors.csv", "csv", OPTIONS)
    by_row = {e.row: e for e in report.entries if e.code == "mojibake"}
    assert "VNI" in by_row[19].message_en and "Nguyễn Thị Thu" in by_row[19].message_vi
    assert "UTF-8" in by_row[20].message_en and "Nguyễn Văn Tuấn" in by_row[20].message_en
    assert "ƣ" in by_row[21].message_en and "Trường" in by_row[21].message_vi
    assert "TCVN3" in by_row[22].message_en and "Nguyễn Thị Thuý" in by_row[22].message_vi


@pytest.mark.parametrize(
    ("kind", "file_name", "counts"),
    [
        ("villages", "villages.csv", {"villages": 8}),
        ("households", "households.csv", {"households": 12, "citizens": 43}),
        ("households", "households.xlsx", {"households": 12, "citizens": 43}),
        ("clans", "clans.csv", {"clans": 4, "clan_households": 8}),
        ("units", "units.csv", {"units": 4, "unit_members": 18}),
    ],
)
def test_clean_samples_validate_with_no_entries(kind, file_name, counts):
    report = validate_import(kind, SAMPLES / file_name, file_name.rsplit(".", 1)[1], OPTIONS)
    assert report.entries == () and report.ok
    assert report.counts == counts


def test_csv_and_xlsx_samples_hold_the_same_records():
    from_csv = validate_import("households", SAMPLES / "households.csv", "csv", OPTIONS)
    from_xlsx = validate_import("households", SAMPLES / "households.xlsx", "xlsx", OPTIONS)
    assert from_csv.digest == from_xlsx.digest
    assert from_xlsx.ignored_columns == ("STT",)


def test_nfd_input_and_messy_spaces_are_normalised_to_nfc():
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Thị\u00a0Thuỷ ")
    rows = _household("h001", ("038185000001", nfd, 1985, "Nữ", "Người dân", "Chủ hộ"))
    rows[0][4] = unicodedata.normalize("NFD", "Thôn  Tân Lợi")
    (record,) = _records(parse_import("households", _csv(HOUSEHOLD_HEADER, rows), "csv", OPTIONS))
    assert record.household_code == "H001"  # codes are upper-cased
    assert record.head_name == record.members[0].full_name == "Nguyễn Thị Thuỷ"
    assert record.address == "Thôn Tân Lợi"
    assert unicodedata.is_normalized("NFC", record.head_name)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẢÃẠẰẮẲẴẶ \u00a0\t\u0300\u0301\u0303\u0309\u0323"))
def test_stored_names_are_normal_and_normalising_them_again_changes_nothing(name):
    source = _csv(["Mã xã", "Mã thôn", "Tên thôn", "Loại"], [["15664", "TH01", name, "Thôn"]])
    items = list(parse_import("villages", source, "csv", OPTIONS))
    records = _records(items)
    if records:
        assert records[0].name == normalize_text(name) == normalize_text(records[0].name)
    else:
        assert {code for _, _, code in _entries(items)} <= {"missing_value", "mojibake", "bad_name"}


@pytest.mark.parametrize(
    ("label", "kind"),
    [("Thôn", "thon"), ("Tổ dân phố", "to_dan_pho"), ("to dan pho", "to_dan_pho"), ("TDP", "to_dan_pho")],
)
def test_vietnamese_village_kind_labels_are_accepted(label, kind):
    source = _csv(["Mã xã", "Mã thôn", "Tên thôn", "Loại"], [["15664", "X1", "Khu 1", label]])
    (record,) = _records(parse_import("villages", source, "csv", OPTIONS))
    assert record == VillageRecord("15664", "X1", "Khu 1", kind)


@pytest.mark.parametrize(
    ("group", "relation", "expected"),
    [
        ("Cán bộ, công chức", "Chủ hộ", ("official", "head")),
        ("CAN BO, CONG CHUC", "chu ho", ("official", "head")),
        ("Công nhân", "Ba", ("worker", "parent")),
        ("Học sinh", "Bà", ("student", "grandparent")),
        ("student", "Con dâu", ("student", "child_in_law")),
    ],
)
def test_group_and_relation_labels_exact_before_accent_insensitive(group, relation, expected):
    rows = _household("H1", ("TV1", "Lê Văn An", 1980, "Nam", group, "Chủ hộ"))
    rows.append(["15664", "TH01", "H1", "", "", "TV2", "Lê Thị Bé", 1950, "Nữ", group, relation])
    if relation.casefold() in ("chủ hộ", "chu ho"):
        rows.pop()
    (record,) = _records(parse_import("households", _csv(HOUSEHOLD_HEADER, rows), "csv", OPTIONS))
    member = record.members[-1]
    assert (member.group, member.relation) == expected


def test_commune_comes_from_the_options_when_the_column_is_absent():
    source = _csv(["Mã thôn", "Tên thôn", "Loại"], [["TH01", "Thôn A", "Thôn"]])
    (record,) = _records(parse_import("villages", source, "csv", OPTIONS))
    assert record.commune_code == "15664"
    no_scope = list(parse_import("villages", _csv(["Mã thôn", "Tên thôn", "Loại"], []), "csv"))
    assert _entries(no_scope) == [(1, "commune_code", "header_missing")]


def test_commune_code_that_lost_its_leading_zeros_is_padded():
    source = _csv(["Mã xã", "Mã thôn", "Tên thôn", "Loại"], [["4", "TDP1", "Tổ 1", "Tổ dân phố"]])
    (record,) = _records(parse_import("villages", source, "csv"))
    assert record.commune_code == "00004"


@pytest.mark.parametrize("cell", ["1985", "12/05/1985", "12-5-1985", "05/1985", "1985-05-12"])
def test_birth_year_is_read_from_a_year_or_a_date(cell):
    rows = _household("H1", ("TV1", "Lê Văn An", cell, "Nam", "Người dân", "Chủ hộ"))  # type: ignore[arg-type]
    (record,) = _records(parse_import("households", _csv(HOUSEHOLD_HEADER, rows), "csv", OPTIONS))
    assert record.members[0].birth_year == 1985


def test_household_columns_may_be_blank_on_later_rows_like_merged_cells():
    rows = _household(
        "H1",
        ("TV1", "Lê Văn An", 1980, "Nam", "Người dân", "Chủ hộ"),
        ("TV2", "Lê Thị Bình", 1982, "Nữ", "Người dân", "Vợ"),
    )
    rows[1][1] = rows[1][3] = ""
    (record,) = _records(parse_import("households", _csv(HOUSEHOLD_HEADER, rows), "csv", OPTIONS))
    assert isinstance(record, HouseholdRecord) and len(record.members) == 2 and record.village_code == "TH01"
    assert record.member_key(record.members[1]) == ("15664", "H1", "TV2")


def test_a_household_split_over_two_blocks_is_reported_once_and_refused():
    head = ("TV1", "Lê Văn An", 1980, "Nam", "Người dân", "Chủ hộ")
    rows = _household("H1", head) + _household("H2", head)
    rows += [
        ["15664", "TH01", "H1", "", "", f"TV{i}", "Lê Văn Con", 2010, "Nam", "Người dân", "Con"]
        for i in (5, 6)
    ]
    items = list(parse_import("households", _csv(HOUSEHOLD_HEADER, rows), "csv", OPTIONS))
    assert _entries(items) == [(4, "household_code", "not_contiguous")]
    (entry,) = [i for i in items if isinstance(i, ReportEntry)]
    assert "row 2" in entry.message_en  # points at the first block
    # The first block was streamed before the second appeared: why writers validate the whole file first.
    assert [r.household_code for r in _records(items)] == ["H1", "H2"]


def test_duplicate_village_codes_are_reported_with_the_first_row():
    rows = [["15664", "TH01", "Thôn A", "Thôn"], ["15664", "th01", "Thôn B", "Thôn"]]
    items = list(
        parse_import("villages", _csv(["Mã xã", "Mã thôn", "Tên thôn", "Loại"], rows), "csv", OPTIONS)
    )
    assert _entries(items) == [(3, "village_code", "duplicate_key")]
    assert "2" in items[-1].message_en


def test_clans_accept_code_lists_and_repeated_rows():
    header = ["Mã xã", "Mã dòng họ", "Tên dòng họ", "Mã hộ"]
    rows = [["", "DH1", "Dòng họ Lê", "H1; H2"], ["", "DH1", "", "H3"], ["", "DH2", "Dòng họ Trần", "H4,H4"]]
    items = list(parse_import("clans", _csv(header, rows), "csv", OPTIONS))
    assert _records(items)[0].household_codes == ("H1", "H2", "H3")
    assert _entries(items) == [(4, "household_code", "duplicate_key")]


def test_unit_members_need_a_national_id_or_a_household():
    header = ["Mã xã", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Số định danh", "Mã hộ", "Họ và tên"]
    rows = [
        ["", "DV1", "Trường Mầm non Hoa Sen", "Trường học", "", "", ""],
        ["", "DV1", "", "", "038185000001", "", "Lê Thị An"],
        ["", "DV1", "", "", "TV2", "H7", ""],
        ["", "DV1", "", "", "TV3", "", "Lê Văn Ba"],
    ]
    items = list(parse_import("units", _csv(header, rows), "csv", OPTIONS))
    assert _entries(items) == [(5, "household_code", "member_household_required")]
    rows.pop()
    (unit,) = _records(parse_import("units", _csv(header, rows), "csv", OPTIONS))
    assert (unit.kind, [m.citizen_code for m in unit.members]) == ("school", ["038185000001", "TV2"])


def test_a_household_larger_than_the_cap_is_refused(monkeypatch):
    monkeypatch.setitem(grouping.MAX_MEMBERS, "households", 2)
    members = [(f"TV{i}", f"Lê Văn {c}", 1980, "Nam", "Người dân", "Con") for i, c in enumerate("ABC", 1)]
    rows = _household("H1", ("TV0", "Lê Văn Cả", 1950, "Nam", "Người dân", "Chủ hộ"), *members)
    items = list(parse_import("households", _csv(HOUSEHOLD_HEADER, rows), "csv", OPTIONS))
    assert _entries(items) == [(4, "household_code", "group_too_large")] and not _records(items)


def test_files_over_the_row_limit_and_empty_files_are_reported():
    rows = [["15664", f"TH{i}", f"Thôn {i}", "Thôn"] for i in range(5)]
    limited = ImportOptions(commune_code="15664", max_rows=3)
    items = list(
        parse_import("villages", _csv(["Mã xã", "Mã thôn", "Tên thôn", "Loại"], rows), "csv", limited)
    )
    assert _entries(items) == [(5, None, "too_many_rows")]
    assert _entries(parse_import("villages", io.BytesIO(b""), "csv", OPTIONS)) == [(None, None, "no_data")]


def test_report_keeps_the_first_entries_but_counts_all():
    few = ImportOptions(commune_code="15664", reference_year=2025, max_entries=3)
    report = validate_import("households", SAMPLES / "households_with_errors.csv", "csv", few)
    assert len(report.entries) == 3 and report.entry_count == len(EXPECTED_ERRORS) and report.truncated


def test_a_non_utf8_file_is_one_clear_entry():
    data = "Mã xã,Mã thôn,Tên thôn,Loại\n".encode() + "15664,TH01,Thôn A,Thôn\n".encode("cp1258")
    report = validate_import("villages", io.BytesIO(data), "csv", OPTIONS)
    assert [(e.row, e.code) for e in report.entries] == [(2, "invalid_encoding")]


def test_second_pass_streams_the_records_validated_in_the_first():
    path = SAMPLES / "households.csv"
    report = validate_import("households", path, "csv", OPTIONS)
    records = list(iter_records("households", path, "csv", OPTIONS, expected_digest=report.digest))
    assert len(records) == report.counts["households"]


def test_second_pass_refuses_a_file_with_errors():
    with pytest.raises(ImportRejected) as caught:
        list(iter_records("households", SAMPLES / "households_with_errors.csv", "csv", OPTIONS))
    assert isinstance(caught.value, ValidationFailed) and caught.value.entry.row == 5


def test_second_pass_detects_a_file_changed_since_validation():
    header = ["Mã xã", "Mã thôn", "Tên thôn", "Loại"]
    report = validate_import("villages", _csv(header, [["15664", "TH01", "Thôn A", "Thôn"]]), "csv", OPTIONS)
    changed = _csv(header, [["15664", "TH01", "Thôn B", "Thôn"]])
    with pytest.raises(ImportSourceChanged) as caught:
        list(iter_records("villages", changed, "csv", OPTIONS, expected_digest=report.digest))
    assert isinstance(caught.value, Conflict)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_import("citizens", io.BytesIO(b""), "csv")  # type: ignore[arg-type]
