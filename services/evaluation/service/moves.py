"""A subject that moves takes its open cases along: a household registered in another village, a citizen
in another household (of another village). The case's village is whose staff review it and see it in
their inbox (docs/architecture.md §17); a case in village review is no longer held by the old village's
officer who claimed it; a decided or withdrawn case stays where it was judged."""

from __future__ import annotations

from typing import Any

from services.evaluation.domain.events import CASE_VILLAGE_CHANGED, case_event
from services.evaluation.service.audit import case_entry
from workflows.recognition import lifecycle as lc

_MOVING = (("learning_family", "household"), ("learning_citizen", "citizen"))


def follow_moves(uow: Any, *, households: set[str], citizens: set[str], actor: str, file_name: str) -> int:
    """In the caller's transaction, after the register was written: each open case of a household or
    citizen now in another village is placed there, with an audit entry naming the import and the event
    `case.village_changed` (its new village's staff are told when the case waits on them). Returns how
    many cases moved."""
    if not households and not citizens:
        return 0
    subjects = {
        "household": sorted(households),
        "citizen": sorted(citizens | set(uow.subjects.citizens_of_households(sorted(households)))),
    }
    moved = 0
    names: dict[str | None, str | None] = {}  # a village's name, read once however many cases go there
    for title, kind in _MOVING:
        found = uow.cases.of_subjects(title, subjects[kind], not_in=lc.TERMINAL)
        # whose case each is, for the notices: one statement for the title's cases
        labels = uow.subjects.labels({kind: {str(case.subject_id) for case, _ in found}}) if found else {}
        for case, placed in found:
            now_in = uow.subjects.village_of(kind, case.subject_id)
            if now_in == placed["village_code"]:
                continue
            before, after = dict(placed), {"village_code": now_in, "assignee": placed["assignee"]}
            if case.status == lc.VILLAGE_REVIEW:  # the old village's claim ends: the new village reviews it
                after["assignee"] = None
            uow.progress.upsert(case.id, **after)
            if now_in not in names:
                names[now_in] = _name_of(uow, now_in)
            village_name = names[now_in]
            uow.publish(
                case_event(
                    CASE_VILLAGE_CHANGED,
                    case_id=case.id,
                    workflow_id=case.workflow_id,
                    admin_unit_code=case.admin_unit_code,
                    village_code=now_in,  # the new village's staff are told
                    village_name=village_name,
                    from_village_code=placed["village_code"],
                    subject_id=case.subject_id,
                    subject_code=labels.get((kind, str(case.subject_id)), (None, None))[0],
                    subject_name=labels.get((kind, str(case.subject_id)), (None, None))[1],
                    title=case.title,
                    year=case.year,
                    status=case.status,
                    waiting_on_role=lc.WAITING_ON.get(case.status),
                    actor=actor,
                    file_name=file_name,
                )
            )
            uow.record(
                case_entry(
                    case,
                    action=CASE_VILLAGE_CHANGED,
                    actor=actor,
                    reason=f"Sổ đăng ký nhập từ tệp “{file_name}” ghi đối tượng ở {_where(village_name, now_in)}.",
                    before=before,
                    after=after,
                )
            )
            moved += 1
    return moved


def _name_of(uow: Any, village_code: str | None) -> str | None:
    unit = uow.admin_units.get(village_code) if village_code else None
    return unit.name if unit else village_code


def _where(name: str | None, code: str | None) -> str:
    if code is None:
        return "không thôn nào"
    return f"{name} ({code})" if name and name != code else code
