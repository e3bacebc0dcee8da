"""Pages: the commune's yearly round — open it, its phase and dates, the decision list, objections
during the posting, the council's minutes, the chairman's signature and the documents to download; after
the round's decision, supplementary lists, their signature, the round's closing, and the chairman's
amending decisions (a correction or a revocation of a recorded decision)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import gettext as _
from services.web.i18n import reason
from services.web.timeline import render_timeline

bp = Blueprint("rounds", __name__)

ROUND_MANAGERS = {"commune_association_officer", "commune_chairman", "administrator"}
OBJECTION_TAKERS = {
    "village_officer",
    "commune_association_officer",
    "learning_centre_staff",
    "commune_chairman",
    "administrator",
}
COUNCIL_SECRETARIES = {
    "commune_association_officer",
    "learning_centre_staff",
    "commune_chairman",
    "administrator",
}
SIGNERS = {"commune_chairman"}
SUPPLEMENT_PHASES = ("recording", "documents", "supplementary", "supplement_signature", "closed")
WORKING_PHASES = ("recording", "documents")  # the workflow records and writes documents: the page polls
NOT_READERS = {"household_representative"}  # households follow their own cases, not the round
ROUND_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
PAGE_SIZE = 20
AMENDABLE = ("recognition", "supplementary")  # the decisions an amending decision may correct or revoke
AMEND_KINDS = ("correction", "revocation")


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _lines(raw: str) -> list[str]:
    return [line.strip()[:200] for line in raw.splitlines() if line.strip()]


def _api_fields(exc: ApiError) -> dict[str, list[str]]:
    return {k.split(".")[0]: v for k, v in exc.field_messages().items()}


def render_round(
    round_id: str,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Any:
    rnd = call("evaluation", "GET", f"/rounds/{round_id}")
    decision_list = call("evaluation", "GET", f"/rounds/{round_id}/decision-list", params={"limit": 500})
    try:
        documents = call("evaluation", "GET", f"/rounds/{round_id}/documents")["items"]
    except ApiError as exc:
        if exc.status == 401:
            raise
        documents = []
    files: dict[str, list[dict[str, Any]]] = {}  # a decision's DOCX and PDF
    minutes: dict[str, dict[str, Any]] = {}  # the council's minutes (JSON, DOCX, PDF): stored once, linked
    for doc in documents:  # from every main decision, shown once
        if doc["kind"].startswith("minutes"):
            minutes.setdefault(doc["kind"], doc)
        else:
            files.setdefault(doc.get("decision_id") or "", []).append(doc)
    supplementary: list[dict[str, Any]] = []
    if rnd["phase"] in SUPPLEMENT_PHASES:  # after the round's decision: the supplementary decisions' lists
        supplementary = call(
            "evaluation",
            "GET",
            f"/rounds/{round_id}/decision-list",
            params={"kind": "supplementary", "limit": 1000},
        )["items"]
    decisions = {d["id"]: d for d in rnd.get("decisions") or []}
    amendable = [  # what the chairman may correct or revoke: the round's recorded decisions of recognition
        d for d in decisions.values() if d.get("kind") in AMENDABLE and d.get("status") == "recorded"
    ]
    recognised: dict[str, list[dict[str, Any]]] = {}  # a decision's recognised items, to pick from
    revoked: set[tuple[str, str]] = set()  # (decision, subject) revoked since by an amending decision
    for item in [*decision_list["items"], *supplementary]:
        if item.get("outcome") == "recognised" and item.get("decision_id"):
            recognised.setdefault(item["decision_id"], []).append(item)
        if item.get("revoked"):
            revoked.add((item["decision_id"], item["subject_id"]))
    role = g.user["role"]
    return render_template(
        "round_detail.html",
        rnd=rnd,
        items=decision_list["items"],
        total=decision_list["total"],
        documents=documents,
        files=files,
        minutes=list(minutes.values()),
        supplementary=supplementary,
        decisions=decisions,
        amendable=amendable,
        recognised=recognised,
        revoked=revoked,
        certificates=rnd["phase"] in ("supplementary", "supplement_signature", "closed"),
        working=rnd["phase"] in WORKING_PHASES,
        errors=errors or {},
        values=values or {},
        problem=problem,
        can_object=role in OBJECTION_TAKERS and rnd["phase"] == "posting",
        can_minute=role in COUNCIL_SECRETARIES and rnd["phase"] == "council",
        can_sign=role in SIGNERS and rnd["phase"] == "awaiting_signature",
        can_supplement=role in ROUND_MANAGERS and rnd["phase"] == "supplementary",
        can_sign_supplement=role in SIGNERS and rnd["phase"] == "supplement_signature",
        can_close=role in ROUND_MANAGERS and rnd["phase"] == "supplementary",
        can_amend=role in SIGNERS and bool(amendable),
        today=date.today().isoformat(),
    ), status


@bp.route("/round", methods=["GET", "POST"])
@login_required
def start() -> Any:
    """Open (or find again: opening is idempotent) the round of my commune for a year."""
    errors: dict[str, list[str]] = {}
    year = request.values.get("year", str(date.today().year)).strip()
    round_id = request.args.get("id", "").strip()
    if round_id and ROUND_ID.match(round_id):
        return redirect(url_for("rounds.show", round_id=round_id))
    if request.method == "POST":
        if not year.isdigit() or not 2023 <= int(year) <= 2030:
            errors["year"] = [reason("year")]
        else:
            try:
                opened = call(
                    "evaluation",
                    "POST",
                    "/rounds",
                    json={"admin_unit_code": g.user.get("scope_code") or "", "year": int(year)},
                )
                return redirect(url_for("rounds.show", round_id=opened["id"], opened=1))
            except ApiError as exc:
                if exc.status == 401:
                    raise
                fields = _api_fields(exc)
                errors["year"] = fields.get("year") or fields.get("admin_unit_code") or [exc.message]
    return render_template(
        "round.html",
        year=year,
        errors=errors,
        can_open=g.user["role"] in ROUND_MANAGERS,
        **_round_list(request.args.get("offset", "")),
    ), (422 if errors else 200)


def _round_list(raw_offset: str) -> dict[str, Any]:
    """A page of the rounds within the user's scope (GET /rounds), for the table on /round."""
    offset = int(raw_offset) if raw_offset.isdigit() and int(raw_offset) <= 100_000 else 0
    found: dict[str, Any] = {"rounds": [], "total": 0, "offset": offset, "page_size": PAGE_SIZE}
    if g.user["role"] in NOT_READERS:
        return {**found, "rounds": None}
    try:
        page = call("evaluation", "GET", "/rounds", params={"limit": PAGE_SIZE, "offset": offset})
    except ApiError as exc:
        if exc.status == 401:
            raise
        return {**found, "rounds_problem": exc.message}
    return {**found, "rounds": page["items"], "total": page["total"]}


