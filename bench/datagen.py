"""Synthetic household registers for the benchmarks: one commune, realistic Vietnamese names (bench).

Deterministic (seeded): the CSV writer and the in-memory rows of the raw-insert baseline are built
from the same generator, so both sides of a benchmark hold the same data. Nothing is kept whole in
memory: households are generated one at a time.

Every row passes the product's validator: contiguous households, exactly one head whose name is the
household's head name, 12-digit national IDs whose century/sex digit and birth-year digits agree with
the row (Circular 59/2021/TT-BCA), a few children with a household-local code instead (TV01...).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COMMUNE = "15664"  # Xã Triệu Sơn, tỉnh Thanh Hóa (post-2025 code), as in infra/samples
REFERENCE_YEAR = 2025
HOUSEHOLDS_PER_VILLAGE = 500

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
VILLAGE_HEADER = ["Mã xã", "Mã thôn", "Tên thôn", "Loại"]

FAMILY = (
    *("Nguyễn",) * 8,
    *("Trần",) * 3,
    *("Lê",) * 4,
    *("Trịnh",) * 3,
    *("Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"),
    *("Đinh", "Mai", "Lương", "Tạ", "Cao", "Lò", "Hà", "Quách", "Kiều", "Tống", "Đoàn", "Vương"),
)
MIDDLE = {
    "Nam": ("Văn", "Văn", "Văn", "Hữu", "Đình", "Xuân", "Minh", "Quốc", "Đức", "Công", "Thanh", "Ngọc"),
    "Nữ": ("Thị", "Thị", "Thị", "Thị Thu", "Thị Hải", "Ngọc", "Thu", "Thanh", "Minh", "Khánh", "Bảo"),
}
GIVEN = {
    "Nam": (
        *("Hùng", "Nam", "Thắng", "Đức", "Lộc", "Phong", "Sơn", "Tuấn", "Khang", "Nghĩa", "Quyết", "Bảo"),
        *("Được", "Toàn", "Phúc", "Thiện", "Hòa", "Khải", "Trường", "Cường", "Dũng", "Huy", "Long", "Quân"),
        *("Hiếu", "Trung", "Kiên", "Thành", "Vinh", "Tú", "Hải", "Định", "Tiến", "Lực", "Mạnh", "Thịnh"),
    ),
    "Nữ": (
        *("Hoa", "Trang", "Lan", "Ánh", "Mai", "Yến", "Hằng", "Nga", "Thủy", "Linh", "Thảo", "Duyên"),
        *("Gấm", "Phượng", "Xuân", "Quỳnh", "Liên", "Hân", "Hương", "Huyền", "Ngân", "Thư", "Vy", "Nhung"),
        *("Loan", "Oanh", "Diệp", "Trâm", "Giang", "Hạnh", "Tuyết", "Uyên", "Nguyệt", "Hiền", "Dung", "Lụa"),
    ),
}
PLACES = (
    *("Minh Thành", "Đồng Tiến", "Tân Lợi", "Quang Trung", "Bái Xuân", "Đông Hòa", "Tây Sơn", "Phú Yên"),
    *("Thượng Lâm", "Hạ Vũ", "Nưa", "Giắt", "An Lạc", "Thọ Phú", "Hợp Thành", "Dân Lực", "Đồng Lợi"),
    *("Xuân Thịnh", "Thái Hòa", "Vân Sơn", "Khuyến Nông", "Tiến Nông", "Nông Trường", "Hợp Lý", "Bình Sơn"),
)
# Province of registration (first three digits of the ID): mostly the commune's own province.
ID_PREFIXES = (*("038",) * 17, "001", "040", "037", "079")
GROUPS = {  # label as written by the commune -> stored value
    "Người dân": "resident",
    "Công nhân, người lao động": "worker",
    "Cán bộ, công chức": "official",
    "Học sinh, sinh viên": "student",
}
RELATIONS = {
    "Chủ hộ": "head",
    "Vợ": "spouse",
    "Chồng": "spouse",
    "Con": "child",
    "Con dâu": "child_in_law",
    "Bố": "parent",
    "Mẹ": "parent",
    "Cháu": "grandchild",
}
GENDERS = {"Nam": "male", "Nữ": "female"}


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    kind: str  # label, as in the register


@dataclass(frozen=True)
class Member:
    citizen_code: str  # a 12-digit national ID or a household-local code
    full_name: str
    birth_year: int
    gender: str  # label: Nam / Nữ
    group: str  # label
    relation: str  # label


@dataclass(frozen=True)
class Household:
    village: Village
    code: str
    head_name: str
    address: str
    members: tuple[Member, ...]


def villages(households: int) -> list[Village]:
    """The villages the households live in: one per HOUSEHOLDS_PER_VILLAGE households."""
    count = max(1, -(-households // HOUSEHOLDS_PER_VILLAGE))
    found = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        suffix = f" {i // len(PLACES) + 1}" if i >= len(PLACES) else ""
        if i % 4 == 3:
            found.append(Village(f"TDP{i + 1:03d}", f"Tổ dân phố {place}{suffix}", "Tổ dân phố"))
        else:
            found.append(Village(f"TH{i + 1:03d}", f"Thôn {place}{suffix}", "Thôn"))
    return found


class _People:
    """Draws people; every national ID is unique (a running serial in the last six digits)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def national_id(self, year: int, sex: str) -> str:
        self.serial += 1
        century_sex = 2 * ((year - 1900) // 100) + (1 if sex == "Nữ" else 0)
        return f"{self.rng.choice(ID_PREFIXES)}{century_sex}{year % 100:02d}{self.serial % 1_000_000:06d}"

    def name(self, family: str, sex: str) -> str:
        return f"{family} {self.rng.choice(MIDDLE[sex])} {self.rng.choice(GIVEN[sex])}"

    def group(self, year: int) -> str:
        age = REFERENCE_YEAR - year
        if age < 23:
            return "Học sinh, sinh viên"
        if age >= 65:
            return "Người dân"
        roll = self.rng.random()
        return (
            "Cán bộ, công chức" if roll < 0.1 else "Công nhân, người lao động" if roll < 0.45 else "Người dân"
        )


def generate(households: int, seed: int = 4) -> Iterator[Household]:
    """`households` households (about 4.1 members each) in contiguous order, village by village."""
    if households > 999_999:
        raise ValueError("at most 999,999 households (six-digit ID serials must stay unique)")
    rng = random.Random(seed)
    people = _People(rng)
    all_villages = villages(households)
    for index in range(households):
        village = all_villages[index // HOUSEHOLDS_PER_VILLAGE]
        members: list[Member] = []
        head_sex = "Nam" if rng.random() < 0.78 else "Nữ"
        head_year = rng.randint(1940, 2000)
        family = rng.choice(FAMILY)
        head_name = people.name(family, head_sex)
        members.append(_with_id(people, head_name, head_year, head_sex, "Chủ hộ"))
        father_family = family
        if rng.random() < 0.82:
            sex = "Nữ" if head_sex == "Nam" else "Nam"
            spouse_family = rng.choice(FAMILY)
            if sex == "Nam":
                father_family = spouse_family
            year = min(REFERENCE_YEAR - 18, max(1930, head_year + rng.randint(-4, 6)))
            relation = "Vợ" if sex == "Nữ" else "Chồng"
            members.append(_with_id(people, people.name(spouse_family, sex), year, sex, relation))
        local = 0
        for _ in range(rng.choice((0, 1, 2, 2, 2, 3, 3, 4))):
            year = min(REFERENCE_YEAR, head_year + rng.randint(20, 40))
            sex = rng.choice(("Nam", "Nữ"))
            name = people.name(father_family, sex)
            if rng.random() < 0.03:  # a young child registered by a household-local code
                local += 1
                group = people.group(year)
                members.append(Member(f"TV{local:02d}", name, year, sex, group, "Con"))
            else:
                members.append(_with_id(people, name, year, sex, "Con"))
        if rng.random() < 0.15 and head_year >= 1960:
            sex = rng.choice(("Nam", "Nữ"))
            year = head_year - rng.randint(20, 32)
            elder_family = family if sex == "Nam" else rng.choice(FAMILY)
            relation = "Bố" if sex == "Nam" else "Mẹ"
            members.append(_with_id(people, people.name(elder_family, sex), year, sex, relation))
        address = f"Số {rng.randint(1, 250)}, {village.name}"
        if rng.random() < 0.3:
            address = f"Xóm {rng.choice(('Đông', 'Tây', 'Nam', 'Bắc', 'Giữa', 'Trại'))}, {village.name}"
        yield Household(village, f"H{index + 1:06d}", head_name, address, tuple(members))


def _with_id(people: _People, name: str, year: int, sex: str, relation: str) -> Member:
    return Member(people.national_id(year, sex), name, year, sex, people.group(year), relation)


def write_villages_csv(path: Path, households: int, commune: str = COMMUNE) -> int:
    """The villages file (UTF-8 with BOM, as Excel's 'CSV UTF-8' saves it); returns its row count."""
    rows = villages(households)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(VILLAGE_HEADER)
        writer.writerows([commune, v.code, v.name, v.kind] for v in rows)
    return len(rows)


def write_households_csv(
    path: Path, households: int, seed: int = 4, commune: str = COMMUNE
) -> tuple[int, int]:
    """The household register, one row per member, streamed; returns (households, members)."""
    members = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HOUSEHOLD_HEADER)
        for h in generate(households, seed):
            members += len(h.members)
            writer.writerows(
                [
                    commune,
                    h.village.code,
                    h.code,
                    h.head_name,
                    h.address,
                    m.citizen_code,
                    m.full_name,
                    m.birth_year,
                    m.gender,
                    m.group,
                    m.relation,
                ]
                for m in h.members
            )
    return households, members


def register_households(
    database_url: str, households: int, folder: Path, commune: str = COMMUNE
) -> list[str]:
    """Register `households` generated households (and their villages) in `commune` of a migrated
    database holding the official units, through the product's import (`import_subjects`, the path of
    the CLI and the API), so that cases can be opened for them (`POST /cases` takes registered subjects
    only); their ids, in the order of their codes (H000001, ...). The files are written in `folder`."""
    import sqlalchemy as sa

    from common.db import make_engine
    from services.evaluation.adapters import tables as t
    from services.evaluation.adapters.unit_of_work import SqlUnitOfWork
    from services.evaluation.imports import ImportOptions
    from services.evaluation.service.imports import import_subjects

    files = {"villages": folder / "villages.csv", "households": folder / "households.csv"}
    write_villages_csv(files["villages"], households, commune)
    write_households_csv(files["households"], households, commune=commune)
    options = ImportOptions(commune_code=commune, reference_year=REFERENCE_YEAR, max_rows=1_000_000)
    codes = [f"H{index + 1:06d}" for index in range(households)]
    engine = make_engine(database_url)
    try:
        for kind, path in files.items():
            run = import_subjects(
                SqlUnitOfWork(engine),
                kind=kind,  # type: ignore[arg-type]
                file_name=path.name,
                source=str(path),
                file_format="csv",
                options=options,
                created_by="bench",
            )
            if run.status != "imported":
                raise RuntimeError(f"{kind} not imported: {run.entries[:3]}")
        h = t.households
        with engine.connect() as conn:
            ids = dict(
                conn.execute(
                    sa.select(h.c.household_code, h.c.id).where(
                        h.c.commune_code == commune, h.c.household_code.in_(codes)
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return [ids[code] for code in codes]
