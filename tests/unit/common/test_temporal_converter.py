"""The cached-hints data converter decodes exactly what the SDK's default does, and refuses the same."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from temporalio.converter import DataConverter

from common.temporal_converter import DATA_CONVERTER
from workflows.recognition import contracts as c

SCHEDULE = c.CaseSchedule(
    plan_code="plan",
    plan_version=2,
    criteria_set_key="gia-dinh-hoc-tap@2023.1",
    self_assessment_closes="2027-10-31T23:59:59+07:00",
    review_days={"village": 5, "commune": 10},
    review_working_days={"village": True, "commune": False},
    reminder_lead_days=2,
    reminder_working_days=True,
    escalation=[c.EscalationStep("commune_chairman", "commune", 3, True, "escalate")],
    days_off=["2027-09-02"],
)
STEP = c.CaseStepInput(
    case_id="case-1",
    workflow_id="wf",
    run_id="run",
    step=c.StepInput(
        action="submit",
        actor="u",
        role="household_representative",
        expected_version=1,
        scores={"1.1": 10, "2.1": True},
    ),
    from_status="draft",
    to_status="village_review",
    version=2,
)


def _round_trip(value: object, hint: type, converter: DataConverter = DATA_CONVERTER) -> object:
    payloads = converter.payload_converter.to_payloads([value])
    return converter.payload_converter.from_payloads(payloads, [hint])[0]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (SCHEDULE, c.CaseSchedule),
        (STEP, c.CaseStepInput),
        ([c.Alarm("2027-10-29", "reminder")], list[c.Alarm]),
    ],
)
def test_decodes_as_the_sdk_default_does(value: object, hint: type) -> None:
    ours = _round_trip(value, hint)
    assert ours == value == _round_trip(value, hint, DataConverter.default)
    assert type(ours) is type(value)


@dataclasses.dataclass
class _Stamped:
    at: datetime
    tags: tuple[str, ...]
    nested: dict[str, list[c.Alarm]]


@pytest.mark.parametrize(
    "value",
    [
        STEP,
        SCHEDULE,
        [c.Alarm("2027-10-29", "reminder"), None, {"k": c.Alarm("2027-10-30", "escalation")}],
        _Stamped(datetime(2027, 1, 2, 3, 4, tzinfo=UTC), ("a", "ê"), {"x": [c.Alarm("2027-10-29", "r")]}),
        {"plain": 1},
    ],
)
def test_same_bytes_as_the_sdk_default(value: object) -> None:
    """Clients and workers with either converter understand each other: a dataclass is written as a
    shallow dict of its fields, nested ones by the encoder in turn, the JSON exactly the SDK's."""
    ours = DATA_CONVERTER.payload_converter.to_payloads([value])
    assert ours == DataConverter.default.payload_converter.to_payloads([value])


def test_unknown_keys_ignored_optional_fields_defaulted() -> None:
    payload = DataConverter.default.payload_converter.to_payloads(
        [{"at": "2027-10-29", "kind": "reminder", "added_later": 1}]
    )
    assert DATA_CONVERTER.payload_converter.from_payloads(payload, [c.Alarm]) == [
        c.Alarm("2027-10-29", "reminder", -1)
    ]


def test_missing_required_field_refused() -> None:
    payload = DataConverter.default.payload_converter.to_payloads([{"kind": "reminder"}])
    with pytest.raises(TypeError):
        DATA_CONVERTER.payload_converter.from_payloads(payload, [c.Alarm])


def test_wrong_field_type_refused_with_the_field_named() -> None:
    payload = DataConverter.default.payload_converter.to_payloads([{"at": "x", "kind": "k", "step": "two"}])
    with pytest.raises(TypeError, match="step"):
        DATA_CONVERTER.payload_converter.from_payloads(payload, [c.Alarm])


@dataclasses.dataclass
class _WithDerived:
    name: str
    derived: str = dataclasses.field(init=False, default="")


def test_init_false_fields_left_to_the_sdk() -> None:
    value = _WithDerived("a")
    object.__setattr__(value, "derived", "kept")
    assert _round_trip(value, _WithDerived).derived == "kept"
