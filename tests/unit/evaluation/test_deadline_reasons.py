"""The reasons the system writes into a case's or a report's chain when a deadline passes a mark."""

from __future__ import annotations

import unicodedata

from services.evaluation.domain.deadline_reasons import deadline_reason

DUE = "2026-10-15T16:59:00+00:00"  # 23:59 in Vietnam


def test_a_reminder_names_the_step_and_the_due_instant_as_read_in_vietnam() -> None:
    reason = deadline_reason("reminder", DUE, status="draft")
    assert reason == "Nhắc hạn ở bước «Đang tự đánh giá». Hạn: 15/10/2026 23:59."
    assert unicodedata.is_normalized("NFC", reason)


def test_an_escalation_names_its_step_from_one_its_action_and_whom_it_reaches() -> None:
    reason = deadline_reason(
        "escalated",
        DUE,
        status="village_review",
        step=0,
        role="commune_association_officer",
        action="escalate",
    )
    assert reason == (
        "Chuyển cấp (bậc 1, chuyển xử lý) tới Cán bộ Hội Khuyến học xã ở bước «Thôn đang thẩm định». "
        "Hạn: 15/10/2026 23:59."
    )


def test_codes_it_does_not_know_are_kept_rather_than_dropped() -> None:
    reason = deadline_reason("escalated", DUE, status="new_status", step=2, role="new_role", action="call")
    assert reason == "Chuyển cấp (bậc 3, call) tới new_role ở bước «new_status». Hạn: 15/10/2026 23:59."


def test_the_window_opening_and_a_report_without_a_status() -> None:
    assert (
        deadline_reason("opened", DUE, status="draft") == "Đến thời gian tự đánh giá. Hạn: 15/10/2026 23:59."
    )
    assert deadline_reason("overdue", DUE) == "Quá hạn. Hạn: 15/10/2026 23:59."
