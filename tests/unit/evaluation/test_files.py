"""Evidence file name rules (pure)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.evaluation.domain.files import MAX_NAME_LENGTH, sanitize_file_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Giấy khen.pdf", "Giấy khen.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\xa\\Bằng khen.docx", "Bằng khen.docx"),
        ("a\x00b\x1f.pdf", "a_b_.pdf"),
        ("  tên   có   khoảng trắng .pdf ", "tên có khoảng trắng .pdf"),
        ("..", None),
        ("", None),
        ("///", None),
    ],
)
def test_names_lose_paths_and_control_characters_but_keep_vietnamese(raw: str, expected: str | None) -> None:
    assert sanitize_file_name(raw) == expected


def test_an_nfd_name_is_stored_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Học sinh giỏi.pdf")
    assert sanitize_file_name(nfd) == unicodedata.normalize("NFC", "Học sinh giỏi.pdf")


def test_a_long_name_keeps_its_extension() -> None:
    name = sanitize_file_name("ả" * 400 + ".pdf")
    assert name is not None and len(name) == MAX_NAME_LENGTH and name.endswith(".pdf")


@given(st.text())
def test_sanitized_names_are_safe(raw: str) -> None:
    name = sanitize_file_name(raw)
    if name is not None:
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert name == unicodedata.normalize("NFC", name) and name not in {".", ".."}
        assert len(name) <= MAX_NAME_LENGTH
