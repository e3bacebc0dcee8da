"""Sample import files for one real post-2025 commune (Xã Triệu Sơn, Thanh Hóa, code 15664).

Run `python infra/samples/make_samples.py` to regenerate every CSV and the XLSX in this folder.
Villages, households and people are fictional; the commune code is real (`vietnam-provinces`).
"""

from __future__ import annotations

import csv
from pathlib import Path

COMMUNE = "15664"  # Xã Triệu Sơn, tỉnh Thanh Hóa (post-2025 code)
HERE = Path(__file__).resolve().parent

VILLAGES = [
    ("TDP01", "Tổ dân phố 1", "Tổ dân phố"),
    ("TDP02", "Tổ dân phố 2", "Tổ dân phố"),
    ("TDP03", "Tổ dân phố Giắt", "Tổ dân phố"),
    ("TH01", "Thôn Minh Thành", "Thôn"),
    ("TH02", "Thôn Đồng Tiến", "Thôn"),
    ("TH03", "Thôn Tân Lợi", "Thôn"),
    ("TH04", "Thôn Quang Trung", "Thôn"),
    ("TH05", "Thôn Bái Xuân", "Thôn"),
]

# A household line "code | village | address", then its members "  code | name | year | sex | group |
# relation"; "-" as code means the person has a national ID, generated below in a valid format.
HOUSEHOLDS = """
H001 | TDP01 | Số 12, phố Giắt
  - | Lê Đình Hùng | 1968 | Nam | Cán bộ, công chức | Chủ hộ
  - | Trịnh Thị Hoa | 1971 | Nữ | Người dân | Vợ
  - | Lê Đình Nam | 1995 | Nam | Công nhân, người lao động | Con
  - | Lê Thị Thu Trang | 2008 | Nữ | Học sinh, sinh viên | Con
H002 | TDP01 | Số 27, phố Giắt
  - | Nguyễn Văn Thắng | 1975 | Nam | Người dân | Chủ hộ
  - | Đỗ Thị Lan | 1978 | Nữ | Cán bộ, công chức | Vợ
  - | Nguyễn Văn Đức | 2010 | Nam | Học sinh, sinh viên | Con
  TV04 | Nguyễn Ngọc Ánh | 2016 | Nữ | Học sinh, sinh viên | Con
H003 | TDP02 | Ngõ 5, Tổ dân phố 2
  - | Trịnh Xuân Lộc | 1960 | Nam | Người dân | Chủ hộ
  - | Lê Thị Mai | 1962 | Nữ | Người dân | Vợ
  - | Trịnh Xuân Phong | 1988 | Nam | Cán bộ, công chức | Con
  - | Hoàng Thị Yến | 1990 | Nữ | Công nhân, người lao động | Con dâu
  - | Trịnh Bảo Ngọc | 2015 | Nữ | Học sinh, sinh viên | Cháu
H004 | TDP02 | Ngõ 9, Tổ dân phố 2
  - | Phạm Thị Hằng | 1980 | Nữ | Công nhân, người lao động | Chủ hộ
  - | Lê Minh Khôi | 2005 | Nam | Học sinh, sinh viên | Con
  - | Phạm Văn Tư | 1952 | Nam | Người dân | Bố
H005 | TDP03 | Số 3, đường Nưa
  - | Hoàng Văn Sơn | 1972 | Nam | Người dân | Chủ hộ
  - | Nguyễn Thị Nga | 1974 | Nữ | Người dân | Vợ
  - | Hoàng Thị Ngọc Ánh | 1999 | Nữ | Cán bộ, công chức | Con
H006 | TH01 | Xóm Đông, thôn Minh Thành
  - | Lê Đình Tuấn | 1983 | Nam | Người dân | Chủ hộ
  - | Vũ Thị Thuỷ | 1985 | Nữ | Công nhân, người lao động | Vợ
  - | Lê Đình Khang | 2012 | Nam | Học sinh, sinh viên | Con
  TV04 | Lê Thị Khánh Linh | 2019 | Nữ | Học sinh, sinh viên | Con
H007 | TH01 | Xóm Tây, thôn Minh Thành
  - | Nguyễn Hữu Nghĩa | 1958 | Nam | Người dân | Chủ hộ
  - | Lò Thị Hương | 1960 | Nữ | Người dân | Vợ
H008 | TH02 | Thôn Đồng Tiến
  - | Trịnh Văn Quyết | 1979 | Nam | Công nhân, người lao động | Chủ hộ
  - | Đặng Thị Thảo | 1982 | Nữ | Người dân | Vợ
  - | Trịnh Quốc Bảo | 2003 | Nam | Công nhân, người lao động | Con
  - | Trịnh Thị Mỹ Duyên | 2009 | Nữ | Học sinh, sinh viên | Con
H009 | TH02 | Thôn Đồng Tiến
  - | Lê Văn Được | 1965 | Nam | Người dân | Chủ hộ
  - | Bùi Thị Gấm | 1967 | Nữ | Người dân | Vợ
  - | Lê Thị Hải Yến | 1992 | Nữ | Cán bộ, công chức | Con
H010 | TH03 | Thôn Tân Lợi
  - | Nguyễn Hữu Toàn | 1986 | Nam | Cán bộ, công chức | Chủ hộ
  - | Lê Thị Phượng | 1989 | Nữ | Công nhân, người lao động | Vợ
  - | Nguyễn Hữu Phúc | 2014 | Nam | Học sinh, sinh viên | Con
  TV04 | Nguyễn Hữu Thiện | 2021 | Nam | Người dân | Con
H011 | TH04 | Thôn Quang Trung
  - | Đinh Thị Xuân | 1955 | Nữ | Người dân | Chủ hộ
  - | Trịnh Văn Hòa | 1981 | Nam | Người dân | Con
  - | Trịnh Thị Quỳnh | 2011 | Nữ | Học sinh, sinh viên | Cháu
H012 | TH05 | Thôn Bái Xuân
  - | Trịnh Xuân Khải | 1970 | Nam | Người dân | Chủ hộ
  - | Mai Thị Liên | 1973 | Nữ | Người dân | Vợ
  - | Trịnh Xuân Trường | 1997 | Nam | Cán bộ, công chức | Con
  - | Trịnh Thị Ngọc Hân | 2001 | Nữ | Công nhân, người lao động | Con
"""

