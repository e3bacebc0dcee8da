"""Audit entries without a database: canonical JSON, the hash of an entry, and the normalisation that
makes Vietnamese typed as NFC or NFD hash the same."""

from __future__ import annotations

import hashlib
import math
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from common.audit_entry import GENESIS, AuditEntry, entry_body, entry_hash, normalized
from common.canonical import canonical_json, utc_text

AT = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
DIGEST = "ab" * 32
NAME = "Nguyễn Thị Hồng Nhung, thôn Đồng Tâm, xã Vạn Hòa"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_canonical_json_sorts_keys_without_spaces_and_keeps_utf8() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "Hòa"], "c": {"z": 1.5, "y": "x"}}) == (
        '{"a":[true,null,"Hòa"],"b":1,"c":{"y":"x","z":1.5}}'
    )


def test_canonical_json_writes_times_as_utc_with_microseconds() -> None:
    hanoi = timezone(timedelta(hours=7))
    assert canonical_json({"at": datetime(2026, 1, 2, 10, 4, 5, tzinfo=hanoi)}) == (
        '{"at":"2026-01-02T03:04:05.000000Z"}'
    )
    assert utc_text(AT) == "2026-01-02T03:04:05.000006Z"


@pytest.mark.parametrize(
    "value, error",
    [
        ({"x": math.nan}, ValueError),
        ({"x": math.inf}, ValueError),
        ({"x": datetime(2026, 1, 1)}, ValueError),  # naive: which zone was meant is unknown
        ({"x": {1, 2}}, TypeError),
        ({1: "x"}, TypeError),
        ({"Hòa": 1, nfd("Hòa"): 2}, ValueError),  # two keys that are one after NFC
    ],
)
def test_canonical_json_refuses_what_has_no_single_form(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        canonical_json(value)


def test_nfc_and_nfd_text_give_the_same_canonical_json() -> None:
    assert nfd(NAME) != NAME
    composed = canonical_json({"họ tên": NAME, "list": [NAME]})
    decomposed = canonical_json({nfd("họ tên"): nfd(NAME), "list": [nfd(NAME)]})
    assert composed == decomposed
    assert unicodedata.is_normalized("NFC", composed)


def test_the_hash_is_sha256_of_prev_hash_and_canonical_body() -> None:
    entry = AuditEntry(chain="case:1", action="case.opened", actor="cán bộ", at=AT, entry_id="e1")
    body = entry_body(entry, 1)
    text = (
        '{"action":"case.opened","actor":"cán bộ","at":"2026-01-02T03:04:05.000006Z","chain":"case:1",'
        '"entry_id":"e1","evidence_sha256":[],"position":1}'
    )
    assert canonical_json(body) == text
    assert entry_hash(GENESIS, body) == hashlib.sha256((GENESIS + text).encode("utf-8")).hexdigest()
    # Pinned: a change to the canonical form would silently break every stored chain.
    assert entry_hash(GENESIS, body) == "4dc2a06ca71d27beac078546ab4caecdfcdd3b5e088b3649a168bbae8391d0a3"


def test_the_body_covers_every_field_and_leaves_out_absent_ones() -> None:
    entry = AuditEntry(
        chain="case:1",
        action="score.adjusted",
        actor="can-bo-xa",
        role="commune_association_officer",
        on_behalf_of="HH-001",
        reason="Thiếu minh chứng",
        before={"TC1": 2},
        after={"TC1": 1},
        criteria_set_key="gia-dinh-hoc-tap@2023.1",
        evidence_sha256=[DIGEST],
        workflow_id="recognition/2026/learning_family/HH-001",
        run_id="run-1",
        at=AT,
        entry_id="e2",
    )
    body = entry_body(entry, 7)
    assert body["position"] == 7 and body["chain"] == "case:1"
    assert set(body) == {
        "entry_id", "chain", "position", "at", "action", "actor", "role", "on_behalf_of", "reason", "before",
        "after", "criteria_set_key", "evidence_sha256", "workflow_id", "run_id",
    }  # fmt: skip
    bare = entry_body(AuditEntry(chain="c", action="a", actor="x", at=AT, entry_id="e"), 1)
    assert "reason" not in bare and "before" not in bare and bare["evidence_sha256"] == []


def test_every_field_changes_the_hash() -> None:
    base = AuditEntry(chain="case:1", action="a", actor="x", reason="r", at=AT, entry_id="e")
    reference = entry_hash(GENESIS, entry_body(base, 1))
    variants = [
        AuditEntry(chain="case:2", action="a", actor="x", reason="r", at=AT, entry_id="e"),
        AuditEntry(chain="case:1", action="b", actor="x", reason="r", at=AT, entry_id="e"),
        AuditEntry(chain="case:1", action="a", actor="y", reason="r", at=AT, entry_id="e"),
        AuditEntry(chain="case:1", action="a", actor="x", reason="s", at=AT, entry_id="e"),
        AuditEntry(
            chain="case:1", action="a", actor="x", reason="r", at=AT + timedelta(microseconds=1), entry_id="e"
        ),
        AuditEntry(chain="case:1", action="a", actor="x", reason="r", at=AT, entry_id="f"),
    ]
    hashes = {entry_hash(GENESIS, entry_body(v, 1)) for v in variants}
    assert reference not in hashes and len(hashes) == len(variants)
    assert entry_hash(GENESIS, entry_body(base, 2)) != reference  # the position is covered
    assert entry_hash("1" * 64, entry_body(base, 1)) != reference  # and so is the link


def test_vietnamese_typed_nfc_or_nfd_hashes_the_same_after_normalisation() -> None:
    def entry(text: str) -> AuditEntry:
        return AuditEntry(
            chain=f"case:{text}",
            action="score.adjusted",
            actor=text,
            reason=f"Lý do: {text}",
            before={text: text},
            after=[text],
            at=AT,
            entry_id="e",
        )

    composed, decomposed = normalized(entry(NAME)), normalized(entry(nfd(NAME)))
    assert decomposed == composed
    assert decomposed.actor == NAME and decomposed.before == {NAME: NAME}
    assert entry_hash(GENESIS, entry_body(composed, 1)) == entry_hash(GENESIS, entry_body(decomposed, 1))


def test_normalisation_converts_time_to_utc_and_digests_to_lower_case() -> None:
    hanoi = timezone(timedelta(hours=7))
    entry = normalized(
        AuditEntry(
            chain="c", action="a", actor="x", evidence_sha256=[DIGEST.upper()], at=AT.astimezone(hanoi)
        )
    )
    assert entry.at.utcoffset() == timedelta(0) and entry.at == AT
    assert entry.evidence_sha256 == [DIGEST]


@pytest.mark.parametrize(
    "changes",
    [
        {"actor": ""},
        {"chain": ""},
        {"actor": "x" * 201},
        {"evidence_sha256": ["not-a-digest"]},
        {"at": datetime(2026, 1, 1)},
        {"after": {"x": math.nan}},
    ],
)
def test_normalisation_refuses_an_entry_the_log_could_not_store(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {"chain": "c", "action": "a", "actor": "x", **changes}
    with pytest.raises(ValueError):
        normalized(AuditEntry(**fields))  # type: ignore[arg-type]
