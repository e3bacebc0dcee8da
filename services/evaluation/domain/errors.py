"""Evaluation domain errors (pure Python): the shared hierarchy plus this service's own."""

from __future__ import annotations

from common.errors import (
    Conflict,
    DependencyUnavailable,
    DomainError,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    QuotaExceeded,
    ValidationFailed,
)

__all__ = [
    "Conflict",
    "DependencyUnavailable",
    "DomainError",
    "InvalidTransition",
    "NotFound",
    "PreconditionFailed",
    "QuotaExceeded",
    "ValidationFailed",
    "CaseNotFound",
    "EvidenceNotFound",
    "EvidenceRejected",
    "SelfAssessmentNotOpen",
]


class CaseNotFound(NotFound):
    """No such case (or not visible to the caller)."""

    def __init__(self, case_id: str) -> None:
        super().__init__(f"Không tìm thấy hồ sơ {case_id}.", f"Case {case_id} not found.")


class EvidenceNotFound(NotFound):
    """No such evidence file."""

    def __init__(self, evidence_id: str) -> None:
        super().__init__(f"Không tìm thấy minh chứng {evidence_id}.", f"Evidence {evidence_id} not found.")


class EvidenceRejected(ValidationFailed):
    """An uploaded file is refused (empty, too large, disguised type, bad name)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(
            message_vi, message_en, errors={"file": [message_vi]}, errors_en={"file": [message_en]}
        )


class SelfAssessmentNotOpen(Conflict):
    """A submit before the plan's self-assessment window opens for the case's year (a draft may be saved)."""

    code = "self_assessment_not_open"

    def __init__(self, opens: str) -> None:
        day = opens[:10]
        shown = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
        super().__init__(
            f"Chưa đến thời gian tự đánh giá: được nộp từ ngày {shown}; có thể lưu nháp trước.",
            f"Self-assessment has not opened yet: it can be submitted from {day}; a draft can be saved before.",
            errors={"opens": day},
        )