CLANS = [  # one row may list several households (; separated) or one per row (DH02)
    ("DH01", "Dòng họ Lê Đình", "H001; H006"),
    ("DH02", "Dòng họ Trịnh Xuân", "H003"),
    ("DH02", "Dòng họ Trịnh Xuân", "H012"),
    ("DH03", "Dòng họ Nguyễn Hữu", "H007; H010"),
    ("DH04", "Dòng họ Trịnh Văn", "H008; H011"),
]

UNITS = {  # unit -> (name, kind, member names of the households above, plus outside members)
    "DV01": (
        "Ủy ban nhân dân xã Triệu Sơn",
        "Cơ quan",
        ["Lê Đình Hùng", "Hoàng Thị Ngọc Ánh", "Trịnh Xuân Trường", "Nguyễn Hữu Toàn", "Trịnh Xuân Phong"],
    ),
    "DV02": ("Trường Tiểu học Triệu Sơn", "Trường học", ["Đỗ Thị Lan", "Lê Thị Hải Yến"]),
    "DV03": ("Hợp tác xã Dịch vụ nông nghiệp Minh Thành", "Hợp tác xã", ["Lê Đình Tuấn", "Trịnh Văn Hòa"]),
    "DV04": (
        "Công ty TNHH May mặc Triệu Sơn",
        "Doanh nghiệp",
        [
            "Lê Đình Nam",
            "Hoàng Thị Yến",
            "Phạm Thị Hằng",
            "Trịnh Văn Quyết",
            "Trịnh Quốc Bảo",
            "Vũ Thị Thuỷ",
            "Lê Thị Phượng",
            "Trịnh Thị Ngọc Hân",
        ],
    ),
}
OUTSIDE_MEMBER = ("DV01", "Lê Văn Cường", 1984, "Nam")  # works in the commune, lives elsewhere

HOUSEHOLD_HEADER = [
    "Mã xã",
    "Mã thôn",
    "Mã hộ",
    "Chủ hộ",
    "Địa chỉ",
    "Số định danh",
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Đối tượng",
    "Quan hệ với chủ hộ",
]


def national_id(serial: int, year: int, sex: str) -> str:
    """A well-formed fictional ID: Thanh Hóa (038), century/sex digit, year, a 6-digit serial."""
    century_sex = 2 * ((year - 1900) // 100) + (1 if sex == "Nữ" else 0)
    return f"038{century_sex}{year % 100:02d}{(7919 * serial + 104729) % 1_000_000:06d}"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]


def household_rows() -> list[list[object]]:
    """One row per member, household columns repeated on every row."""
    rows: list[list[object]] = []
    household: list[str] = []
    for serial, line in enumerate(HOUSEHOLDS.strip().splitlines()):
        if not line.startswith(" "):
            household = _cells(line)
            continue
        local, name, year, sex, group, relation = _cells(line)
        code, village, address = household
        head = name if relation == "Chủ hộ" else rows[-1][3]
        citizen = national_id(serial, int(year), sex) if local == "-" else local
        rows.append([COMMUNE, village, code, head, address, citizen, name, int(year), sex, group, relation])
    return rows


