"""Who may call what on the notifications API (entrypoint layer).

Inbox, unread count, mark read and preferences belong to the calling user: a user reads and marks their
own inbox (and the group inbox `unit:<code>` of the unit they answer for, used when no user directory
is configured), and reads and sets their own preferences. Naming another user is 403; an inbox item of
another user is answered like a missing one (404). Webhooks, deliveries and dead letters are for
administrators (which includes the internal service token). No token: 401 (common/web_auth).
"""

from __future__ import annotations

from common.auth import ADMINISTRATOR, PermissionDenied, Principal
from common.web_auth import current_principal, require_roles

__all__ = ["administrator", "current_principal", "inbox_owner", "own_recipients", "preferences_owner"]

GROUP_PREFIX = "unit:"


def own_recipients(principal: Principal) -> frozenset[str]:
    """The inboxes a principal may read: their own, and their unit's group inbox."""
    mine = {principal.username}
    if principal.scope_code:
        mine.add(f"{GROUP_PREFIX}{principal.scope_code}")
    return frozenset(mine)


def inbox_owner(requested: str | None) -> str:
    """The inbox the caller asks for (their own by default); PermissionDenied for anyone else's."""
    principal = current_principal()
    if requested is None:
        return principal.username
    if requested not in own_recipients(principal):
        raise PermissionDenied("Bạn chỉ xem được hộp thư của mình.", "You may only use your own inbox.")
    return requested


def preferences_owner(username: str) -> str:
    """The caller, if the preferences named are theirs; PermissionDenied otherwise."""
    if current_principal().username != username:
        raise PermissionDenied(
            "Bạn chỉ xem và đặt được tùy chọn của mình.", "You may only read and set your own preferences."
        )
    return username


def administrator() -> Principal:
    """The caller, if an administrator; PermissionDenied otherwise."""
    return require_roles(ADMINISTRATOR)
