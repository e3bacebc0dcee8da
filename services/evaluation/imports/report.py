"""Bulk import report: entries in Vietnamese and English and the file summary (imports, pure Python)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# code -> (Vietnamese, English); {label} is the column's Vietnamese label, {name} its English field name.
MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_encoding": (
        "Tệp không phải văn bản UTF-8 (lỗi ở dòng {row}). Hãy lưu lại bằng Excel dạng "
        "'CSV UTF-8 (Comma delimited)' rồi nhập lại.",
        "The file is not UTF-8 text (fails at line {row}). Save it from Excel as "
        "'CSV UTF-8 (Comma delimited)' and import it again.",
    ),
    "utf16": (
        "Tệp được lưu dạng 'Unicode Text' (UTF-16). Hãy lưu lại dạng 'CSV UTF-8 (Comma delimited)'.",
        "The file is saved as 'Unicode Text' (UTF-16). Save it as 'CSV UTF-8 (Comma delimited)'.",
    ),
    "file_unreadable": ("Không đọc được tệp: {detail}.", "The file cannot be read: {detail}."),
    "sheet_missing": ("Tệp Excel không có trang tính '{value}'.", "The workbook has no sheet '{value}'."),
    "header_missing": (
        "Không tìm thấy cột bắt buộc «{label}» trong dòng tiêu đề.",
        "Required column '{name}' ({label}) not found in the header row.",
    ),
    "header_duplicate": (
        "Có hai cột cùng nghĩa «{label}» (ô '{value}').",
        "Two columns mean '{name}' (cell '{value}').",
    ),
    "too_many_rows": (
        "Tệp có hơn {value} dòng dữ liệu; hãy chia thành nhiều tệp.",
        "The file has more than {value} data rows; split it into several files.",
    ),
    "no_data": ("Tệp không có dòng dữ liệu nào.", "The file has no data rows."),
    "missing_value": ("Thiếu «{label}».", "Missing {name}."),
    "too_long": ("«{label}» dài quá {value} ký tự.", "{name} is longer than {value} characters."),
    "bad_code": (
        "«{label}» '{value}' không hợp lệ: chỉ dùng chữ A–Z, chữ số và . - _ / (tối đa 32 ký tự).",
        "{name} '{value}' is invalid: use letters A-Z, digits and . - _ / (at most 32 characters).",
    ),
    "bad_commune": (
        "Mã xã '{value}' phải gồm 5 chữ số theo danh mục đơn vị hành chính từ 01/7/2025.",
        "Commune code '{value}' must be 5 digits from the administrative list in force since 2025-07-01.",
    ),
    "unknown_commune": (
        "Mã xã '{value}' không có trong danh mục 3.321 xã, phường, đặc khu.",
        "Commune code '{value}' is not one of the 3,321 communes, wards and special zones.",
    ),
    "wrong_commune": (
        "Dòng thuộc xã '{value}', không phải xã đang nhập ({detail}).",
        "The row belongs to commune '{value}', not the commune being imported ({detail}).",
    ),
    "unknown_value": (
        "«{label}» '{value}' không hợp lệ; dùng một trong: {detail}.",
        "{name} '{value}' is not recognised; use one of: {detail}.",
    ),
    "bad_year": ("Năm sinh '{value}' không đọc được.", "Birth year '{value}' cannot be read."),
    "year_out_of_range": (
        "Năm sinh {value} nằm ngoài khoảng {detail}.",
        "Birth year {value} is outside {detail}.",
    ),
    "national_id_leading_zeros": (
        "Số định danh '{value}' thiếu chữ số (cần 12); nếu Excel đã bỏ số 0 ở đầu, "
        "hãy định dạng cột là Văn bản.",
        "National ID '{value}' is short of 12 digits; if Excel dropped leading zeros, "
        "format the column as Text.",
    ),
    "national_id_mismatch": (
        "Số định danh '{value}' không khớp với năm sinh/giới tính ({detail}).",
        "National ID '{value}' does not match the birth year/gender ({detail}).",
    ),
    "bad_name": ("«{label}» '{value}' không phải họ tên hợp lệ.", "{name} '{value}' is not a valid name."),
    "mojibake": (
        "«{label}» có dấu hiệu lỗi phông/bảng mã: {detail}. Hãy chuyển mã sang Unicode (ví dụ bằng Unikey).",
        "{name} looks like broken Vietnamese: {detail}. Convert the text to Unicode (e.g. with Unikey).",
    ),
    "duplicate_key": (
        "«{label}» '{value}' bị trùng với dòng {detail}.",
        "{name} '{value}' duplicates row {detail}.",
    ),
    "not_contiguous": (
        "«{label}» '{value}' đã xuất hiện ở dòng {detail}; các dòng của cùng một mã phải liền nhau.",
        "{name} '{value}' already appeared at row {detail}; rows of one code must be contiguous.",
    ),
    "inconsistent_group": (
        "«{label}» '{value}' khác với dòng đầu của cùng mã ('{detail}').",
        "{name} '{value}' differs from the first row of the same code ('{detail}').",
    ),
    "group_too_large": (
        "Mã '{value}' có quá {detail} dòng thành viên.",
        "Code '{value}' has more than {detail} member rows.",
    ),
    "no_head": (
        "Hộ '{value}' không có thành viên là chủ hộ.",
        "Household '{value}' has no member who is head.",
    ),
    "several_heads": (
        "Hộ '{value}' có nhiều hơn một chủ hộ (dòng {detail}).",
        "Household '{value}' has more than one head (rows {detail}).",
    ),
    "head_name_mismatch": (
        "Tên chủ hộ '{value}' khác họ tên thành viên là chủ hộ ('{detail}').",
        "Head name '{value}' differs from the name of the member who is head ('{detail}').",
    ),
    "member_household_required": (
        "Mã thành viên '{value}' không phải số định danh 12 chữ số nên cần «Mã hộ».",
        "Member code '{value}' is not a 12-digit national ID, so the household code is required.",
    ),
}


@dataclass(frozen=True)
class ReportEntry:
    """One problem in an import file: the row (1-based, as a spreadsheet shows it) and column, if any."""

    row: int | None
    field: str | None
    message_vi: str
    message_en: str
    code: str = "invalid"


def make_entry(
    code: str,
    row: int | None,
    field_name: str | None = None,
    *,
    label: str = "",
    value: object = "",
    detail: object = "",
    detail_en: object | None = None,
) -> ReportEntry:
    """A report entry with both messages rendered from the catalogue (detail_en when it differs)."""
    vi, en = MESSAGES[code]
    params = {"label": label, "name": field_name or "", "value": value, "detail": detail, "row": row}
    message_en = en.format(**{**params, "detail": detail if detail_en is None else detail_en})
    return ReportEntry(row, field_name, vi.format(**params), message_en, code)


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, not a workbook, no header); carries the entries."""

    def __init__(self, *entries: ReportEntry) -> None:
        super().__init__("; ".join(e.message_en for e in entries))
        self.entries = entries


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation pass: counts per record type, the first entries, and a digest.

    `digest` is a SHA-256 over the normalised records in file order; a second pass that computes
    the same digest read the same data (see `iter_records`).
    """

    kind: str
    rows: int
    counts: Mapping[str, int]
    entries: tuple[ReportEntry, ...]
    entry_count: int
    ignored_columns: tuple[str, ...] = ()
    digest: str = ""

    @property
    def truncated(self) -> bool:
        """True when more entries were found than the report keeps."""
        return self.entry_count > len(self.entries)

    @property
    def ok(self) -> bool:
        """True when the file has no problem at all and may be written."""
        return self.entry_count == 0
