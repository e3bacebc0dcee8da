"""Who may call what on the evaluation API: role, then scope, checked before a view does anything
(entrypoint layer). Wrong role: 403 before any lookup; out of scope: the resource's own 404."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from common.auth import (
    ADMINISTRATOR,
    ALL_ROLES,
    AUDITOR,
    HOUSEHOLD_REPRESENTATIVE,
    REGISTER_KEEPERS,
    REGISTER_READERS,
    Principal,
    in_scope,
    is_within,
)
from common.errors import NotFound, ValidationFailed, unknown_admin_unit
from common.web_auth import require_roles, require_scope
from services.evaluation.api.container import container
from services.evaluation.documents.plans import load_plan
from services.evaluation.domain.criteria import SUBJECT_KIND_BY_TITLE
from services.evaluation.domain.errors import CaseNotFound, EvidenceNotFound
from services.evaluation.domain.plans import Plan
from services.evaluation.service import cases, imports, plans, scopes

Roles = Iterable[str]


def signed_in() -> Principal:
    """Any signed-in user."""
    return require_roles(ALL_ROLES)


def unit_not_found(code: str) -> NotFound:
    """The answer for a unit that is unknown or outside the caller's scope."""
    return NotFound(f"Không tìm thấy đơn vị hành chính {code}.", f"Administrative unit {code} not found.")


def unit_in_scope(code: str, roles: Roles, *, field: str | None = None) -> Principal:
    """A caller of one of `roles` whose scope holds the unit `code`. An unknown unit is 422 on `field`
    when the code came in a body field, else 404; a unit outside the scope is 404."""
    require_roles(roles)
    path = scopes.unit_path(container().reader(), code=code)
    if path is None and field is not None:
        raise unknown_admin_unit(code, field)
    if path is None:
        raise unit_not_found(code)
    return require_scope(path, not_found=unit_not_found(code))


def own_household(principal: Principal, subject_id: str) -> bool:
    """Whether `principal` may see a case of `subject_id`: staff and auditors by scope alone; a household
    representative only its own household's cases."""
    return principal.role != HOUSEHOLD_REPRESENTATIVE or (
        principal.subject_id is not None and principal.subject_id == subject_id
    )


def case_in_scope(case_id: str, roles: Roles = ALL_ROLES) -> Principal:
    """A caller of one of `roles` whose scope holds the case's unit, and for a household representative
    a case of its own household (404 as for a missing case)."""
    return checked_case(case_id, roles)[0]


def checked_case(case_id: str, roles: Roles = ALL_ROLES) -> tuple[Principal, scopes.PlacedCase]:
    """As `case_in_scope`, and the case with its progress row as the check read them (a view that
    needs them next uses these instead of reading them again)."""
    require_roles(roles)
    placed = scopes.placed_case_or_raise(container().reader(), case_id=case_id)
    principal = require_scope(placed.path, not_found=CaseNotFound(case_id))
    if not own_household(principal, str(placed.case.subject_id)):
        raise CaseNotFound(case_id)
    return principal, placed


def acting_for_case(principal: Principal, case: Any) -> None:
    """Staff entering a paper form say for whom (X-On-Behalf-Of): the case's own subject or one of its
    people (`cases.speaks_for`), so the audit never records someone else's name; else 422 naming the
    header, nothing written."""
    named_subject(principal, title=case.title, subject_id=str(case.subject_id), unit=case.admin_unit_code)


def named_subject(principal: Principal, *, title: str, subject_id: str, unit: str) -> None:
    """As `acting_for_case`, for a case about to be opened (its title, subject and unit)."""
    who = principal.on_behalf_of
    if who is None or cases.speaks_for(
        container().reader(), title=title, subject_id=subject_id, admin_unit_code=unit, on_behalf_of=who
    ):
        return
    raise ValidationFailed(
        "Người được thay mặt không thuộc hồ sơ này.",
        "The person acted for does not belong to this case.",
        errors={
            "X-On-Behalf-Of": [
                f"'{who}' không phải đối tượng của hồ sơ, cũng không phải người trong sổ đăng ký của đối "
                "tượng đó: hãy ghi mã của hộ (đơn vị, dòng họ) hoặc mã công dân của một thành viên."
            ]
        },
        errors_en={
            "X-On-Behalf-Of": [
                f"'{who}' is neither the case's subject nor one of its registered people: give the "
                "household's (unit's, clan's) code or the citizen key of one of its members."
            ]
        },
    )


def evidence_in_scope(evidence_id: str, roles: Roles = ALL_ROLES) -> Principal:
    """A caller of one of `roles` whose scope holds the unit of the evidence's case (and for a household
    representative, whose household the case is)."""
    require_roles(roles)
    path, subject_id = scopes.evidence_place_or_raise(container().reader(), evidence_id=evidence_id)
    principal = require_scope(path, not_found=EvidenceNotFound(evidence_id))
    if not own_household(principal, subject_id):
        raise EvidenceNotFound(evidence_id)
    return principal