@bp.route("/rounds/<round_id>")
@login_required
def show(round_id: str) -> Any:
    try:
        return render_round(round_id)
    except ApiError as exc:
        if exc.status == 404 and request.args.get("opened"):
            return render_template(
                "case_pending.html", poll_url=url_for("rounds.show", round_id=round_id, opened=1)
            ), 202
        raise


@bp.route("/rounds/<round_id>/timeline")
@login_required
def timeline(round_id: str) -> Any:
    """The round's audit trail: who opened, posted, heard objections, voted, signed and amended, and why."""
    rnd = call("evaluation", "GET", f"/rounds/{round_id}")
    history = call("evaluation", "GET", f"/rounds/{round_id}/history")
    return render_timeline(
        history,
        heading=f"{_('Kỳ xét công nhận')} {rnd['year']} · {rnd.get('admin_unit_name') or rnd['admin_unit_code']}",
        back_url=url_for("rounds.show", round_id=round_id),
        back_label=_("Quay lại kỳ xét"),
    )


def _after(
    round_id: str,
    send: Any,
    errors: dict[str, list[str]],
    values: dict[str, Any],
    *,
    fields: Callable[[ApiError], dict[str, list[str]]] = _api_fields,
    saved: Callable[[Any], str] | None = None,
) -> Any:
    """Send the step when the form is right; a refusal re-renders the round with the API's message (and
    its field errors through `fields`), success redirects back with `saved(answer)` or "Đã lưu."."""
    if errors:
        flash(_("Có lỗi trong biểu mẫu, hãy sửa các ô được đánh dấu."), "error")
        return render_round(round_id, errors=errors, values=values, status=422)
    try:
        answer = send()
    except ApiError as exc:
        if exc.status == 401:
            raise
        if exc.status == 412:
            return render_round(
                round_id,
                values=values,
                status=412,
                problem=_(
                    "Hồ sơ đã được người khác thay đổi. Trang đã tải lại bản mới nhất, hãy làm lại thao tác."
                ),
            )
        return render_round(
            round_id,
            errors=fields(exc),
            values=values,
            status=exc.status if 400 <= exc.status < 500 else 502,
            problem=exc.message,
        )
    flash(saved(answer) if saved else _("Đã lưu."), "success")
    return redirect(url_for("rounds.show", round_id=round_id))


