"""Notifications settings from the environment: e-mail off unless SMTP_HOST is set, secrets never shown."""

from __future__ import annotations

from services.notifications.config import Settings


def test_email_is_disabled_on_the_embedded_stack() -> None:
    settings = Settings.from_env({})
    assert settings.smtp.enabled is False and settings.service_token == ""


def test_smtp_is_configured_by_environment() -> None:
    settings = Settings.from_env(
        {
            "SMTP_HOST": "mail.example.vn",
            "SMTP_PORT": "587",
            "SMTP_STARTTLS": "true",
            "SMTP_FROM": "Thông báo <tb@example.vn>",
            "SMTP_PASSWORD": "pw-123",
            "NOTIFICATIONS_SERVICE_TOKEN": "tok-456",
        }
    )
    smtp = settings.smtp
    assert (smtp.enabled, smtp.host, smtp.port, smtp.starttls, smtp.sender) == (
        True,
        "mail.example.vn",
        587,
        True,
        "Thông báo <tb@example.vn>",
    )
    assert "pw-123" not in repr(settings) and "tok-456" not in repr(settings)
