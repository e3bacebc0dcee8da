"""Evidence of a case: upload (one request per file, so the page shows progress per file), the list
with each file's verdict, and reviewers' verdicts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for

from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import VERDICT_NAMES, reason
from services.web.i18n import gettext as _
from services.web.views.cases import on_behalf_header

bp = Blueprint("evidence", __name__)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@bp.route("/cases/<case_id>/evidence", methods=["POST"])
@login_required
def upload(case_id: str) -> Any:
    files = [f for f in request.files.getlist("files") if f and f.filename]
    indicator = (request.form.get("indicator_code") or "").strip()[:60]
    if not files:
        if _wants_json():
            return jsonify(ok=False, field="files", error=reason("file")), 422
        flash(f"{_('Tệp')}: {reason('file')}", "error")
        return redirect(url_for("cases.show", case_id=case_id) + "#evidence")
    results = []
    for f in files:
        data = {"indicator_code": indicator} if indicator else {}
        try:
            call(
                "evaluation",
                "POST",
                f"/cases/{case_id}/evidence",
                data=data,
                files={"file": (f.filename, f.stream, f.mimetype or "application/octet-stream")},
                headers=on_behalf_header(request.form),
            )
            results.append({"name": f.filename, "ok": True})
        except ApiError as exc:
            if exc.status == 401:
                raise
            detail = "; ".join(m for msgs in exc.field_messages().values() for m in msgs)
            results.append({"name": f.filename, "ok": False, "error": f"{exc.message} {detail}".strip()})
    if _wants_json():
        ok = all(r["ok"] for r in results)
        return jsonify(ok=ok, results=results), (201 if ok else 422)
    for r in results:
        if r["ok"]:
            flash(f"{_('Đã tải lên')}: {r['name']}", "success")
        else:
            flash(f"{_('Lỗi')} — {r['name']}: {r['error']}", "error")
    return redirect(url_for("cases.show", case_id=case_id) + "#evidence")


@bp.route("/cases/<case_id>/evidence")
@login_required
def listing(case_id: str) -> Any:
    """The evidence list alone (htmx refreshes it after uploads)."""
    evidence = call("evaluation", "GET", f"/cases/{case_id}/evidence")
    can_judge = g.user["role"] in {
        "village_officer",
        "commune_association_officer",
        "learning_centre_staff",
        "administrator",
    }
    return render_template("_evidence_list.html", evidence=evidence, case_id=case_id, can_judge=can_judge)


@bp.route("/evidence/<evidence_id>/verdict", methods=["POST"])
@login_required
def verdict(evidence_id: str) -> Any:
    case_id = request.form.get("case_id", "")
    verdict_value = request.form.get("verdict", "")
    reason_text = request.form.get("reason", "").strip()
    if verdict_value not in VERDICT_NAMES:
        flash(f"{_('Kết luận')}: {reason('choice')}", "error")
    elif verdict_value != "accepted" and not reason_text:
        flash(f"{_('Lý do')}: {reason('reason_required')}", "error")
    else:
        try:
            call(
                "evaluation",
                "POST",
                f"/evidence/{evidence_id}/verdict",
                json={"verdict": verdict_value, "reason": reason_text[:2000]},
            )
            flash(_("Đã lưu."), "success")
        except ApiError as exc:
            if exc.status == 401:
                raise
            detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.field_messages().items())
            flash(f"{exc.message} {detail}".strip(), "error")
    target = url_for("cases.show", case_id=case_id) if case_id else url_for("tasks.inbox")
    return redirect(target + "#evidence")
