"""Import columns per kind: field names, Vietnamese labels, header aliases (imports, pure Python)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.evaluation.domain.text import fold_text
from services.evaluation.imports.records import ImportKind


@dataclass(frozen=True)
class Column:
    """One import column: the field it fills, its Vietnamese label, and other accepted headers."""

    field: str
    label_vi: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def header_keys(self) -> set[str]:
        """Folded keys of every header that names this column (label, field name and aliases)."""
        return {header_key(h) for h in (self.label_vi, self.field, *self.aliases)}


def header_key(header: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a header: 'Mã hộ' -> 'maho'."""
    return fold_text(header).replace(" ", "")


COMMUNE = Column(
    "commune_code",
    "Mã xã",
    ("Mã xã/phường", "Mã xã, phường", "Mã phường", "Mã đơn vị hành chính", "Mã ĐVHC", "commune", "ward_code"),
    required=False,  # may come from ImportOptions.commune_code instead
)
VILLAGE_CODE = Column(
    "village_code",
    "Mã thôn",
    (
        "Mã thôn/tổ dân phố",
        "Mã thôn, tổ dân phố",
        "Mã thôn/TDP",
        "Mã TDP",
        "Mã tổ dân phố",
        "Mã ấp",
        "village",
    ),
)
HOUSEHOLD_CODE = Column(
    "household_code", "Mã hộ", ("Mã hộ gia đình", "Mã số hộ", "Số hộ", "household", "household_id")
)
CITIZEN_CODE = Column(
    "citizen_code",
    "Số định danh",
    (
        *("Mã công dân", "Số định danh cá nhân", "Số CCCD", "CCCD", "Số căn cước", "Căn cước công dân"),
        *("Mã thành viên", "Mã định danh", "national_id", "member_code", "citizen_id"),
    ),
)
FULL_NAME = Column("full_name", "Họ và tên", ("Họ tên", "Họ tên thành viên", "Tên thành viên", "member_name"))

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    "villages": (
        COMMUNE,
        VILLAGE_CODE,
        Column("name", "Tên thôn", ("Tên thôn/tổ dân phố", "Tên thôn, tổ dân phố", "Tên", "village_name")),
        Column("kind", "Loại", ("Loại thôn", "Phân loại", "Loại hình", "type", "village_kind")),
    ),
    "households": (
        COMMUNE,
        VILLAGE_CODE,
        HOUSEHOLD_CODE,
        Column("head_name", "Chủ hộ", ("Họ tên chủ hộ", "Tên chủ hộ", "Họ và tên chủ hộ", "household_head")),
        Column("address", "Địa chỉ", ("Địa chỉ hộ", "Nơi ở", "household_address"), required=False),
        CITIZEN_CODE,
        FULL_NAME,
        Column(
            "birth_year",
            "Năm sinh",
            ("Ngày sinh", "Ngày tháng năm sinh", "year_of_birth", "date_of_birth", "birth_date", "dob"),
        ),
        Column("gender", "Giới tính", ("sex", "Nam/Nữ")),
        Column("group", "Đối tượng", ("Nhóm", "Nhóm đối tượng", "Thành phần", "category", "citizen_group")),
        Column(
            "relation",
            "Quan hệ với chủ hộ",
            ("Quan hệ", "QH với chủ hộ", "Quan hệ với CH", "relationship", "relation_to_head"),
        ),
    ),
    "clans": (
        COMMUNE,
        Column("clan_code", "Mã dòng họ", ("Mã DH", "clan", "clan_id")),  # not "Mã họ": folds like "Mã hộ"
        Column("name", "Tên dòng họ", ("Dòng họ", "Tên họ", "clan_name")),
        Column(
            "household_code",
            "Mã hộ",
            ("Mã hộ gia đình", "Các hộ", "Danh sách mã hộ", "Mã các hộ", "household", "household_codes"),
        ),
    ),
    "units": (
        COMMUNE,
        Column("unit_code", "Mã đơn vị", ("unit", "unit_id")),
        Column("name", "Tên đơn vị", ("Đơn vị", "unit_name")),
        Column("kind", "Loại đơn vị", ("Loại hình", "Loại", "Loại hình đơn vị", "type", "unit_kind")),
        Column(CITIZEN_CODE.field, CITIZEN_CODE.label_vi, CITIZEN_CODE.aliases, required=False),
        Column(
            "household_code", "Mã hộ", ("Mã hộ gia đình", "household", "member_household"), required=False
        ),
        Column(FULL_NAME.field, FULL_NAME.label_vi, FULL_NAME.aliases, required=False),
    ),
}


def column_of(kind: ImportKind, field: str) -> Column:
    """The column of a kind that fills `field`."""
    return next(c for c in COLUMNS[kind] if c.field == field)


@dataclass(frozen=True)
class HeaderMatch:
    """Which cell of the header row fills which field, and the header cells that were not recognised."""

    row: int
    positions: dict[str, int]
    ignored: tuple[str, ...]
    duplicates: tuple[tuple[str, str], ...]  # (field, header text) of a second column for the same field


def match_header(row: int, cells: Sequence[str], columns: Iterable[Column]) -> HeaderMatch:
    """Match one candidate header row against the columns of a kind."""
    by_key = {key: col.field for col in columns for key in col.header_keys()}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    duplicates: list[tuple[str, str]] = []
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        field = by_key.get(header_key(cell))
        if field is None:
            ignored.append(cell.strip())
        elif field in positions:
            duplicates.append((field, cell.strip()))
        else:
            positions[field] = index
    return HeaderMatch(row, positions, tuple(ignored), tuple(duplicates))
