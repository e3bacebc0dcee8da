"""Canonical JSON: one byte sequence per value, so a digest of it can be recomputed anywhere.

Rules: object keys sorted, no spaces, UTF-8 text kept as is (ensure_ascii off), every string (keys too)
in Unicode NFC, datetimes as UTC `YYYY-MM-DDTHH:MM:SS.ffffffZ`, no NaN or infinity. Vietnamese text
typed on different keyboards arrives precomposed (NFC) or decomposed (NFD, e.g. from macOS file
names); without normalisation the same words would hash differently.
"""

from __future__ import annotations

import json
import math
import unicodedata
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any


def utc_text(value: datetime) -> str:
    """A timezone-aware datetime as fixed-width UTC text with microseconds."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: audit times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalize(value: Any) -> Any:
    """The JSON-ready form of a value: NFC strings, UTC datetimes as text, lists for tuples."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("NaN and infinity have no canonical JSON form")
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            nfc_key = unicodedata.normalize("NFC", key)
            if nfc_key in out:
                # Two keys that differ only in composition would silently overwrite each other.
                raise ValueError(f"keys collide after NFC normalisation: {nfc_key!r}")
            out[nfc_key] = normalize(item)
        return out
    if isinstance(value, list | tuple):
        return [normalize(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a value (see the module docstring for the rules)."""
    return json.dumps(
        normalize(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
