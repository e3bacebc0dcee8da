"""Wiring from settings: the user directory only with a service token, e-mail only with an SMTP host."""

from __future__ import annotations

from common.auth import verify_token
from services.notifications.adapters.recipients import HttpRecipientResolver, UnitGroupResolver
from services.notifications.adapters.smtp import SmtpMailer
from services.notifications.bootstrap import build_resolver, build_senders, send_policy
from services.notifications.config import Settings, SmtpSettings


def test_the_directory_is_asked_with_a_self_signed_service_token_or_a_configured_one() -> None:
    settings = Settings()
    resolver = build_resolver(settings)
    assert isinstance(resolver, HttpRecipientResolver)
    principal = verify_token(resolver._token(), secret_key=settings.common.secret_key)
    assert (principal.username, principal.role, principal.scope_code) == (
        "service:notifications",
        "administrator",
        None,
    )
    static = build_resolver(Settings(service_token="t"))
    assert isinstance(static, HttpRecipientResolver) and static._token() == "t"
    assert not isinstance(resolver, UnitGroupResolver)


def test_email_is_sent_only_when_smtp_is_configured() -> None:
    assert build_senders(Settings()).channels == ("webhook",)
    senders = build_senders(Settings(smtp=SmtpSettings(host="127.0.0.1")))
    assert isinstance(senders.mailer, SmtpMailer) and senders.channels == ("email", "webhook")


def test_the_send_policy_follows_the_settings() -> None:
    policy = send_policy(Settings(send_max_attempts=4, send_lease_seconds=9, message_id_domain="x.vn"))
    assert (policy.max_attempts, policy.lease.total_seconds(), policy.message_id_domain) == (4, 9.0, "x.vn")
