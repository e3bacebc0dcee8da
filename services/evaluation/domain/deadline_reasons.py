"""The reason the system writes into the audit trail when a deadline passes a mark, in the users'
language (Vietnamese), with the due instant as read in Vietnam."""

from __future__ import annotations

from common.local_time import as_read_in_vietnam
from common.names import ROLE_NAMES, STATUS_NAMES

_KIND = {
    "opened": "Đến thời gian tự đánh giá",
    "scheduled": "Hạn mới",
    "reminder": "Nhắc hạn",
    "overdue": "Quá hạn",
    "escalated": "Chuyển cấp",
}
_ACTION = {"remind": "nhắc việc", "escalate": "chuyển xử lý"}


def deadline_reason(
    kind: str,
    due_at: str,
    *,
    status: str | None = None,
    step: int = -1,
    role: str | None = None,
    action: str | None = None,
) -> str:
    """E.g. "Chuyển cấp (bậc 1, chuyển xử lý) tới Cán bộ Hội Khuyến học xã ở bước «Thôn đang thẩm định».
    Hạn: 15/10/2026 23:59." Unknown codes are kept as they are rather than dropped."""
    head = _KIND.get(kind, kind)
    if step >= 0:
        how = _ACTION.get(action or "", action or "")
        head += f" (bậc {step + 1}{', ' + how if how else ''})"
        if role:
            head += f" tới {ROLE_NAMES.get(role, (role,))[0]}"
    named = status and kind != "opened"  # the window's opening is the self-assessment's own start
    where = f" ở bước «{STATUS_NAMES.get(status, (status,))[0]}»" if named else ""
    return f"{head}{where}. Hạn: {as_read_in_vietnam(due_at, 'vi', with_time=True)}."
