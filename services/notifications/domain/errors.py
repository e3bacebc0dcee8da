"""Notifications domain errors (pure Python): the shared hierarchy plus this service's own."""

from __future__ import annotations

from common.errors import (
    AlreadyExists,
    Conflict,
    DependencyUnavailable,
    DomainError,
    NotFound,
    ValidationFailed,
)

__all__ = [
    "AlreadyExists",
    "Conflict",
    "DependencyUnavailable",
    "DomainError",
    "NotFound",
    "ValidationFailed",
    "RecipientsUnavailable",
    "RecipientLookupRejected",
    "SendFailed",
    "InboxItemNotFound",
    "DeadLetterNotFound",
    "AlreadyReplayed",
    "SubscriptionNotFound",
]


class RecipientsUnavailable(DependencyUnavailable):
    """The user directory cannot be asked right now: the message waits for redelivery, never dead-lettered."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("evaluation", detail)


class RecipientLookupRejected(DomainError):
    """The user directory refused the question itself (400/422): retrying the same message cannot help."""

    code = "recipient_lookup_rejected"


class SendFailed(Exception):
    """A channel could not send; `permanent` failures (address refused, 4xx) are not retried."""

    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent


class InboxItemNotFound(NotFound):
    """No such inbox item."""

    def __init__(self, item_id: str) -> None:
        super().__init__(f"Không tìm thấy thông báo {item_id}.", f"Inbox item {item_id} not found.")


class DeadLetterNotFound(NotFound):
    """No such dead letter."""

    def __init__(self, dead_letter_id: int) -> None:
        super().__init__(
            f"Không tìm thấy thư lỗi {dead_letter_id}.", f"Dead letter {dead_letter_id} not found."
        )


class AlreadyReplayed(Conflict):
    """A dead letter is replayed once; replay the new dead letter if it failed again."""

    code = "already_replayed"

    def __init__(self, dead_letter_id: int) -> None:
        super().__init__(
            f"Thư lỗi {dead_letter_id} đã được gửi lại.",
            f"Dead letter {dead_letter_id} was already replayed.",
        )


class SubscriptionNotFound(NotFound):
    """No such webhook subscription."""

    def __init__(self, subscription_id: str) -> None:
        super().__init__(
            f"Không tìm thấy đăng ký webhook {subscription_id}.",
            f"Webhook subscription {subscription_id} not found.",
        )
