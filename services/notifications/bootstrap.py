"""Wiring of the notifications adapters from Settings, shared by the API, the consumer and the CLI
(composition helpers: only entrypoints call these)."""

from __future__ import annotations

import logging
from datetime import timedelta

from common.auth import service_token_provider
from services.notifications.adapters.recipients import HttpRecipientResolver
from services.notifications.adapters.smtp import SmtpMailer
from services.notifications.adapters.url_guard import WebhookUrlGuard
from services.notifications.adapters.webhook_poster import HttpWebhookPoster
from services.notifications.config import Settings
from services.notifications.service.dispatch import Senders, SendPolicy
from services.notifications.service.ports import RecipientResolver

logger = logging.getLogger(__name__)


def build_senders(settings: Settings) -> Senders:
    """E-mail when SMTP is configured, webhooks always."""
    return Senders(
        mailer=SmtpMailer(settings.smtp) if settings.smtp.enabled else None,
        webhooks=HttpWebhookPoster(timeout=settings.webhook_timeout, guard=build_url_guard(settings)),
    )


def build_url_guard(settings: Settings) -> WebhookUrlGuard:
    """The SSRF guard for webhook URLs, with the configured allow-list."""
    return WebhookUrlGuard(settings.webhook_allow_networks)


def send_policy(settings: Settings) -> SendPolicy:
    """Retry bounds and the Message-ID domain from the settings."""
    return SendPolicy(
        max_attempts=settings.send_max_attempts,
        lease=timedelta(seconds=settings.send_lease_seconds),
        webhook_tries=settings.webhook_tries,
        message_id_domain=settings.message_id_domain,
    )


def build_resolver(settings: Settings) -> RecipientResolver:
    """The evaluation service's user directory. The service signs its own short-lived token with the
    secret the services share (a static NOTIFICATIONS_SERVICE_TOKEN overrides it)."""
    static = settings.service_token
    token = (
        (lambda: static)
        if static
        else service_token_provider(
            "notifications",
            secret_key=settings.common.secret_key,
            max_age_seconds=settings.common.token_max_age_seconds,
        )
    )
    return HttpRecipientResolver(
        settings.common.evaluation_url,
        token=token,
        ttl=settings.recipient_cache_seconds,
        timeout=settings.recipient_timeout,
    )
