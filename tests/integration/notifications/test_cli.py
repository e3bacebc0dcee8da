"""`python -m services.notifications.cli send-digests` against a real SMTP server: one digest e-mail per
user, and nothing more when run again the same day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from common.events import Event
from services.notifications.adapters.unit_of_work import SqlUnitOfWork
from services.notifications.cli import cli
from services.notifications.config import Settings
from services.notifications.domain.model import Recipient
from services.notifications.service import notices, preferences
from tests.integration.notifications.conftest import COMMUNE, SmtpServer
from tests.unit.notifications.fakes import FakeResolver

pytestmark = pytest.mark.integration


def test_send_digests_mails_each_user_once_a_day(
    settings: Settings, smtp_server: SmtpServer, uow: SqlUnitOfWork
) -> None:
    now = datetime.now(UTC)
    lan = Recipient("lan", "", "lan@xa.example.vn", "village_officer", COMMUNE)
    preferences.put_preferences(uow, username="lan", language="vi", digest=True, channels={}, now=now)
    for n in range(3):
        event = Event(
            type="case.overdue",
            source="e",
            payload={
                "admin_unit_code": COMMUNE,
                "case_id": f"c{n}",
                "waiting_on_role": "village_officer",
                "status": "village_review",
                "due_at": "2026-11-20T00:00:00+07:00",
            },
        )
        notices.handle_event(
            uow, event=event, resolver=FakeResolver(users=[lan]), email_enabled=True, now=now
        )
    env = {
        "NOTIFICATIONS_DATABASE_URL": settings.database_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
    }
    first = CliRunner().invoke(cli, ["send-digests"], env=env)
    assert first.exit_code == 0, first.output
    assert "digests: 1 made; sent 1" in first.output
    [digest] = smtp_server.received
    assert digest["To"] == "lan@xa.example.vn" and "3 hồ sơ, 3 quá hạn" in str(digest["Subject"])
    again = CliRunner().invoke(cli, ["send-digests"], env=env)
    assert "digests: 0 made; sent 0" in again.output and len(smtp_server.received) == 1


def test_send_digests_refuses_to_run_without_smtp(settings: Settings) -> None:
    result = CliRunner().invoke(
        cli, ["send-digests"], env={"NOTIFICATIONS_DATABASE_URL": settings.database_url, "SMTP_HOST": ""}
    )
    assert result.exit_code != 0 and "SMTP_HOST" in result.output
