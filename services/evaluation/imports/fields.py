"""Field parsers: codes, commune codes, labels, birth years, national IDs (imports, pure Python)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from services.evaluation.domain.text import fold_text
from services.evaluation.imports.records import is_national_id


class FieldError(Exception):
    """A cell value breaks a rule; `code` is a report message code, `value`/`detail` fill its text."""

    def __init__(self, code: str, value: object = "", detail: object = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value
        self.detail = detail


_CODE = re.compile(r"[A-Z0-9][A-Z0-9._/-]{0,31}")
MAX_NAME = 150
MAX_ADDRESS = 255


def parse_code(text: str) -> str:
    """A local code (village, household, clan, unit, member): upper-cased, A-Z 0-9 . - _ /."""
    code = text.upper()
    if not _CODE.fullmatch(code):
        raise FieldError("bad_code", text)
    return code


@lru_cache(maxsize=1)
def commune_codes() -> frozenset[str]:
    """The 5-digit codes of the 3,321 post-2025 communes, wards and special zones."""
    from vietnam_provinces import Ward  # loads the bundled list on first use, not at import time

    return frozenset(f"{int(w.code):05d}" for w in Ward.iter_all())


def parse_commune_code(text: str, expected: str | None) -> str:
    """A commune code, zero-padded to 5 digits (spreadsheets drop leading zeros), known and in scope."""
    if not (text.isascii() and text.isdigit() and len(text) <= 5):
        raise FieldError("bad_commune", text)
    code = text.zfill(5)
    if code not in commune_codes():
        raise FieldError("unknown_commune", code)
    if expected is not None and code != expected:
        raise FieldError("wrong_commune", code, expected)
    return code


def parse_name(text: str, limit: int = MAX_NAME) -> str:
    """A name of a person, place or unit: at least one letter, at most `limit` characters."""
    if len(text) > limit:
        raise FieldError("too_long", text, limit)
    if not any(c.isalpha() for c in text):
        raise FieldError("bad_name", text)
    return text


class LabelMap:
    """Enum values by label: exact (case-insensitive) first, then accent-insensitive when unambiguous.

    Exact first matters: 'Ba' (father, southern usage) and 'Bà' (grandmother) fold to the same key.
    """

    def __init__(self, labels: Mapping[str, Iterable[str]]) -> None:
        self.values = tuple(labels)
        self._exact: dict[str, str] = {}
        folded: dict[str, set[str]] = {}
        for value, names in labels.items():
            for name in (value, *names):
                self._exact[name.casefold()] = value
                folded.setdefault(fold_text(name), set()).add(value)
        self._folded = {k: next(iter(v)) for k, v in folded.items() if len(v) == 1}
        self.help = "; ".join(next(iter(names)) for names in labels.values())

    def parse(self, text: str) -> str:
        """The enum value a label stands for, or FieldError('unknown_value')."""
        value = self._exact.get(text.casefold()) or self._folded.get(fold_text(text))
        if value is None:
            raise FieldError("unknown_value", text, self.help)
        return value


VILLAGE_KIND = LabelMap(
    {
        "thon": ("Thôn", "Làng", "Bản", "Buôn", "Xóm", "Plei", "Bon", "village"),
        "to_dan_pho": ("Tổ dân phố", "TDP", "Tổ", "Khối phố", "Khối", "Tiểu khu", "residential group"),
        "khu_pho": ("Khu phố", "KP", "Khu", "quarter"),
        "ap": ("Ấp", "Phum", "Sóc", "hamlet"),
    }
)
GENDER = LabelMap({"male": ("Nam", "M", "trai"), "female": ("Nữ", "F", "gái")})
CITIZEN_GROUP = LabelMap(
    {
        "resident": ("Người dân", "Nhân dân", "Cư dân", "Dân cư", "Nông dân"),
        "worker": ("Công nhân, người lao động", "Công nhân", "Người lao động", "Lao động", "CNLĐ"),
        "official": (
            *("Cán bộ, công chức, viên chức", "Cán bộ, công chức", "Cán bộ", "Công chức", "Viên chức"),
            *("CBCC", "CBCCVC", "civil servant"),
        ),
        "student": ("Học sinh, sinh viên", "Học sinh", "Sinh viên", "HSSV", "pupil"),
    }
)
RELATION = LabelMap(
    {
        "head": ("Chủ hộ", "CH"),
        "spouse": ("Vợ", "Chồng", "wife", "husband"),
        "child": ("Con", "Con trai", "Con gái", "Con đẻ", "Con ruột", "Con nuôi", "son", "daughter"),
        "child_in_law": ("Con dâu", "Con rể", "daughter-in-law", "son-in-law"),
        "parent": ("Bố", "Cha", "Mẹ", "Ba", "Má", "Bố đẻ", "Mẹ đẻ", "father", "mother"),
        "parent_in_law": ("Bố chồng", "Mẹ chồng", "Bố vợ", "Mẹ vợ", "Cha chồng", "Cha vợ"),
        "grandparent": (
            "Ông",
            "Bà",
            "Ông nội",
            "Bà nội",
            "Ông ngoại",
            "Bà ngoại",
            "grandfather",
            "grandmother",
        ),
        "grandchild": ("Cháu", "Cháu nội", "Cháu ngoại", "grandson", "granddaughter"),
        "sibling": ("Anh", "Chị", "Em", "Anh trai", "Chị gái", "Em trai", "Em gái", "brother", "sister"),
        "other": ("Khác", "Người thân khác", "Ở nhờ"),
    }
)
UNIT_KIND = LabelMap(
    {
        "agency": ("Cơ quan", "Cơ quan nhà nước", "Cơ quan, đơn vị"),
        "school": ("Trường học", "Trường", "Nhà trường", "Cơ sở giáo dục"),
        "cooperative": ("Hợp tác xã", "HTX"),
        "enterprise": ("Doanh nghiệp", "DN", "Công ty", "company"),
    }
)

_YEAR_PATTERNS = (
    re.compile(r"(\d{4})"),  # 1985
    re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-](\d{4})"),  # 12/05/1985
    re.compile(r"\d{1,2}[/.-](\d{4})"),  # 05/1985
    re.compile(r"(\d{4})-\d{1,2}-\d{1,2}(?: .*)?"),  # 1985-05-12 (an Excel date cell)
)


def parse_birth_year(text: str, reference_year: int) -> int:
    """A birth year from a year or a date cell, within [reference_year - 120, reference_year]."""
    if len(text) == 4 and text.isdecimal():  # the common case; what the first pattern matches
        year = int(text)
    else:
        for pattern in _YEAR_PATTERNS[1:]:
            match = pattern.fullmatch(text)
            if match:
                year = int(match.group(1))
                break
        else:
            raise FieldError("bad_year", text)
    if not reference_year - 120 <= year <= reference_year:
        raise FieldError("year_out_of_range", year, f"{reference_year - 120}–{reference_year}")
    return year


# 4th digit of a national ID: century and gender (Circular 59/2021/TT-BCA): even = male, odd = female,
# 0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s ...; digits 5-6 are the last two digits of the birth year.
def check_national_id(code: str, birth_year: int | None, gender: str | None) -> None:
    """Raise FieldError when a 12-digit ID contradicts the birth year or gender given on the row."""
    century_gender = int(code[3])
    if birth_year is not None:
        id_year = 1900 + 100 * (century_gender // 2) + int(code[4:6])
        if id_year != birth_year:
            raise FieldError("national_id_mismatch", code, f"ID → {id_year}")
    if gender is not None:
        id_gender = "female" if century_gender % 2 else "male"
        if id_gender != gender:
            raise FieldError("national_id_mismatch", code, f"ID → {id_gender}")


def parse_citizen_code(text: str) -> str:
    """A 12-digit national ID, or a household-local code; a 10-11 digit number is a mangled ID."""
    if is_national_id(text):
        return text
    if text.isascii() and text.isdigit() and 10 <= len(text) <= 11:
        raise FieldError("national_id_leading_zeros", text)
    return parse_code(text)
