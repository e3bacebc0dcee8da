"""The SMTP adapter against a real SMTP server (aiosmtpd): Vietnamese subjects and bodies arrive intact,
the Message-ID is kept, a refused address is a permanent failure and a closed port a temporary one."""

from __future__ import annotations

import pytest

from services.notifications.adapters.smtp import SmtpMailer
from services.notifications.config import SmtpSettings
from services.notifications.domain.errors import SendFailed
from services.notifications.service.ports import OutgoingEmail
from tests.conftest import free_port
from tests.integration.notifications.conftest import SmtpServer

pytestmark = pytest.mark.integration

EMAIL = OutgoingEmail(
    to="lan@xa.example.vn",
    subject="Yêu cầu bổ sung minh chứng",
    body="Hồ sơ Gia đình học tập cần bổ sung minh chứng.\nMã hồ sơ: c-1\n",
    message_id="<d-1@notifications.test>",
    language="vi",
)


def _mailer(port: int) -> SmtpMailer:
    return SmtpMailer(
        SmtpSettings(host="127.0.0.1", port=port, sender="Xã hội học tập <thong-bao@test.vn>", timeout=3)
    )


def test_a_vietnamese_email_arrives_intact_with_its_message_id(smtp_server: SmtpServer) -> None:
    _mailer(smtp_server.port).send(EMAIL)
    [message] = smtp_server.received
    assert message["Subject"] == "Yêu cầu bổ sung minh chứng"
    assert message["Message-ID"] == "<d-1@notifications.test>"
    assert (
        message["To"] == "lan@xa.example.vn" and message["From"].addresses[0].display_name == "Xã hội học tập"
    )
    assert message["Auto-Submitted"] == "auto-generated" and message["Content-Language"] == "vi"
    assert message.get_content().replace("\r\n", "\n") == EMAIL.body  # SMTP carries CRLF line ends


def test_a_refused_address_is_a_permanent_failure(smtp_server: SmtpServer) -> None:
    smtp_server.refuse.add("lan@xa.example.vn")
    with pytest.raises(SendFailed) as failed:
        _mailer(smtp_server.port).send(EMAIL)
    assert failed.value.permanent and smtp_server.received == []


def test_no_server_is_a_temporary_failure() -> None:
    with pytest.raises(SendFailed) as failed:
        _mailer(free_port()).send(EMAIL)
    assert not failed.value.permanent
