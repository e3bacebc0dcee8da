"""Use cases: plans as versioned data — upload (validated), activate, read (service layer)."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from typing import Any

from common.errors import Conflict, InvalidTransition, NotFound
from services.evaluation.adapters.plan_repository import StoredPlan
from services.evaluation.documents.plans import dump_plan, load_plan, plan_to_yaml
from services.evaluation.domain.plans import Plan

_PARSED_LIMIT = 256
_parsed: dict[tuple[str, int, str], Plan] = {}
_parsed_lock = threading.Lock()


def parsed_plan(stored: StoredPlan) -> Plan:
    """A stored plan version, parsed once per process: versions are never edited (a new document is a
    new version), so (code, version, sha256) names one immutable Plan. Every case opened and every
    schedule computed used to re-parse the YAML."""
    key = (stored.code, stored.version, stored.sha256)
    plan = _parsed.get(key)
    if plan is None:
        plan = load_plan(stored.document)
        with _parsed_lock:
            if len(_parsed) >= _PARSED_LIMIT:
                _parsed.clear()
            _parsed[key] = plan
    return plan


def _active_plans(uow: Any) -> list[Plan]:
    """Every active plan, parsed; a version's document is read only the first time this process meets
    it (every case opened resolves its plan: reading every document each time was ~6 % of a request)."""
    found = []
    for key in uow.plans.active_keys():
        plan = _parsed.get(key)
        found.append(plan if plan is not None else parsed_plan(uow.plans.get(key[0], key[1])))
    return found


def recorded_version(uow: Any, code: str, version: int) -> Plan | None:
    """One version, parsed, inside the caller's unit of work; its document is read only the first time
    this process meets it (a case's page names the version its case was opened under)."""
    key = uow.plans.key(code, version)
    if key is None:
        return None
    plan = _parsed.get(key)
    return plan if plan is not None else parsed_plan(_get_or_raise(uow, code, version))


def upload_plan(uow: Any, *, document: str, uploaded_by: str) -> tuple[StoredPlan, bool]:
    """Validate and store a plan version; the same document again changes nothing (returns created=False).

    A different document under an existing (code, version) is a Conflict: versions are never edited.
    """
    plan = load_plan(document)  # raises PlanInvalid listing every problem (422)
    canonical = plan_to_yaml(plan)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    with uow:
        existing = uow.plans.get(plan.code, plan.version)
        if existing is not None:
            if existing.sha256 == digest:
                return existing, False
            raise Conflict(
                f"Kế hoạch {plan.code} phiên bản {plan.version} đã có với nội dung khác; hãy tăng số phiên bản.",
                f"Plan {plan.code} version {plan.version} exists with other content; raise the version.",
                errors={
                    "version": [f"Phiên bản {plan.version} đã có với nội dung khác; hãy tăng số phiên bản."]
                },
                errors_en={
                    "version": [f"Version {plan.version} exists with other content; raise the version."]
                },
            )
        stored = StoredPlan(
            code=plan.code,
            version=plan.version,
            name_vi=plan.name_vi,
            document=canonical,
            sha256=digest,
            status="validated",
            uploaded_by=uploaded_by,
            uploaded_at=datetime.now(UTC),
            activated_at=None,
        )
        uow.plans.add(stored)
        uow.commit()
    return stored, True


def activate_plan(uow: Any, *, code: str, version: int) -> StoredPlan:
    """Make a stored version the plan's active one (the previous one is kept, superseded)."""
    with uow:
        stored = _get_or_raise(uow, code, version)
        if stored.status == "active":
            return stored
        if stored.status == "superseded" and (active := uow.plans.active(code)) and active.version > version:
            raise InvalidTransition(
                "Không thể kích hoạt lại phiên bản cũ hơn phiên bản đang dùng.",
                "An older version cannot replace a newer active one; upload a new version instead.",
            )
        uow.plans.activate(code, version, datetime.now(UTC))
        uow.commit()
        return uow.plans.get(code, version)


def get_plan_version(uow: Any, *, code: str, version: int | None = None) -> tuple[StoredPlan, Plan]:
    """One version (the active one when no version is given), parsed."""
    with uow:
        if version is None:
            stored = uow.plans.active(code)
            if stored is None:
                raise NotFound(
                    f"Kế hoạch {code} chưa có phiên bản hiệu lực.", f"Plan {code} has no active version."
                )
        else:
            stored = _get_or_raise(uow, code, version)
    return stored, parsed_plan(stored)


def active_plan(uow: Any, *, code: str) -> Plan:
    """A plan's active version, parsed; its document is read only the first time this process meets
    that version (every case opened and every phase's schedule asks for it)."""
    with uow:
        key = uow.plans.active_key(code)
        if key is None:
            raise NotFound(
                f"Kế hoạch {code} chưa có phiên bản hiệu lực.", f"Plan {code} has no active version."
            )
        plan = _parsed.get(key)
        return plan if plan is not None else parsed_plan(_get_or_raise(uow, key[0], key[1]))


def list_plans(uow: Any) -> list[StoredPlan]:
    """Every stored plan version."""
    with uow:
        return uow.plans.list()


def plan_as_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain JSON-friendly data."""
    return dump_plan(plan)


def _get_or_raise(uow: Any, code: str, version: int) -> StoredPlan:
    stored = uow.plans.get(code, version)
    if stored is None:
        raise NotFound(
            f"Không tìm thấy kế hoạch {code} phiên bản {version}.", f"Plan {code} v{version} not found."
        )
    return stored


def resolve_plan(uow: Any, *, admin_unit_code: str, plan_code: str | None = None) -> Plan:
    """The active plan a case in this admin unit is judged under.

    With `plan_code`, that plan's active version. Without, the active plan whose locality (or one of its
    parents) is the unit or its nearest ancestor; two plans equally near are ambiguous and must be named.
    """
    from common.errors import ValidationFailed

    if plan_code:
        return active_plan(uow, code=plan_code)
    with uow:
        unit = uow.admin_units.get(admin_unit_code)
        if unit is None:
            raise ValidationFailed(
                "Không có đơn vị hành chính này.",
                "Unknown administrative unit.",
                errors={"admin_unit_code": [f"Không có đơn vị hành chính mang mã '{admin_unit_code}'."]},
                errors_en={"admin_unit_code": [f"No administrative unit has the code '{admin_unit_code}'."]},
            )
        active = _active_plans(uow)
    ancestors = unit.path.split("/")
    ranked: dict[int, list[Plan]] = {}
    for plan in active:
        codes = [plan.locality.code, *(p.code for p in plan.locality.parents)]
        depth = max((ancestors.index(code) for code in codes if code in ancestors), default=-1)
        if depth >= 0:
            ranked.setdefault(depth, []).append(plan)
    if not ranked:
        raise ValidationFailed(
            "Chưa có kế hoạch nào áp dụng cho đơn vị này.",
            "No active plan covers this unit.",
            errors={
                "admin_unit_code": [f"Không có kế hoạch đang áp dụng nào bao gồm đơn vị '{admin_unit_code}'."]
            },
            errors_en={"admin_unit_code": [f"No active plan covers unit '{admin_unit_code}'."]},
        )
    nearest = ranked[max(ranked)]
    if len(nearest) > 1:
        names = sorted(p.code for p in nearest)
        raise ValidationFailed(
            "Có nhiều kế hoạch áp dụng; hãy chọn một.",
            "Several plans cover this unit; name one.",
            errors={"plan_code": [f"Hãy chọn một trong các kế hoạch: {', '.join(names)}."]},
            errors_en={"plan_code": [f"Name one of the plans: {', '.join(names)}."]},
        )
    return nearest[0]
