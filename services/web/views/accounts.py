"""Page: the accounts an administrator answers for — lock, unlock, set a password (each with a reason;
the account's sign-ins are revoked), over the evaluation API (`POST /users/{id}/access`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from common.auth import ADMINISTRATOR
from services.web.auth import call, login_required
from services.web.client import ApiError
from services.web.i18n import gettext as _
from services.web.i18n import reason

bp = Blueprint("accounts", __name__)
PAGE_SIZE = 200


def _accounts(problem: str | None = None, errors: dict[str, Any] | None = None, status: int = 200) -> Any:
    page = call("evaluation", "GET", "/users", params={"limit": PAGE_SIZE})
    return (
        render_template(
            "accounts.html",
            items=page["items"],
            total=page["total"],
            page_size=PAGE_SIZE,
            problem=problem,
            errors=errors or {},
            me=g.user.get("username"),
        ),
        status,
    )


@bp.route("/accounts")
@login_required
def index() -> Any:
    if g.user["role"] != ADMINISTRATOR:
        abort(403)
    return _accounts()


@bp.route("/accounts/<user_id>/access", methods=["POST"])
@login_required
def change(user_id: str) -> Any:
    if g.user["role"] != ADMINISTRATOR:
        abort(403)
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
        return _accounts(errors={user_id: {"reason": [reason("reason_required")]}}, status=422)
    try:
        call("evaluation", "POST", f"/users/{user_id}/access", json=body)
    except ApiError as exc:
        if exc.status == 401:
            raise
        fields = {k.removeprefix("json."): v for k, v in exc.field_messages().items()}
        return _accounts(
            problem=exc.message, errors={user_id: fields}, status=exc.status if exc.status < 500 else 502
        )
    flash(_("Đã lưu. Các phiên đăng nhập của tài khoản đã bị thu hồi."), "success")
    return redirect(url_for("accounts.index"))