def _if_match(form: Any) -> dict[str, str]:
    return {"If-Match": f'"{form.get("version", "")}"'}


@bp.route("/rounds/<round_id>/objections", methods=["POST"])
@login_required
def object_to(round_id: str) -> Any:
    f = request.form
    values = {k: f.get(k, "").strip() for k in ("filed_by", "content", "case_id")}
    errors = {k: [reason("required")] for k in ("filed_by", "content") if not values[k]}
    body = {k: v for k, v in values.items() if v}
    return _after(
        round_id,
        lambda: call("evaluation", "POST", f"/rounds/{round_id}/objections", json=body),
        errors,
        values,
    )


@bp.route("/rounds/<round_id>/objections/<objection_id>/resolve", methods=["POST"])
@login_required
def resolve(round_id: str, objection_id: str) -> Any:
    f = request.form
    values = {"resolution": f.get("resolution", "").strip(), "upheld": f.get("upheld", "")}
    errors: dict[str, list[str]] = {}
    if not values["resolution"]:
        errors["resolution"] = [reason("required")]
    if values["upheld"] not in ("true", "false"):
        errors["upheld"] = [reason("choice")]
    body = {"resolution": values["resolution"], "upheld": values["upheld"] == "true"}
    path = f"/rounds/{round_id}/objections/{objection_id}/resolve"
    return _after(
        round_id, lambda: call("evaluation", "POST", path, json=body, headers=_if_match(f)), errors, values
    )


@bp.route("/rounds/<round_id>/council", methods=["POST"])
@login_required
def council(round_id: str) -> Any:
    f = request.form
    values = {k: f.get(k, "") for k in f if k != "csrf_token"}
    errors: dict[str, list[str]] = {}
    met_on = _date(f.get("met_on", ""))
    if met_on is None:
        errors["met_on"] = [reason("date")]
    for k in ("chair", "secretary"):
        if not f.get(k, "").strip():
            errors[k] = [reason("required")]
    attendance = _lines(f.get("attendance", ""))
    if not attendance:
        errors["attendance"] = [reason("required")]
    votes = []
    for key in f:
        if key.startswith("vote-") and key.endswith("-in_favour"):
            case_id = key[len("vote-") : -len("-in_favour")]
            counts = {}
            for part in ("in_favour", "against", "abstain"):
                raw = f.get(f"vote-{case_id}-{part}", "0").strip() or "0"
                if not raw.isdigit() or int(raw) > 1000:
                    errors[f"vote-{case_id}-{part}"] = [reason("whole_number", top=1000)]
                else:
                    counts[part] = int(raw)
            votes.append({"case_id": case_id, **counts})
    body = {
        "met_on": met_on.isoformat() if met_on else "",
        "chair": f.get("chair", "").strip(),
        "secretary": f.get("secretary", "").strip(),
        "attendance": attendance,
        "absent": _lines(f.get("absent", "")),
        "notes": f.get("notes", "").strip()[:10000],
        "votes": votes,
    }
    return _after(
        round_id,
        lambda: call("evaluation", "POST", f"/rounds/{round_id}/council", json=body, headers=_if_match(f)),
        errors,
        values,
    )


