"""Pages: one case (self-assessment or review form generated from its criteria set, steps with
If-Match, scores per level) and its timeline (the audit trail with its verify status)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from services.web import case_form as cf
from services.web import i18n
from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import gettext as _
from services.web.i18n import reason
from services.web.timeline import render_timeline
from workflows.recognition import lifecycle as lc

bp = Blueprint("cases", __name__)

HISTORY_READERS = {
    "village_officer",
    "commune_association_officer",
    "learning_centre_staff",
    "commune_chairman",
    "unit_head",
    "administrator",
    "auditor",
}
EVIDENCE_REVIEWERS = {
    "village_officer",
    "commune_association_officer",
    "learning_centre_staff",
    "administrator",
}
STAFF = HISTORY_READERS - {"auditor"}
SUPERVISORS = {"commune_association_officer", "commune_chairman", "administrator"}  # hand a case to someone
LEVELS = ("self_score", "village_score", "commune_score")
CASE_WRITERS = HISTORY_READERS - {"auditor"} | {"household_representative"}


def _not_found_or_raise(exc: ApiError) -> None:
    if exc.status == 404:
        abort(404)
    if exc.status == 403:
        abort(403)
    raise exc


def load_case(case_id: str) -> dict[str, Any]:
    """The case, its criteria set, scores and evidence, as the signed-in user may see them."""
    try:
        response = call("evaluation", "GET", f"/cases/{case_id}")
    except ApiError as exc:
        _not_found_or_raise(exc)
        raise
    criteria = call("evaluation", "GET", f"/cases/{case_id}/criteria")
    scores = {s["indicator_code"]: s for s in call("evaluation", "GET", f"/cases/{case_id}/scores")}
    evidence = call("evaluation", "GET", f"/cases/{case_id}/evidence")
    return {
        "case": response,
        "criteria_key": criteria.get("criteria_set_key"),
        "fields": cf.fields_of(criteria.get("criteria_set")),
        "scores": scores,
        "evidence": evidence,
    }


def render_case(
    case_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    problem: str | None = None,
) -> Any:
    data = load_case(case_id)
    case = data["case"]
    if not data["criteria_key"] and case["status"] == "draft":  # the workflow records its set a moment later
        return render_template(
            "case_pending.html", poll_url=url_for("cases.show", case_id=case_id, opened=1)
        ), 202
    role = g.user["role"]
    actions = cf.allowed_actions(case["status"], role)
    not_open = _window_not_open(case)
    if not_open:  # the workflow would refuse it (409 self_assessment_not_open): not offered
        actions = [a for a in actions if a != "submit"]
    column = cf.COLUMN_OF_STATUS.get(case["status"])
    prefill: dict[str, str] = {}
    for code, row in data["scores"].items():  # the self-assessment, then this level's own scores
        for col in LEVELS[: LEVELS.index(column) + 1 if column in LEVELS else 1]:
            if row.get(col) is not None:
                prefill[f"score-{code}"] = _as_field(row[col], data["fields"], code)
    return (
        render_template(
            "case.html",
            **data,
            actions=actions,
            scoring=any(a in cf.SCORING_ACTIONS for a in actions),
            column=column,
            values={**prefill, **(values or {})},
            errors=errors or {},
            problem=problem,
            can_upload=role in CASE_WRITERS and case["status"] in lc.EVIDENCE_OPEN,
            can_judge=role in EVIDENCE_REVIEWERS,
            can_read_history=role in HISTORY_READERS,
            acts_for_others=role in STAFF,
            window_not_open=not_open,
            can_claim=role in STAFF and case.get("assignee") != g.user["username"],
            can_assign=role in SUPERVISORS,
        ),
        status,
    )


def _window_not_open(case: dict[str, Any]) -> str | None:
    """While a draft's self-assessment window has not opened: the sentence saying from when it can be
    submitted (None otherwise, or when the API gives no window yet)."""
    from datetime import date, datetime

    from common.workdays import VIETNAM_TZ

    opens = (case.get("self_assessment") or {}).get("opens")
    if case["status"] != lc.DRAFT or not opens:
        return None
    day = date.fromisoformat(opens)
    if datetime.now(VIETNAM_TZ).date() >= day:
        return None
    return reason("window_not_open", year=case["year"], day=f"{day:%d/%m/%Y}")


def _as_field(value: Any, fields: list[cf.Field], code: str) -> str:
    pass_fail = next((f.pass_fail for f in fields if f.code == code), False)
    if pass_fail:
        return "true" if value else "false"
    return str(int(value))


@bp.route("/cases/<case_id>")
@login_required
def show(case_id: str) -> Any:
    try:
        return render_case(case_id)
    except Exception as exc:  # a case just opened is recorded by its workflow a moment later
        if request.args.get("opened") and getattr(exc, "code", None) == 404:
            return render_template(
                "case_pending.html", poll_url=url_for("cases.show", case_id=case_id, opened=1)
            ), 202
        raise


def on_behalf_header(form: Any) -> dict[str, str]:
    """Staff entering a household's paper form say for whom (recorded in the audit trail)."""
    who = (form.get("on_behalf_of") or "").strip()[:120]
    return {"X-On-Behalf-Of": who} if who else {}


def body_of(action: str, reason_text: str, scores: dict[str, Any], indicator: str | None) -> dict[str, Any]:
    """One step's request body."""
    body: dict[str, Any] = {"action": action, "reason": reason_text.strip()}
    if scores:
        body["scores"] = scores
    if indicator:
        body["indicator_code"] = indicator[:60]
    return body


