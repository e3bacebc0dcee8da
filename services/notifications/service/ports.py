"""Ports of the notifications service: what the use cases need from the outside (service layer)."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from services.notifications.domain.model import Recipient


class RecipientResolver(Protocol):
    """The owning service's user directory.

    Raises RecipientsUnavailable when it cannot be asked (the event waits), RecipientLookupRejected when
    it refuses the question.
    """

    def resolve(self, role: str, admin_unit_code: str, subject_id: str | None = None) -> list[Recipient]:
        """Users holding `role` whose scope contains `admin_unit_code` (and, given `subject_id`, only the
        accounts linked to that household)."""
        ...

    def account(self, username: str) -> Recipient | None:
        """The account named `username`, active or locked, whatever its scope (a national one too); None
        when there is none."""
        ...


@dataclass(frozen=True)
class OutgoingEmail:
    """One plain-text e-mail; the Message-ID is stable across re-sends so clients drop a duplicate."""

    to: str
    subject: str
    body: str
    message_id: str
    language: str = "vi"


class Mailer(Protocol):
    """Sends e-mail; raises SendFailed (permanent for a refused address)."""

    def send(self, email: OutgoingEmail) -> None:
        """Hand one e-mail to the mail server."""
        ...


class WebhookPoster(Protocol):
    """POSTs a body; raises SendFailed (permanent for a 4xx other than 408/429)."""

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        """Deliver one webhook request."""
        ...


class EventPublisher(Protocol):
    """Puts a message back on the events exchange; raises DependencyUnavailable when the broker is down."""

    def publish(self, body: Any, *, routing_key: str, message_id: str | None) -> None:
        """Publish one message, persistent."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the notifications repositories (see adapters/unit_of_work.py).

    Leaving the block without commit rolls back; a unique-key clash surfaces as Conflict and an
    unreachable database as DependencyUnavailable.
    """

    inbox: Any
    processed: Any
    dead_letters: Any
    deliveries: Any
    digests: Any
    preferences: Any
    subscriptions: Any

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None:
        """Commit the transaction."""
        ...
