"""Per-user notification preferences: channels per category, language, digest mode (pure Python)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.notifications.domain.errors import ValidationFailed
from services.notifications.domain.model import CHANNELS
from services.notifications.domain.routing import CATEGORIES
from services.notifications.domain.templates import LANGUAGES


def all_on() -> dict[str, dict[str, bool]]:
    """Every channel on in every category: what a user who never chose gets."""
    return {category: dict.fromkeys(CHANNELS, True) for category in CATEGORIES}


@dataclass(frozen=True)
class Preferences:
    """One user's choices; a user without stored preferences has the defaults."""

    username: str
    language: str = "vi"
    digest: bool = False  # deadline notices by e-mail once a day instead of one by one
    channels: dict[str, dict[str, bool]] = field(default_factory=all_on)
    updated_at: datetime | None = None

    def allows(self, category: str, channel: str) -> bool:
        """Whether this user wants notices of a category on a channel."""
        return self.channels.get(category, {}).get(channel, True)


def channel_matrix(given: Mapping[str, Mapping[str, bool]]) -> dict[str, dict[str, bool]]:
    """The full category x channel matrix from a partial one (unnamed entries stay on); names are checked."""
    errors: dict[str, list[str]] = {}  # Vietnamese
    errors_en: dict[str, list[str]] = {}
    matrix = all_on()
    for category, switches in given.items():
        if category not in CATEGORIES:
            errors[category] = [
                f"Không có loại thông báo này; loại phải là một trong: {', '.join(CATEGORIES)}."
            ]
            errors_en[category] = [f"Unknown category; one of {', '.join(CATEGORIES)}."]
            continue
        for channel, on in switches.items():
            if channel not in CHANNELS:
                errors.setdefault(category, []).append(
                    f"Không có kênh {channel!r}; kênh phải là một trong: {', '.join(CHANNELS)}."
                )
                errors_en.setdefault(category, []).append(
                    f"Unknown channel {channel!r}; one of {', '.join(CHANNELS)}."
                )
            else:
                matrix[category][channel] = bool(on)
    if errors:
        raise ValidationFailed(
            "Tuỳ chọn kênh không hợp lệ.",
            "Invalid channel preferences.",
            errors={"channels": errors},
            errors_en={"channels": errors_en},
        )
    return matrix


def make_preferences(
    username: str, *, language: str, digest: bool, channels: Mapping[str, Mapping[str, bool]], now: datetime
) -> Preferences:
    """Validated preferences from what a user asked for."""
    if language not in LANGUAGES:
        raise ValidationFailed(
            "Ngôn ngữ không được hỗ trợ.",
            "Unsupported language.",
            errors={
                "language": [
                    f"Ngôn ngữ '{language}' không có; ngôn ngữ phải là một trong: {', '.join(LANGUAGES)}."
                ]
            },
            errors_en={"language": [f"No language '{language}'; it must be one of: {', '.join(LANGUAGES)}."]},
        )
    return Preferences(username, language, digest, channel_matrix(channels), now)
