"""Pages: sign-in, sign-out and the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from services.web.auth import call, clients
from services.web.client import ApiError
from services.web.i18n import LANGS, lang, reason
from services.web.i18n import gettext as _

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if not target:
        return url_for("tasks.inbox")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("tasks.inbox")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    errors: dict[str, list[str]] = {}
    form = {"username": request.form.get("username", "").strip()}
    status = 200
    if request.method == "POST":
        password = request.form.get("password", "")
        if not form["username"]:
            errors["username"] = [reason("required")]
        if not password:
            errors["password"] = [reason("required")]
        if not errors:
            try:
                answer = (
                    clients()["evaluation"]
                    .request(
                        "POST",
                        "/auth/login",
                        lang=lang(),
                        json={"username": form["username"], "password": password},
                    )
                    .json()
                )
            except ApiError as exc:
                errors["password"] = [exc.message]
            else:
                chosen = session.get("lang")
                session.clear()
                if chosen:
                    session["lang"] = chosen
                session["token"] = answer["token"]
                u = answer["user"]
                session["user"] = {
                    k: u.get(k) for k in ("username", "full_name", "role", "scope_code", "subject_id")
                }
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")))
        status = 422
    return render_template("login.html", form=form, errors=errors), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Sign this browser out; with `everywhere`, every sign-in of the account too (its tokens revoked by
    the evaluation service, `POST /auth/logout`). A revocation that fails is said, the browser signed out
    all the same."""
    failed = False
    if request.form.get("everywhere") and session.get("token"):
        try:
            call("evaluation", "POST", "/auth/logout")
        except ApiError as exc:
            failed = exc.status != 401  # 401: this sign-in no longer counted anyway
    chosen = session.get("lang")
    session.clear()
    if chosen:
        session["lang"] = chosen
    if failed:
        flash(_("Chưa thể đăng xuất khỏi các thiết bị khác; hãy thử lại sau khi đăng nhập."), "error")
    elif request.form.get("everywhere"):
        flash(_("Đã đăng xuất khỏi mọi thiết bị."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
def switch_language(code: str) -> Any:
    if code in LANGS:
        session["lang"] = code
    else:
        flash(reason("choice"), "error")
    return redirect(
        _safe_next(request.args.get("next") or request.referrer and urlsplit(request.referrer).path)
    )
