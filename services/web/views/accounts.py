"""Page: the accounts an administrator answers for — find them (words of username or name, role; paged),
create one, lock, unlock or set a password (each change with a reason; the account's sign-ins are
revoked), over the evaluation API (`GET/POST /users`, `POST /users/{id}/access`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from common.auth import ADMINISTRATOR, AUDITOR, HOUSEHOLD_REPRESENTATIVE, ROLES
from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import gettext as _
from services.web.i18n import reason
from services.web.timeline import render_timeline

bp = Blueprint("accounts", __name__)
PAGE_SIZE = 50
NEW_ACCOUNT_FIELDS = ("username", "full_name", "role", "scope_code", "subject_id", "email")


def _filters() -> dict[str, Any]:
    """The search the page shows: words, role, page number (1-based)."""
    role = request.args.get("role", "")
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    return {"q": request.args.get("q", "").strip()[:100], "role": role if role in ROLES else "", "page": page}


def _render(
    *,
    problem: str | None = None,
    errors: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    new_errors: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    filters = _filters()
    params = {"limit": PAGE_SIZE, "offset": (filters["page"] - 1) * PAGE_SIZE, "q": filters["q"]}
    if filters["role"]:
        params["role"] = filters["role"]
    found = call("evaluation", "GET", "/users", params=params)
    return (
        render_template(
            "accounts.html",
            items=found["items"],
            total=found["total"],
            page_size=PAGE_SIZE,
            filters=filters,
            roles=ROLES,
            problem=problem,
            errors=errors or {},
            new=new or {"scope_code": g.user.get("scope_code") or ""},
            new_errors=new_errors or {},
            me=g.user.get("username"),
        ),
        status,
    )


def _admin_only() -> None:
    if g.user["role"] != ADMINISTRATOR:
        abort(403)


@bp.route("/accounts")
@login_required
def index() -> Any:
    _admin_only()
    return _render()


@bp.route("/accounts", methods=["POST"])
@login_required
def create() -> Any:
    """A new account in my scope; its fields' problems are shown beside them, nothing created."""
    _admin_only()
    form = {name: request.form.get(name, "").strip() for name in NEW_ACCOUNT_FIELDS}
    body: dict[str, Any] = {name: form[name] for name in ("username", "full_name", "role")}
    body["password"] = request.form.get("password", "")
    body["scope_code"] = form["scope_code"] or None  # empty: the whole country (national administrators)
    if form["email"]:
        body["email"] = form["email"]
    if form["role"] == HOUSEHOLD_REPRESENTATIVE or form["subject_id"]:
        body["subject_id"] = form["subject_id"] or None
    try:
        made = call("evaluation", "POST", "/users", json=body)
    except ApiError as exc:
        if exc.status == 401:
            raise
        fields = {k.removeprefix("json."): v for k, v in exc.field_messages().items()}
        return _render(
            problem=exc.message, new=form, new_errors=fields, status=exc.status if exc.status < 500 else 502
        )
    flash(_("Đã tạo tài khoản {username}.").format(username=made["username"]), "success")
    return redirect(url_for("accounts.index", q=made["username"]))


@bp.route("/accounts/<user_id>/access", methods=["POST"])
@login_required
def change(user_id: str) -> Any:
    _admin_only()
    action = request.form.get("action", "")
    why = request.form.get("reason", "").strip()
    body: dict[str, Any] = {"reason": why}
    if action in ("lock", "unlock"):
        body["active"] = action == "unlock"
    elif action == "password":
        body["password"] = request.form.get("password", "")
    else:
        abort(400)
    if not why:
        flash(_("Có lỗi trong biểu mẫu, hãy sửa các ô được đánh dấu."), "error")
        return _render(errors={user_id: {"reason": [reason("reason_required")]}}, status=422)
    try:
        call("evaluation", "POST", f"/users/{user_id}/access", json=body)
    except ApiError as exc:
        if exc.status == 401:
            raise
        fields = {k.removeprefix("json."): v for k, v in exc.field_messages().items()}
        return _render(
            problem=exc.message, errors={user_id: fields}, status=exc.status if exc.status < 500 else 502
        )
    flash(_("Đã lưu. Các phiên đăng nhập của tài khoản đã bị thu hồi."), "success")
    return redirect(
        url_for("accounts.index", **{k: v for k, v in request.args.items() if k in ("q", "role", "page")})
    )


@bp.route("/accounts/<user_id>/history")
@login_required
def history(user_id: str) -> Any:
    """An account's audit trail: created, locked, unlocked, password set, signed out everywhere — who and
    why (administrators and auditors within their scope)."""
    if g.user["role"] not in (ADMINISTRATOR, AUDITOR):
        abort(403)
    trail = call("evaluation", "GET", f"/users/{user_id}/history")
    created = next((e for e in trail["entries"] if e["action"] == "user.created"), None)
    name = (created or {}).get("after", {}).get("username") or user_id
    return render_timeline(
        trail,
        heading=f"{_('Tài khoản')} {name}",
        back_url=url_for("accounts.index", q=name if created else ""),
        back_label=_("Quay lại tài khoản"),
    )
