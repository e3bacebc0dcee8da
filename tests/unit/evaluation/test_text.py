"""Unit tests: Vietnamese text normalisation and mojibake detection (evaluation domain)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.evaluation.domain.text import (
    detect_mojibake,
    find_mojibake,
    fold_text,
    is_vietnamese_syllable,
    normalize_text,
)

# Correct names and places: every tone on every vowel shape, old and new tone placement, minority and
# foreign names. Tested as written, upper case, lower case and NFD.
CORRECT = [
    *("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Minh Chính", "Hoàng Thị Thuý"),
    *("Huỳnh Tấn Phát", "Phan Bội Châu", "Vũ Trọng Phụng", "Võ Nguyên Giáp", "Đặng Thùy Trâm"),
    *("Bùi Xuân Phái", "Đỗ Mười", "Hồ Xuân Hương", "Ngô Bảo Châu", "Dương Thu Hương", "Lý Tự Trọng"),
    *("Đinh Bộ Lĩnh", "Trương Định", "Tạ Quang Bửu", "Khổng Tú Quỳnh", "Lương Thế Vinh", "Mạc Đĩnh Chi"),
    *("Chu Văn An", "Thái Thị Hoà", "Tôn Nữ Thị Ninh", "Nguyễn Thị Ánh Tuyết", "Lò Văn Giàng"),
    *("Hà Văn Thắm", "Giàng A Páo", "Vàng Thị Mỷ", "H'Hen Niê", "Y Moan Ênuôl", "Ksor Nay", "Rơ Châm Ly"),
    *("Bế Văn Đàn", "Nông Đức Mạnh", "Triệu Thị Khuyên", "Tô Lâm", "Quách Thị Ỷ", "Ưng Hoàng Phúc"),
    *("Kiều Oanh", "Doãn Quốc Khánh", "Lã Thị Ngát", "Thân Đức Hiển", "Âu Dương Lễ", "Ông Ích Khiêm"),
    *("Hà Nội", "Thành phố Hồ Chí Minh", "Thanh Hóa", "Thanh Hoá", "Triệu Sơn", "Vạn Hòa", "Đà Nẵng"),
    *("Huế", "Quảng Ngãi", "Bà Rịa - Vũng Tàu", "Cà Mau", "Bắc Kạn", "Điện Biên Phủ", "Lạng Sơn"),
    *("Đắk Lắk", "Gia Lai", "Khánh Hòa", "Phú Quốc", "Côn Đảo", "Sóc Trăng", "Trà Vinh", "Thủ Dầu Một"),
    *("Gò Vấp", "Ỷ La", "Ý Yên", "Ứng Hòa", "Nghĩa Đàn", "Thạch Thất", "Quế Võ", "Tổ dân phố Giắt"),
    *("Thôn Ngọc Trà", "Ấp Thạnh Phú", "Buôn Ma Thuột", "Mường Khương", "Bát Xát", "Bảo Thắng"),
    *("Ân Thi", "Ẩn Lâm", "Ất Tỵ", "Ấu Triệu", "Ngã Năm", "Ồ Ồ", "Khuyến học", "Gia đình học tập"),
    *("Cộng đồng học tập cấp thôn", "Cán bộ, công chức", "Hợp tác xã", "Chủ hộ", "Con dâu", "Bố chồng"),
    *("José Hélène Müller", "Êban", "Mlô Duôn Du", "Niê Kdăm", "Bkrông Ana", "Xtiêng", "H'Mông"),
    *("Hoà Bình", "Khoá học", "Thuỷ Nguyên", "Toà án", "Quỳ Hợp", "Gìn giữ", "Khuỷu", "Ngoằn ngoèo"),
    *("Oẳn tù tì", "Người", "Hươu", "Khoảng", "Xoăn", "Ngoao", "Boong", "Thuở", "Ưu tú", "Yêu", "Ươm"),
]


def _variants(names: list[str]) -> list[str]:
    return [v for n in names for v in (n, n.upper(), n.lower(), unicodedata.normalize("NFD", n))]


def as_cp1252(text: str) -> str:
    """UTF-8 bytes shown as Windows-1252 (undefined bytes as C1 controls, as Windows does)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


