"""Awards domain errors (pure Python)."""

from __future__ import annotations

from common.errors import Conflict, NotFound


class RoundNotFound(NotFound):
    """No such award round."""

    def __init__(self, round_id: str) -> None:
        super().__init__(f"Không tìm thấy đợt khen thưởng {round_id}.", f"Award round {round_id} not found.")


class RoundExists(Conflict):
    """A round with the same natural key exists already."""

    def __init__(self, round_id: str) -> None:
        super().__init__(
            "Đợt khen thưởng này đã tồn tại.",
            "This award round already exists.",
            errors={"existing_id": round_id},
        )
