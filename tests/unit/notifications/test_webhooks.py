"""Webhook bodies and HMAC-SHA256 signatures, as a receiver verifies them (pure)."""

from __future__ import annotations

import hashlib
import hmac
import json

from common.events import Event
from services.notifications.domain.templates import Rendered
from services.notifications.domain.webhooks import sign, verify, webhook_body

EVENT = Event(type="case.submitted", source="evaluation", payload={"case_id": "c1", "actor": "Lê Thị Hoa"})


def _body() -> str:
    return webhook_body(
        EVENT, recipient="lan", delivery_id="d1", language="vi", notice=Rendered("Tiêu đề", "Nội dung")
    )


def test_the_body_carries_the_event_and_the_notice_deterministically() -> None:
    assert _body() == _body()
    document = json.loads(_body())
    assert document["event"] == EVENT.to_message()
    assert document["notice"] == {"language": "vi", "subject": "Tiêu đề", "body": "Nội dung"}
    assert document["delivery_id"] == "d1" and document["recipient"] == "lan"
    assert "Lê Thị Hoa" in _body()  # UTF-8, not \\u escapes


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    body = _body().encode()
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert sign("s3cret", body) == f"sha256={expected}"


def test_a_receiver_accepts_only_the_exact_body_with_the_shared_secret() -> None:
    body = _body().encode()
    header = sign("s3cret", body)
    assert verify("s3cret", body, header)
    assert not verify("other", body, header)
    assert not verify("s3cret", body.replace(b"c1", b"c2"), header)
    assert not verify("s3cret", body, None)


def test_a_bad_scope_or_url_is_refused_with_the_reason_in_both_languages() -> None:
    from datetime import UTC, datetime

    import pytest

    from services.notifications.domain.errors import ValidationFailed
    from services.notifications.service.webhooks import subscribe

    now = datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as refused:  # refused before the database is touched
        subscribe(None, scope="team", owner="x", url="https://hooks.example/x", now=now)  # type: ignore[arg-type]
    assert refused.value.errors == {
        "scope": ["Phạm vi 'team' không có; phạm vi phải là một trong: user, unit."]
    }
    assert refused.value.errors_en == {"scope": ["No scope 'team'; it must be one of: user, unit."]}
    with pytest.raises(ValidationFailed) as refused:
        subscribe(None, scope="user", owner="x", url="ftp://x", now=now)  # type: ignore[arg-type]
    assert refused.value.errors == {"url": ["Phải là địa chỉ http(s) đầy đủ, ví dụ https://example.vn/hook."]}
    assert refused.value.errors_en == {"url": ["Must be a full http(s) URL, e.g. https://example.vn/hook."]}