_TONE = {"\u0301": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0323": 4}
_PLAIN, _CIRCUMFLEX, _BREVE = "ùøûõï", "áàåãä", "éèúüë"
_VNI_ONE = {"đ": "ñ", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}


def as_vni(text: str) -> str:
    """An independent VNI-Windows encoder, its bytes shown as Windows-1252."""
    out = []
    for ch in text:
        low = ch.lower()
        marks = unicodedata.normalize("NFD", low)
        tone = next((_TONE[m] for m in marks if m in _TONE), None)
        if low in _VNI_ONE:
            spelled = _VNI_ONE[low]
        elif "\u031b" in marks:
            spelled = {"o": "ô", "u": "ö"}[marks[0]] + ("" if tone is None else _PLAIN[tone])
        elif "\u0302" in marks:
            spelled = marks[0] + ("â" if tone is None else _CIRCUMFLEX[tone])
        elif "\u0306" in marks:
            spelled = marks[0] + ("ê" if tone is None else _BREVE[tone])
        elif tone is not None and len(marks) == 2:
            spelled = marks[0] + _PLAIN[tone]
        else:
            spelled = low
        out.append(spelled.upper() if ch.isupper() else spelled)
    return "".join(out)


def test_correct_list_is_large_enough():
    assert len(set(CORRECT)) >= 50


def test_normalize_text_composes_nfd_into_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    assert nfd != "Nguyễn Thị Thuỷ"
    assert normalize_text(nfd) == "Nguyễn Thị Thuỷ"
    assert unicodedata.is_normalized("NFC", normalize_text(nfd))


def test_normalize_text_strips_collapses_whitespace_and_drops_invisible_characters():
    raw = "\ufeff  Lê\u00a0 Văn\t\tAn\u200b \r\n Thôn\u00ad 1  \x00"
    assert normalize_text(raw) == "Lê Văn An Thôn 1"


@given(st.text())
def test_normalize_text_is_idempotent(s):
    once = normalize_text(s)
    assert normalize_text(once) == once


@given(st.text())
def test_normalize_text_output_is_nfc_and_single_spaced(s):
    out = normalize_text(s)
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    assert "  " not in out


def test_fold_text_ignores_case_accents_and_punctuation():
    assert fold_text("Mã hộ") == fold_text("MA_HO") == fold_text("ma-hộ") == "ma ho"
    assert fold_text("Đơn vị") == "don vi"
    assert fold_text("Cán bộ, công chức") == "can bo cong chuc"


@pytest.mark.parametrize("text", _variants(CORRECT))
def test_correct_vietnamese_is_not_flagged(text):
    assert detect_mojibake(text) is None


def test_ascii_and_empty_text_is_not_flagged():
    assert detect_mojibake("") is None
    assert detect_mojibake("Nguyen Van An, 12 Le Loi") is None


@pytest.mark.parametrize(
    ("broken", "family", "fixed"),
    [
        ("Trƣơng Thị Hƣơng", "pdf_font", "Trương Thị Hương"),
        ("THƢỞNG", "pdf_font", "THƯỞNG"),
        ("Gia ®×nh", "tcvn3_as_cp1252", "Gia đình"),
        ("Th«n", "tcvn3_as_cp1252", "Thôn"),
        ("Hµ Néi", "tcvn3_as_cp1252", "Hà Nội"),
        ("NguyÔn V¨n An", "tcvn3_as_cp1252", "Nguyễn Văn An"),
        ("M\u00adêng Kh\u00ad¬ng", "tcvn3_as_cp1252", "Mường Khương"),
        ("Nguyeãn", "vni_as_cp1252", "Nguyễn"),
        ("Vaên", "vni_as_cp1252", "Văn"),
        ("Ñoaøn Thò Ñieåm", "vni_as_cp1252", "Đoàn Thị Điểm"),
        ("Nguyá»…n", "utf8_as_cp1252", "Nguyễn"),
        ("Ã\u00a1o", "utf8_as_cp1252", "áo"),
        ("ThÃ nh", "utf8_as_cp1252", "Thành"),  # the no-break space of "à" became a plain space
        ("ÐOÀN", "lookalike", "ĐOÀN"),
    ],
)
def test_each_mojibake_family_is_named_with_a_repair(broken, family, fixed):
    finding = find_mojibake(broken)
    assert finding is not None
    assert (finding.family, finding.suggestion) == (family, fixed)
    assert detect_mojibake(broken) == str(finding)


def test_detect_mojibake_reason_names_family_fragment_and_repair():
    assert detect_mojibake("Gia ®×nh") == "TCVN3 (ABC) text read as cp1252: '®×nh' (probably 'Gia đình')"


@pytest.mark.parametrize("name", [n for n in _variants(CORRECT) if not n.isascii()])
def test_utf8_read_as_cp1252_is_detected_and_repaired(name):
    finding = find_mojibake(as_cp1252(unicodedata.normalize("NFC", name)))
    assert finding is not None and finding.family == "utf8_as_cp1252"
    assert finding.suggestion == normalize_text(name)


# VNI text whose every word also spells a Vietnamese syllable cannot be told apart word by word.
VNI_INDISTINGUISHABLE = {"Ồ Ồ", "Bố chồng", "José Hélène Müller"}


@pytest.mark.parametrize("name", [n for n in CORRECT if n not in VNI_INDISTINGUISHABLE])
def test_vni_read_as_cp1252_is_detected_and_repaired(name):
    for variant in (name, name.upper(), name.lower()):
        broken = as_vni(variant)
        if broken == variant:
            continue
        finding = find_mojibake(broken)
        assert finding is not None and finding.family == "vni_as_cp1252", (variant, broken)
        assert finding.suggestion == variant


def test_vni_that_spells_valid_syllables_is_a_known_blind_spot():
    assert as_vni("Bố chồng") == "Boá choàng"
    assert detect_mojibake("Boá choàng") is None


def _tcvn3(text: str) -> str | None:
    done = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(), capture_output=True
    )
    return done.stdout.decode("latin-1") if done.returncode == 0 else None


@pytest.mark.skipif(not shutil.which("iconv") or _tcvn3("a") is None, reason="glibc iconv without TCVN")
def test_tcvn3_from_glibc_iconv_is_detected_and_repaired():
    # TCVN3 (ABC) fonts keep capitals in separate fonts: registers typed in them are lower-case codes.
    for name in CORRECT:
        broken = _tcvn3(name.lower())
        if broken is None or broken == name.lower():
            continue
        finding = find_mojibake(broken)
        assert finding is not None and finding.family == "tcvn3_as_cp1252", (name, broken)
        assert finding.suggestion == name.lower()


@pytest.mark.parametrize(
    "word", ["nguyễn", "Hoà", "hòa", "thuở", "quốc", "gìn", "giữa", "Khuỷu", "đắk", "xoong"]
)
def test_well_formed_syllables(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize("word", ["quèc", "phaum", "toõ", "nguyeãn", "vaên", "hélène", "ksor", "ngỹệ", ""])
def test_ill_formed_syllables(word):
    assert not is_vietnamese_syllable(word)
