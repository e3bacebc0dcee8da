"""How the round's decision-page activity reports failures to its workflow: a lost optimistic race is
retried (the round must not fail because a case changed while its page was recorded); a broken rule is
final."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from common.errors import PreconditionFailed, ValidationFailed
from services.evaluation import round_activities
from services.evaluation.round_activities import RoundActivities
from workflows.yearly_round import contracts as rc

PAGE = rc.DecisionPageInput(decision_id="d1", after="", limit=10)


def _failing(exc: Exception) -> Any:
    def record_decision_page(uow: Any, *, inp: rc.DecisionPageInput) -> rc.DecisionPage:
        raise exc

    return record_decision_page


def test_a_case_changed_mid_page_is_retried_not_final(monkeypatch: pytest.MonkeyPatch) -> None:
    stale = PreconditionFailed("Hồ sơ vừa thay đổi.", "The case was changed by someone else.")
    monkeypatch.setattr(round_activities.decision_batch, "record_decision_page", _failing(stale))
    with pytest.raises(ApplicationError) as caught:
        RoundActivities(lambda: None).record_decision_page(PAGE)  # type: ignore[arg-type, return-value]
    assert caught.value.non_retryable is False and caught.value.type == "CaseChangedWhileRecording"


def test_an_unsigned_decision_is_final(monkeypatch: pytest.MonkeyPatch) -> None:
    unsigned = ValidationFailed("Quyết định chưa được ký.", "The decision is not signed.")
    monkeypatch.setattr(round_activities.decision_batch, "record_decision_page", _failing(unsigned))
    with pytest.raises(ApplicationError) as caught:
        RoundActivities(lambda: None).record_decision_page(PAGE)  # type: ignore[arg-type, return-value]
    assert caught.value.non_retryable is True and caught.value.type == "ValidationFailed"


def test_a_refusal_carries_its_message_and_field_reasons_in_both_languages_to_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from temporalio.client import WorkflowUpdateFailedError

    from services.evaluation.service.steps import _domain_error

    unsigned = ValidationFailed(
        "Quyết định chưa được ký.",
        "The decision is not signed.",
        errors={"decision_id": ["Quyết định 'd1' chưa được ký hoặc không tồn tại."]},
        errors_en={"decision_id": ["Decision 'd1' is not signed or does not exist."]},
    )
    monkeypatch.setattr(round_activities.decision_batch, "record_decision_page", _failing(unsigned))
    with pytest.raises(ApplicationError) as caught:
        RoundActivities(lambda: None).record_decision_page(PAGE)  # type: ignore[arg-type, return-value]
    assert list(caught.value.details) == [unsigned.errors, unsigned.errors_en, unsigned.message_en]
    refused = _domain_error(WorkflowUpdateFailedError(caught.value))
    assert isinstance(refused, ValidationFailed)
    assert refused.errors_for(english=False) == unsigned.errors
    assert refused.errors_for(english=True) == unsigned.errors_en
    assert refused.message_for(english=False) == "Quyết định chưa được ký."
    assert refused.message_for(english=True) == "The decision is not signed."
