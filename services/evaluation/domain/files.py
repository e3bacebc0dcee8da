"""Evidence file rules: names, allowed content types sniffed from bytes (pure Python)."""

from __future__ import annotations

import re
import unicodedata

# Types accepted as evidence, decided from the file's first bytes, never from its extension.
ALLOWED_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
MAX_NAME_LENGTH = 180
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def sanitize_file_name(raw: str) -> str | None:
    """A safe display name: NFC, no path parts or control characters, Vietnamese letters kept.

    Returns None when nothing usable is left (e.g. "../..").
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").split("/")[-1]  # drop any directory part, Windows or POSIX
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name or set(name) <= {"_", "."}:
        return None
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_NAME_LENGTH - len(ext) - 1 if dot and len(ext) <= 10 else MAX_NAME_LENGTH
        name = (stem[:keep] + "." + ext) if dot and len(ext) <= 10 else name[:keep]
    return name