@bp.route("/rounds/<round_id>/certificates/<case_id>/<fmt>")
@login_required
def certificate(round_id: str, case_id: str, fmt: str) -> Any:
    """A recognised case's certificate: a fresh short-lived link from the service, then the file."""
    if fmt not in ("pdf", "docx") or not ROUND_ID.match(round_id) or not ROUND_ID.match(case_id):
        abort(404)
    links = call("evaluation", "GET", f"/rounds/{round_id}/documents", params={"case_id": case_id})
    url = next((d["url"] for d in links["items"] if d["kind"] == f"certificate_{fmt}"), None)
    if url is None:
        abort(404)
    return redirect(url)


def _signature(
    round_id: str, *, supplementary: bool
) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """The signer's name and date from the form, checked as the service checks them: the date in the
    round's year or the next (a decision of the year's quarter IV) and, for a supplementary decision, not
    before the round's decision. Returns (body, values, errors)."""
    f = request.form
    values = {"signer_name": f.get("signer_name", "").strip(), "signed_on": f.get("signed_on", "").strip()}
    errors: dict[str, list[str]] = {}
    if not values["signer_name"]:
        errors["signer_name"] = [reason("required")]
    signed_on = _date(values["signed_on"])
    if signed_on is None:
        errors["signed_on"] = [reason("date")]
    else:
        rnd = call("evaluation", "GET", f"/rounds/{round_id}")
        year = int(rnd["year"])
        main = [
            d["signed_on"]
            for d in rnd.get("decisions") or []
            if d.get("kind") == "recognition" and d.get("signed_on")
        ]
        if signed_on.year not in (year, year + 1):
            errors["signed_on"] = [reason("sign_year", year=year, next=year + 1)]
        elif supplementary and main and signed_on.isoformat() < max(main):
            errors["signed_on"] = [reason("sign_after", day=max(main))]
    body = {"signer_name": values["signer_name"], "signed_on": signed_on.isoformat() if signed_on else ""}
    return body, values, errors


@bp.route("/rounds/<round_id>/sign", methods=["POST"])
@login_required
def sign(round_id: str) -> Any:
    body, values, errors = _signature(round_id, supplementary=False)
    return _after(
        round_id,
        lambda: call(
            "evaluation", "POST", f"/rounds/{round_id}/sign", json=body, headers=_if_match(request.form)
        ),
        errors,
        values,
    )


@bp.route("/rounds/<round_id>/supplementary", methods=["POST"])
@login_required
def supplement(round_id: str) -> Any:
    """Build a supplementary list of the cases that reached the decision after the round's list."""
    return _after(
        round_id,
        lambda: call(
            "evaluation", "POST", f"/rounds/{round_id}/supplementary", headers=_if_match(request.form)
        ),
        {},
        {},
    )


@bp.route("/rounds/<round_id>/supplementary/sign", methods=["POST"])
@login_required
def sign_supplement(round_id: str) -> Any:
    """The chairman signs the supplementary decisions (the list awaiting his signature)."""
    body, values, errors = _signature(round_id, supplementary=True)
    path = f"/rounds/{round_id}/supplementary/sign"
    return _after(
        round_id,
        lambda: call("evaluation", "POST", path, json=body, headers=_if_match(request.form)),
        errors,
        values,
    )


@bp.route("/rounds/<round_id>/close", methods=["POST"])
@login_required
def close(round_id: str) -> Any:
    """The association closes the round before the year's end, once the box confirming it is ticked."""
    values = {"confirm_close": request.form.get("confirm_close", "")}
    errors = {} if values["confirm_close"] == "yes" else {"confirm_close": [reason("confirm_close")]}
    return _after(
        round_id,
        lambda: call("evaluation", "POST", f"/rounds/{round_id}/close", headers=_if_match(request.form)),
        errors,
        values,
    )


def _amend_fields(exc: ApiError) -> dict[str, list[str]]:
    """The API's field errors on the amending decision's form (its fields are named `amend_<field>`);
    where the service names the offending values (the cases not recognised by the decision, the date
    before it) rather than a reason, its message is the reason."""
    out: dict[str, list[str]] = {}
    for key, messages in _api_fields(exc).items():
        if key in ("case_ids", "signed_on") and exc.code == "validation_failed":  # the service's own
            messages = [exc.message]
        out[f"amend_{key}"] = messages
    return out


