"""Fakes of the notifications ports for unit and service tests: a user directory, a mailer, a webhook
poster and a publisher that record what they were asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.notifications.domain.errors import RecipientsUnavailable, SendFailed
from services.notifications.domain.model import Recipient
from services.notifications.service.ports import OutgoingEmail


@dataclass
class FakeResolver:
    """A user directory from a list: users of a role whose scope is the unit or one of its parents."""

    users: list[Recipient] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)  # unit code -> parent unit code
    locked: list[Recipient] = field(default_factory=list)  # accounts the unit lookups skip
    down: bool = False
    asked: list[tuple[str, str]] = field(default_factory=list)

    def resolve(self, role: str, admin_unit_code: str, subject_id: str | None = None) -> list[Recipient]:
        self.asked.append((role, admin_unit_code))
        if self.down:
            raise RecipientsUnavailable("connection refused")
        chain, code = {admin_unit_code}, admin_unit_code
        while code in self.parents:
            code = self.parents[code]
            chain.add(code)
        return [
            u
            for u in self.users
            if u.role == role and u.scope_code in chain and (subject_id is None or u.subject_id == subject_id)
        ]

    def account(self, username: str) -> Recipient | None:
        self.asked.append(("account", username))
        if self.down:
            raise RecipientsUnavailable("connection refused")
        return next((u for u in [*self.users, *self.locked] if u.username == username), None)


@dataclass
class FakeMailer:
    """Keeps the e-mails; fails with the queued errors first."""

    sent: list[OutgoingEmail] = field(default_factory=list)
    failures: list[SendFailed] = field(default_factory=list)

    def send(self, email: OutgoingEmail) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(email)


@dataclass
class FakeWebhooks:
    """Keeps the requests; fails with the queued errors first."""

    posted: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    failures: list[SendFailed] = field(default_factory=list)
    tries: int = 0

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        self.tries += 1
        if self.failures:
            raise self.failures.pop(0)
        self.posted.append((url, body, headers))


@dataclass
class FakePublisher:
    """Keeps the published messages."""

    published: list[tuple[Any, str, str | None]] = field(default_factory=list)
    down: bool = False

    def publish(self, body: Any, *, routing_key: str, message_id: str | None) -> None:
        from services.notifications.domain.errors import DependencyUnavailable

        if self.down:
            raise DependencyUnavailable("broker", "refused")
        self.published.append((body, routing_key, message_id))
