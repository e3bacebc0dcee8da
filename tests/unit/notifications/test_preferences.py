"""Per-user preferences: defaults, partial channel choices, validation (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain.errors import ValidationFailed
from services.notifications.domain.preferences import Preferences, channel_matrix, make_preferences

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def test_a_user_who_never_chose_gets_everything_in_vietnamese_without_digest() -> None:
    prefs = Preferences("lan")
    assert prefs.language == "vi" and prefs.digest is False
    assert all(
        prefs.allows(category, channel)
        for category in prefs.channels
        for channel in ("inbox", "email", "webhook")
    )


def test_channels_not_named_stay_on() -> None:
    matrix = channel_matrix({"deadlines": {"email": False}})
    assert matrix["deadlines"] == {"inbox": True, "email": False, "webhook": True}
    assert matrix["cases"]["email"] is True


def test_unknown_categories_and_channels_are_refused_by_name() -> None:
    with pytest.raises(ValidationFailed) as refused:
        channel_matrix({"gossip": {"email": True}, "cases": {"sms": True}})
    assert set(refused.value.errors["channels"]) == {"gossip", "cases"}
    assert refused.value.errors["channels"]["cases"] == [
        "Không có kênh 'sms'; kênh phải là một trong: inbox, email, webhook."
    ]
    assert refused.value.errors_en["channels"]["cases"] == [
        "Unknown channel 'sms'; one of inbox, email, webhook."
    ]
    assert refused.value.errors_en["channels"]["gossip"][0].startswith("Unknown category; one of cases, ")
    assert refused.value.errors["channels"]["gossip"][0].startswith(
        "Không có loại thông báo này; loại phải là"
    )


def test_only_supported_languages_are_accepted() -> None:
    assert make_preferences("lan", language="en", digest=True, channels={}, now=NOW).language == "en"
    with pytest.raises(ValidationFailed) as refused:
        make_preferences("lan", language="fr", digest=False, channels={}, now=NOW)
    assert refused.value.errors == {
        "language": ["Ngôn ngữ 'fr' không có; ngôn ngữ phải là một trong: vi, en."]
    }
    assert refused.value.errors_en == {"language": ["No language 'fr'; it must be one of: vi, en."]}
