"""Awards domain errors (pure Python)."""

from __future__ import annotations

from typing import Any

from common.errors import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed


class RoundNotFound(NotFound):
    """No such award round."""

    def __init__(self, round_id: str) -> None:
        super().__init__(f"Không tìm thấy đợt khen thưởng {round_id}.", f"Award round {round_id} not found.")


class NominationNotFound(NotFound):
    """No such nomination."""

    def __init__(self, nomination_id: str) -> None:
        super().__init__(
            f"Không tìm thấy hồ sơ đề nghị {nomination_id}.", f"Nomination {nomination_id} not found."
        )


class RoundExists(Conflict):
    """A round with the same natural key exists already."""

    def __init__(self, round_id: str) -> None:
        super().__init__(
            "Đợt khen thưởng này đã tồn tại.",
            "This award round already exists.",
            errors={"existing_id": round_id},
        )


class WrongPhase(InvalidTransition):
    """The round is not in the phase this action needs."""

    def __init__(self, phase: str, needed: str) -> None:
        super().__init__(
            f"Đợt khen thưởng đang ở bước '{phase}', thao tác này cần bước '{needed}'.",
            f"The round is in phase '{phase}'; this needs phase '{needed}'.",
            errors={
                "phase": [f"Đợt khen thưởng đang ở bước '{phase}'."],
                "needed": [f"Thao tác này chỉ làm được ở bước '{needed}'."],
            },
            errors_en={
                "phase": [f"The round is in phase '{phase}'."],
                "needed": [f"This is done only in phase '{needed}'."],
            },
        )


class NotEligible(ValidationFailed):
    """The nominee does not meet every rule: `errors.eligibility` lists each unmet rule."""

    code = "not_eligible"

    def __init__(self, unmet: list[dict[str, Any]]) -> None:
        super().__init__(
            "Đối tượng chưa đủ điều kiện khen thưởng.",
            "The nominee is not eligible.",
            errors={"eligibility": unmet},
        )


# conflict_of_interest()'s reasons, as a refusal names them (Vietnamese, English).
_CONFLICT_REASONS = {
    "same_household": (
        "Thành viên hội đồng cùng hộ gia đình với đối tượng được đề nghị (same_household).",
        "The council member belongs to the nominee's household (same_household).",
    ),
    "same_unit": (
        "Thành viên hội đồng cùng đơn vị với đối tượng được đề nghị (same_unit).",
        "The council member belongs to the nominee's unit (same_unit).",
    ),
}


class ConflictOfInterest(DomainError):
    """A council member may not score a nominee of their own household or unit."""

    status = 409
    code = "conflict_of_interest"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Thành viên hội đồng không được chấm hồ sơ của hộ gia đình hoặc đơn vị mình.",
            "A council member may not score a nominee of their own household or unit.",
            errors={"conflict": [_CONFLICT_REASONS.get(reason, (reason, reason))[0]]},
            errors_en={"conflict": [_CONFLICT_REASONS.get(reason, (reason, reason))[1]]},
        )


class NotCouncilMember(DomainError):
    """Only the round's council members score."""

    status = 403
    code = "forbidden"

    def __init__(self) -> None:
        super().__init__(
            "Bạn không phải thành viên hội đồng của đợt này.", "You are not on this round's council."
        )