def _recognised_cases(decision_id: str, subject_ids: list[str]) -> tuple[list[str], list[str]]:
    """The cases `decision_id` recognised (titles not revoked) of these subjects, and the subjects it did
    not (GET /recognitions per subject: the caller's scope applies)."""
    found, unknown = [], []
    for subject in subject_ids:
        page = call("evaluation", "GET", "/recognitions", params={"subject_id": subject, "page_size": 500})
        hits = [
            r["case_id"]
            for r in page.get("items") or []
            if r.get("decision_id") == decision_id and not r.get("revoked")
        ]
        found.extend(hits)
        if not hits:
            unknown.append(subject)
    return found, unknown


@bp.route("/rounds/<round_id>/amendments", methods=["POST"])
@login_required
def amend(round_id: str) -> Any:
    """The chairman corrects (đính chính) or revokes (thu hồi) a recorded decision of the round by a new,
    amending decision: checked here as the service checks it, then `POST /rounds/<id>/amendments`."""
    f = request.form
    values: dict[str, Any] = {
        f"amend_{k}": f.get(f"amend_{k}", "").strip()
        for k in ("decision_id", "kind", "reason", "changes", "signer_name", "signed_on")
    }
    case_ids = [c.strip() for c in f.getlist("amend_case_ids") if c.strip()][:10000]
    values["amend_case_ids"] = case_ids
    values["amend_subject_ids"] = f.get("amend_subject_ids", "").strip()
    kind = values["amend_kind"]
    changes = [line.strip()[:1000] for line in values["amend_changes"].splitlines() if line.strip()][:100]
    errors: dict[str, list[str]] = {}
    if not values["amend_decision_id"]:
        errors["amend_decision_id"] = [reason("amend_decision")]
    if kind not in AMEND_KINDS:
        errors["amend_kind"] = [reason("amend_kind")]
    if not values["amend_reason"]:
        errors["amend_reason"] = [reason("required")]
    elif len(values["amend_reason"]) > 2000:
        errors["amend_reason"] = [reason("too_long", n=2000)]
    if kind == "correction" and not changes:
        errors["amend_changes"] = [reason("amend_changes")]
    # Subjects typed by code (a round too large for the checkboxes): resolved to the cases the chosen
    # decision recognised.
    codes = list(dict.fromkeys(c.strip() for c in values["amend_subject_ids"].split() if c.strip()))[:500]
    if codes and values["amend_decision_id"]:
        found, unknown = _recognised_cases(values["amend_decision_id"], codes)
        case_ids = list(dict.fromkeys([*case_ids, *found]))
        if unknown:
            errors["amend_subject_ids"] = [reason("amend_subjects", codes=", ".join(unknown))]
    if kind == "revocation" and not case_ids:
        errors["amend_case_ids"] = [reason("amend_cases")]
    if not values["amend_signer_name"]:
        errors["amend_signer_name"] = [reason("required")]
    signed_on = _date(values["amend_signed_on"])
    if signed_on is None:
        errors["amend_signed_on"] = [reason("date")]
    elif values["amend_decision_id"]:  # not before the decision it amends (the service's own check)
        rnd = call("evaluation", "GET", f"/rounds/{round_id}")
        earlier = next(
            (d for d in rnd.get("decisions") or [] if d["id"] == values["amend_decision_id"]), None
        )
        if earlier and earlier.get("signed_on") and signed_on.isoformat() < earlier["signed_on"]:
            errors["amend_signed_on"] = [reason("amend_after", day=earlier["signed_on"])]
    body = {
        "decision_id": values["amend_decision_id"],
        "kind": kind,
        "reason": values["amend_reason"],
        "changes": changes if kind == "correction" else [],
        "case_ids": case_ids,
        "signer_name": values["amend_signer_name"],
        "signed_on": signed_on.isoformat() if signed_on else "",
    }

    def saved(issued: Any) -> str:
        number = (issued or {}).get("number_text", "")
        if kind == "revocation":
            return _("Đã ban hành quyết định thu hồi") + f" {number}."
        return _("Đã ban hành quyết định đính chính") + f" {number}."

    return _after(
        round_id,
        lambda: call("evaluation", "POST", f"/rounds/{round_id}/amendments", json=body),
        errors,
        values,
        fields=_amend_fields,
        saved=saved,
    )