def unit_rows(households: list[list[object]]) -> list[list[object]]:
    """One row per unit member, found by name among the household rows."""
    by_name = {row[6]: row for row in households}
    rows: list[list[object]] = []
    for code, (name, kind, members) in UNITS.items():
        for member in members:
            person = by_name[member]
            rows.append([COMMUNE, code, name, kind, person[5], person[2], member])
        unit, outsider, year, sex = OUTSIDE_MEMBER
        if unit == code:  # rows of one unit stay contiguous
            rows.append([COMMUNE, code, name, kind, national_id(999, year, sex), "", outsider])
    return rows


def write_csv(name: str, header: list[str], rows: list[list[object]]) -> None:
    """A UTF-8 CSV with BOM, as Excel's 'CSV UTF-8' saves it."""
    with open(HERE / name, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_households_xlsx(rows: list[list[object]]) -> None:
    """The households as a register: a title row, upper-case headers, merged head/address cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Hộ gia đình"
    ws.append(["DANH SÁCH HỘ GIA ĐÌNH VÀ THÀNH VIÊN – XÃ TRIỆU SƠN, TỈNH THANH HÓA"])
    ws["A1"].font = Font(bold=True)
    ws.append([])
    ws.append(
        [
            "STT",
            "MÃ XÃ",
            "Mã thôn",
            "MÃ HỘ",
            "Họ tên chủ hộ",
            "Địa chỉ",
            "Số CCCD",
            "Họ tên",
            "Năm sinh",
            "Giới tính",
            "Đối tượng",
            "Quan hệ với chủ hộ",
        ]
    )
    start = ws.max_row + 1
    for index, row in enumerate(rows, 1):
        ws.append([index, *row])
        for column in (2, 7):  # commune code and ID stay text, so leading zeros survive
            ws.cell(ws.max_row, column).number_format = "@"
    first = start
    for number in range(start + 1, ws.max_row + 2):
        if number > ws.max_row or ws.cell(number, 4).value != ws.cell(first, 4).value:
            if number - 1 > first:  # head name and address written once per household, as registers do
                ws.merge_cells(start_row=first, start_column=5, end_row=number - 1, end_column=5)
                ws.merge_cells(start_row=first, start_column=6, end_row=number - 1, end_column=6)
            first = number
    wb.save(HERE / "households.xlsx")


# households_with_errors.csv, one line per row (the header is row 1); the comment names the problem the
# tests expect on that row. {C} is the commune, {idN} national IDs from ERROR_IDS.
ERROR_ROWS = """
{C}|TH01|H101|Lê Văn Bình|Thôn Minh Thành|{id1}|Lê Văn Bình|1970|Nam|Người dân|Chủ hộ      # 2 clean
{C}|TH01|H101|Lê Văn Bình|Thôn Minh Thành|{id2}|Nguyễn Thị Hạnh|1972|Nữ|Người dân|Vợ       # 3 clean
{C}|TH01|H102|Lê Văn An||TV01|Lê Văn An|1966|Nam|Người dân|Chủ hộ                          # 4 clean
{C}|TH01|H102|||TV02||1990|Nam|Người dân|Con                                               # 5 missing name
{C}|TH01|HỘ 103|Lê Văn Ba||TV01|Lê Văn Ba|1960|Nam|Người dân|Chủ hộ                        # 6 bad code
{C}|TH01|H104|Mai Văn Cư||TV01|Mai Văn Cư|1950|Không rõ|Người dân|Chủ hộ                   # 7 gender
{C}|TH01|H104|||TV02|Mai Thị Dung|1952|Nữ|Hưu trí|Vợ                                       # 8 group
{C}|TH01|H104|||TV03|Mai Văn Em|1980|Nam|Người dân|Hàng xóm                                # 9 relation
{C}|TH01|H105|Đỗ Văn Giang||TV01|Đỗ Văn Giang|1949|Nam|Người dân|Chủ hộ                    # 10 clean
{C}|TH01|H105|||TV02|Đỗ Văn Giáp|1850|Nam|Người dân|Bố                                     # 11 too old
{C}|TH01|H105|||TV03|Đỗ Thị Hà|2031|Nữ|Người dân|Con                                       # 12 future
{C}|TH01|H105|||TV04|Đỗ Thị Hoa|khoảng 1970|Nữ|Người dân|Con                               # 13 not a year
{C}|TH01|H106|Vũ Văn Khoa||{id3}|Vũ Văn Khoa|1975|Nam|Người dân|Chủ hộ                     # 14 clean
{C}|TH01|H106|||TV02|Vũ Thị Lụa|2000|Nữ|Người dân|Con                                      # 15 clean
{C}|TH01|H106|||TV02|Vũ Thị Mơ|2002|Nữ|Người dân|Con                                       # 16 dup of 15
{C}|TH01|H106|||{id1}|Vũ Văn Nhất|1970|Nam|Người dân|Anh                                   # 17 dup of 2
{C}|TH01|H107|Nguyễn Văn Tú|Thôn Tân Lợi|TV01|Nguyễn Văn Tú|1971|Nam|Người dân|Chủ hộ      # 18 clean
{C}|TH01|H107|||TV02|Nguyeãn Thò Thu|1973|Nữ|Người dân|Vợ                                  # 19 VNI
{C}|TH01|H107|||TV03|Nguyá»…n VÄƒn Tuáº¥n|1995|Nam|Người dân|Con                          # 20 UTF-8
{C}|TH01|H107|||TV04|Nguyễn Văn Trƣờng|1998|Nam|Người dân|Con                              # 21 PDF ƣ
{C}|TH01|H107|||TV05|NguyÔn ThÞ Thuý|2001|Nữ|Người dân|Con                                 # 22 TCVN3
99999|TH01|H108|Phan Văn Phú||TV01|Phan Văn Phú|1961|Nam|Người dân|Chủ hộ                  # 23 no such
00004|TH01|H109|Phan Văn Quý||TV01|Phan Văn Quý|1962|Nam|Người dân|Chủ hộ                  # 24 Ba Đình
{C}|TH01|H110|Tạ Văn Sáu||{id4}|Tạ Văn Sáu|1985|Nam|Người dân|Chủ hộ                       # 25 ID 1990
{C}|TH01|H110|||{id5}|Tạ Thị Tám|1987|Nữ|Người dân|Vợ                                      # 26 lost 0
{C}|TH01|H111|Ông Văn Út||TV01|Ông Văn Út|1980|Nam|Người dân|Con                           # 27 no head
{C}|TH01|H112|Lương Văn Vĩnh||TV01|Lương Văn Vĩnh|1970|Nam|Người dân|Chủ hộ                # 28 clean
{C}|TH01|H112|||TV02|Lương Văn Xuân|1972|Nam|Người dân|Chủ hộ                              # 29 2nd head
{C}|TH01|H113|Trần Văn Long||TV01|Trần Văn Lâm|1977|Nam|Người dân|Chủ hộ                   # 30 not Long
{C}|TH02|H114|Kiều Văn Yên||TV01|Kiều Văn Yên|1983|Nam|Người dân|Chủ hộ                    # 31 clean
{C}|TH03|H114|||TV02|Kiều Thị Ánh|1985|Nữ|Người dân|Vợ                                     # 32 village
{C}|TH01|H101|||TV09|Lê Văn Cả|1999|Nam|Người dân|Con                                      # 33 H101 again
{C}|TH01|H115|||TV01|Hồ Văn Bảy|1979|Nam|Người dân|Chủ hộ                                  # 34 no head name
"""


def error_rows() -> list[list[str]]:
    """The rows of households_with_errors.csv."""
    ids = {
        "id1": national_id(1, 1970, "Nam"),
        "id2": national_id(2, 1972, "Nữ"),
        "id3": national_id(3, 1975, "Nam"),
        "id4": national_id(4, 1990, "Nam"),  # but the row says born 1985
        "id5": national_id(5, 1987, "Nữ")[1:],  # 11 digits: Excel dropped the leading zero
    }
    lines = ERROR_ROWS.strip().splitlines()
    return [_cells(line.split("#")[0].format(C=COMMUNE, **ids)) for line in lines]


def main() -> None:
    """Write every sample file."""
    write_csv("villages.csv", ["Mã xã", "Mã thôn", "Tên thôn", "Loại"], [[COMMUNE, *v] for v in VILLAGES])
    households = household_rows()
    write_csv("households.csv", HOUSEHOLD_HEADER, households)
    write_households_xlsx(households)
    write_csv("clans.csv", ["Mã xã", "Mã dòng họ", "Tên dòng họ", "Mã hộ"], [[COMMUNE, *c] for c in CLANS])
    unit_header = ["Mã xã", "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Số định danh", "Mã hộ", "Họ và tên"]
    write_csv("units.csv", unit_header, unit_rows(households))
    write_csv("households_with_errors.csv", HOUSEHOLD_HEADER, error_rows())


if __name__ == "__main__":
    main()
