"""Unit tests: the import's shortcuts give exactly the answers of the work they skip (evaluation).

The import validates every cell twice per file (two passes), so it skips work it can prove useless:
a cheap proof that a cell has no mojibake, no normalisation of text that is already normal, memoised
cells, and national IDs packed in arrays. These tests keep the shortcuts in step with
`services/evaluation/domain/text.py` and with a plain dict.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.evaluation.domain.text import find_mojibake, normalize_text
from services.evaluation.imports.grouping import RowsByCode, RowsByNumber, code_number
from services.evaluation.imports.validation import CellCache, normalized, surely_clean

SAMPLES = Path(__file__).resolve().parents[3] / "infra" / "samples"

# Vietnamese letters, cp1252/latin-1 glyphs that legacy encodings leave behind, the PDF ƣ, separators,
# invisible and whitespace characters, combining tone marks: the material of real and broken cells.
MESSY = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý"
    "ÃÂÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñö÷øûüþÿ¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿"
    "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
    "ƣƢ \u00a0\t\n,.;-/()'\u200b\ufeff\u00ad\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=MESSY, max_size=30))
def test_a_cell_proven_clean_has_no_mojibake(text):
    if surely_clean(text):
        assert find_mojibake(text) is None


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["Nguyễn", "Thị", "Hà", "Lê", "Thái", "Ánh", "Yên", "Plei", "Đăk"]), max_size=5)
)
def test_real_names_are_proven_clean(words):
    assert surely_clean(" ".join(words))


def test_every_broken_sample_cell_fails_the_proof():
    import csv

    with open(SAMPLES / "households_with_errors.csv", encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    broken = [cell for cell in cells if find_mojibake(cell) is not None]
    assert len(broken) >= 4
    assert not any(surely_clean(cell) for cell in broken)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=MESSY + "\x00\x1f\x7f\u2028\u3000", max_size=30))
def test_normalized_equals_normalize_text(text):
    assert normalized(text) == normalize_text(text)
    assert normalized(unicodedata.normalize("NFD", text)) == normalize_text(
        unicodedata.normalize("NFD", text)
    )


def test_the_cell_cache_gives_the_uncached_answers_and_stays_bounded():
    cache = CellCache()
    for raw in ["Nam", " Nữ ", "NguyÔn ThÞ Thuý", "x" * 5, "1985", "khoảng 1970", "Nam"]:
        assert cache.clean(raw) == (find_mojibake(raw), normalize_text(raw))
    for i in range(3 * CellCache.LIMIT):
        cache.clean(f"TV{i}")
    assert len(cache._clean) <= CellCache.LIMIT


def test_rows_by_number_behaves_like_a_dict_of_first_rows():
    rng = random.Random(7)
    numbers = [rng.randrange(10**12) for _ in range(20_000)]
    numbers += numbers[:500] + [0, 0, 10**12 - 1]  # repeats, the smallest and largest IDs
    packed, plain = RowsByNumber(), {}
    for row, number in enumerate(numbers, 2):
        assert packed.setdefault(number, row) == (plain[number] if number in plain else None)
        plain.setdefault(number, row)
    assert len(packed) == len(plain)
    assert all(packed.get(n) == r for n, r in plain.items())
    assert packed.get(10**12 + 5) is None


def test_short_codes_are_distinct_numbers_and_long_ones_still_count():
    codes = ["A", "0", "AA", "A0", "H000001", "H00001", "H0000010", "TDP.01", "TDP-01", "Z" * 11, "-" * 11]
    numbers = [code_number(c) for c in codes]
    assert None not in numbers and len(set(numbers)) == len(codes)
    assert all(0 <= n < 2**63 for n in numbers)  # type: ignore[operator]
    assert code_number("A" * 12) is None and code_number("ho") is None
    rows = RowsByCode()
    for row, code in enumerate([*codes, "X" * 20, "Y" * 32], 2):
        assert rows.setdefault(code, row) is None
    assert rows.setdefault("H000001", 99) == 6 and rows.setdefault("X" * 20, 99) == 13