def _changed(case_id: str, scores: dict[str, Any]) -> dict[str, Any]:
    """The scores a reviewer changed: different from this level's score, else from the one below."""
    case = call("evaluation", "GET", f"/cases/{case_id}")
    column = cf.COLUMN_OF_STATUS.get(case["status"])
    rows = {s["indicator_code"]: s for s in call("evaluation", "GET", f"/cases/{case_id}/scores")}
    changed = {}
    for code, value in scores.items():
        row = rows.get(code, {})
        current = next(
            (row[c] for c in (column, "village_score", "self_score") if c and row.get(c) is not None), None
        )
        if current is None or (bool(current) if isinstance(value, bool) else int(current)) != value:
            changed[code] = value
    return changed


@bp.route("/cases/<case_id>/steps", methods=["POST"])
@login_required
def step(case_id: str) -> Any:
    form = request.form
    action = form.get("action", "")
    reason_text = form.get("reason", "")
    values = {
        k: v
        for k, v in form.items()
        if k.startswith("score-") or k in ("reason", "indicator_code", "on_behalf_of")
    }
    errors = cf.check_step(action, reason_text)
    scores: dict[str, int | bool] = {}
    if action in cf.SCORING_ACTIONS:
        data_fields = cf.fields_of(
            call("evaluation", "GET", f"/cases/{case_id}/criteria").get("criteria_set")
        )
        scores, score_errors = cf.read_scores(data_fields, form, action)
        errors.update(score_errors)
    version = form.get("version", "")
    steps = [body_of(action, reason_text, scores, form.get("indicator_code"))]
    if action == "adjust_score" and not errors:
        changed = _changed(case_id, scores)
        if not changed:
            errors["reason"] = [reason("no_change")]
        steps = [body_of(action, reason_text, {code: value}, code) for code, value in changed.items()]
    if errors:
        flash(_("Có lỗi trong biểu mẫu, hãy sửa các ô được đánh dấu."), "error")
        return render_case(case_id, values=values, errors=errors, status=422)
    try:
        for body in steps:  # an adjustment is one step per indicator, each on the version the last one made
            result = call(
                "evaluation",
                "POST",
                f"/cases/{case_id}/steps",
                json=body,
                headers={"If-Match": f'"{version}"', **on_behalf_header(form)},
            )
            version = str(result["version"])
    except ApiError as exc:
        if exc.status == 401:
            raise
        if exc.status == 412:
            return render_case(
                case_id,
                values=values,
                status=412,
                problem=_(
                    "Hồ sơ đã được người khác thay đổi. Trang đã tải lại bản mới nhất, hãy làm lại thao tác."
                ),
            )
        return render_case(
            case_id,
            values=values,
            errors=cf.api_errors_to_fields(exc.field_messages()),
            status=exc.status if 400 <= exc.status < 500 else 502,
            problem=exc.message,
        )
    flash(_("Đã lưu."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/cases/<case_id>/claim", methods=["POST"])
@login_required
def claim(case_id: str) -> Any:
    """Take the case into my hands (someone else's claim: only a supervisor hands it on)."""
    try:
        call("evaluation", "POST", f"/cases/{case_id}/claim")
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            _not_found_or_raise(exc)
            raise
        return render_case(
            case_id, status=exc.status if 400 <= exc.status < 500 else 502, problem=exc.message
        )
    flash(_("Bạn đã nhận xử lý hồ sơ này."), "success")
    if request.form.get("back") == "inbox":  # claimed from the task list: back to it
        return redirect(url_for("tasks.inbox", mine="1"))
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/cases/<case_id>/assign", methods=["POST"])
@login_required
def assign(case_id: str) -> Any:
    """A supervisor hands the case to a staff account covering its unit, with a reason (its history
    records both; the new holder is told)."""
    form = request.form
    values = {k: form.get(k, "") for k in ("assign_username", "assign_reason")}
    username = values["assign_username"].strip()[:120]
    if not username:
        errors = {"assign_username": [_("Hãy nhập tên đăng nhập của cán bộ nhận hồ sơ.")]}
        return render_case(case_id, values=values, errors=errors, status=422)
    body = {"username": username, "reason": values["assign_reason"].strip()[:2000] or None}
    try:
        result = call("evaluation", "POST", f"/cases/{case_id}/assign", json=body)
    except ApiError as exc:
        if exc.status in (401, 403, 404):
            _not_found_or_raise(exc)
            raise
        messages = exc.field_messages()
        errors = {f"assign_{k}": v for k, v in messages.items() if k in ("username", "reason")}
        return render_case(
            case_id,
            values=values,
            errors=errors,
            status=exc.status if 400 <= exc.status < 500 else 502,
            problem=exc.message,
        )
    flash(_("Đã giao hồ sơ cho {username}.").format(username=result["assignee"]), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/cases/<case_id>/timeline")
@login_required
def timeline(case_id: str) -> Any:
    if g.user["role"] not in HISTORY_READERS:
        abort(403)
    try:
        case = call("evaluation", "GET", f"/cases/{case_id}")
        history = call("evaluation", "GET", f"/cases/{case_id}/history")
    except ApiError as exc:
        _not_found_or_raise(exc)
        raise
    return render_timeline(
        history,
        heading=f"{i18n.name_of(i18n.TITLE_NAMES, case['title'])} {case['year']} · {i18n.subject_label(case)}",
        back_url=url_for("cases.show", case_id=case_id),
        back_label=_("Quay lại hồ sơ"),
    )
