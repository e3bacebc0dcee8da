"""E-mail over SMTP with the standard library (adapter layer)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from services.notifications.config import SmtpSettings
from services.notifications.domain.errors import SendFailed
from services.notifications.service.ports import OutgoingEmail


class SmtpMailer:
    """One SMTP session per e-mail (volumes are small: notices and one digest a day per user)."""

    def __init__(self, settings: SmtpSettings) -> None:
        assert settings.host, "SMTP is disabled: no host"
        self._s = settings

    def build(self, email: OutgoingEmail) -> EmailMessage:
        """The MIME message: UTF-8 plain text, stable Message-ID, marked as automatic."""
        msg = EmailMessage()
        msg["From"] = self._s.sender
        msg["To"] = email.to
        msg["Subject"] = email.subject
        msg["Message-ID"] = email.message_id
        msg["Date"] = formatdate(usegmt=True)
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        msg.set_content(email.body, charset="utf-8")
        msg["Content-Language"] = email.language  # after set_content, which replaces Content-* headers
        return msg

    def send(self, email: OutgoingEmail) -> None:
        """Hand the e-mail to the server; a 5xx refusal is permanent, anything else may be retried."""
        s = self._s
        assert s.host is not None
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, s.password or "")
                smtp.send_message(self.build(email))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendFailed(f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(f"SMTP authentication failed: {exc.smtp_code}") from exc  # fixable: retry
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"SMTP unavailable: {exc!r}") from exc