def case_opening(admin_unit_code: str, title: str, subject_id: str, roles: Roles) -> tuple[str, str]:
    """The case's unit (a commune) and the register's id of the subject a caller of one of `roles` opens
    a case for (`cases.registered_subject_id`: a register code is taken for its subject's id; a subject
    the commune's register does not hold is 422 naming `subject_id`, judged after the role and scope so
    a caller learns nothing of a register outside them). A household representative only for its own
    household: another subject, registered or not, is 404 alike.

    `admin_unit_code` names the commune, or a village of it (the case's unit is still the commune; the
    subject must live in that village, else 422 naming `subject_id`). Staff whose scope is a village
    open cases of their own village's people, naming either; a subject of another village, or of none
    (a clan, a unit), is 404 to them, as a unit outside their scope is."""
    principal = require_roles(roles)
    reader = container().reader()
    place = scopes.opening_place(reader, code=admin_unit_code)
    if place is None:
        raise unknown_admin_unit(admin_unit_code, "admin_unit_code")
    commune, commune_path, village = place
    named_path = f"{commune_path}/{village}" if village else commune_path
    inside_commune = is_within(principal.scope_path, commune_path)  # staff of one of its villages
    if not (in_scope(principal, named_path) or inside_commune):
        raise unit_not_found(admin_unit_code)
    not_found = NotFound(f"Không tìm thấy đối tượng {subject_id}.", f"Subject {subject_id} not found.")
    try:
        registered = cases.registered_subject_id(
            reader, title=title, subject_id=subject_id, admin_unit_code=commune
        )
    except ValidationFailed:
        if principal.role == HOUSEHOLD_REPRESENTATIVE:
            raise not_found from None
        raise
    if village is not None or not in_scope(principal, commune_path):
        lives_in, lives_path = scopes.subject_village(
            reader, kind=SUBJECT_KIND_BY_TITLE.get(title, ""), subject_id=registered
        )
        if village is not None and lives_in != village:
            if principal.role == HOUSEHOLD_REPRESENTATIVE:
                raise not_found  # as any subject not its own
            raise ValidationFailed(
                "Đối tượng không thuộc thôn này.",
                "The subject does not live in this village.",
                errors={"subject_id": [f"'{subject_id}' không có trong sổ đăng ký của thôn {village}."]},
                errors_en={"subject_id": [f"'{subject_id}' is not in the register of village {village}."]},
            )
        if lives_path is None or not in_scope(principal, lives_path):
            raise not_found
    if not own_household(principal, registered):
        raise not_found
    named_subject(principal, title=title, subject_id=registered, unit=commune)
    return commune, registered


def subject_in_scope(kind: str, subject_id: str, roles: Roles) -> Principal:
    """A caller of one of `roles` whose scope holds the subject's village (or commune)."""
    require_roles(roles)
    path = scopes.subject_path_or_raise(container().reader(), kind=kind, subject_id=subject_id)
    return require_scope(
        path,
        not_found=NotFound(f"Không tìm thấy đối tượng {subject_id}.", f"Subject {subject_id} not found."),
    )


def plan_in_scope(plan: Plan, roles: Roles) -> Principal:
    """A caller of one of `roles` whose scope holds the plan's locality (a plan naming no known unit:
    national users only)."""
    require_roles(roles)
    path = scopes.plan_path(container().reader(), plan)
    return require_scope(
        path, not_found=NotFound(f"Không tìm thấy kế hoạch {plan.code}.", f"Plan {plan.code} not found.")
    )


def import_commune(commune_code: str | None) -> Principal:
    """A register keeper importing a file for one commune within their scope; only national users may
    import a file whose rows name their own communes (no commune given)."""
    principal = require_roles(REGISTER_KEEPERS)
    if commune_code is not None:
        return unit_in_scope(commune_code, REGISTER_KEEPERS)
    if not principal.is_national:
        raise ValidationFailed(
            "Hãy chọn xã của tệp.",
            "Name the commune the file belongs to.",
            errors={"commune_code": ["Bắt buộc với tài khoản thuộc một đơn vị: hãy ghi mã xã của tệp."]},
            errors_en={
                "commune_code": ["Required for users scoped to a unit: give the file's commune code."]
            },
        )
    return principal


def import_run_visible(run_id: str) -> imports.ImportRun:
    """An import run, to its importer or a national user (runs record no commune to scope them by)."""
    principal = require_roles(REGISTER_KEEPERS | {AUDITOR})
    run = imports.get_import_run_or_raise(container().reader(), run_id=run_id)
    if run.created_by != principal.username and not principal.is_national:
        raise NotFound(f"Không tìm thấy lần nhập {run_id}.", f"Import run {run_id} not found.")
    return run


def plan_document_in_scope(document: str) -> Principal:
    """An administrator uploading a plan for a locality within their scope (an invalid document: 422)."""
    require_roles(ADMINISTRATOR)
    return plan_in_scope(load_plan(document), {ADMINISTRATOR})


def plan_version_in_scope(code: str, version: int) -> Principal:
    """An administrator acting on a stored plan version whose locality lies within their scope."""
    require_roles(ADMINISTRATOR)
    _, plan = plans.get_plan_version(container().reader(), code=code, version=version)
    return plan_in_scope(plan, {ADMINISTRATOR})


def register_filters(within: str | None, village: str | None) -> dict[str, str | None]:
    """Filters keeping a register listing inside the caller's scope: `within` defaults to the scope unit
    and must lie in it, so must a `village`; a caller scoped to one village sees that village only."""
    principal = require_roles(REGISTER_READERS)
    if within is not None:
        unit_in_scope(within, REGISTER_READERS)
    if village is not None:
        unit_in_scope(village, REGISTER_READERS)
    elif (
        principal.scope_code
        and scopes.unit_level(container().reader(), code=principal.scope_code) == "village"
    ):
        village = principal.scope_code
    return {"within": within or principal.scope_code, "village": village}
