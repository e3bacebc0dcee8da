"""Web composition root: create_app(settings, transports) -> Flask. Gunicorn serves
`services.web.app:create_app()`; tests pass httpx transports to reach in-process services."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from common.auth import HISTORY_READERS
from services.web import i18n, units
from services.web.client import ApiError, ServiceClient
from services.web.config import Settings
from services.web.views import accounts, areas, audit, auth, cases, evidence, notifications, rounds, tasks

logger = logging.getLogger(__name__)

# The templates' name functions: each shows a code from its table by name in the page's language.
NAMED = {
    "role_name": i18n.ROLE_NAMES,
    "status_name": i18n.STATUS_NAMES,
    "title_name": i18n.TITLE_NAMES,
    "action_name": i18n.ACTION_NAMES,
    "verdict_name": i18n.VERDICT_NAMES,
    "phase_name": i18n.PHASE_NAMES,
    "outcome_name": i18n.OUTCOME_NAMES,
    "decision_status_name": i18n.DECISION_STATUS_NAMES,
    "audit_problem_name": i18n.AUDIT_PROBLEM_NAMES,
    "objection_status_name": i18n.OBJECTION_STATUS_NAMES,
    "award_kind_name": i18n.AWARD_KIND_NAMES,
    "award_phase_name": i18n.AWARD_PHASE_NAMES,
    "level_name": i18n.LEVEL_NAMES,
    "nominee_kind_name": i18n.NOMINEE_KIND_NAMES,
    "nomination_status_name": i18n.NOMINATION_STATUS_NAMES,
    "field_name": i18n.FIELD_NAMES,
}
BLUEPRINTS = (
    auth.bp,
    tasks.bp,
    cases.bp,
    evidence.bp,
    notifications.bp,
    rounds.bp,
    areas.bp,
    accounts.bp,
    audit.bp,
)


def _clients(
    settings: Settings, transports: dict[str, httpx.BaseTransport] | None
) -> dict[str, ServiceClient]:
    t = transports or {}
    c = settings.common
    urls = {"evaluation": c.evaluation_url, "notifications": c.notifications_url, "awards": c.awards_url}
    return {
        name: ServiceClient(name, url, transport=t.get(name), timeout=settings.api_timeout_seconds)
        for name, url in urls.items()
    }


def _register_errors(app: Flask) -> None:
    def page(status: int, message: str) -> Any:
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        return page(400, i18n.gettext("Biểu mẫu đã hết hạn, hãy gửi lại."))

    @app.errorhandler(403)
    def _forbidden(exc: Exception) -> Any:
        return page(403, i18n.gettext("Bạn không có quyền thực hiện thao tác này."))

    @app.errorhandler(404)
    def _missing(exc: Exception) -> Any:
        return page(404, i18n.gettext("Trang không tồn tại."))

    @app.errorhandler(413)
    def _too_large(exc: Exception) -> Any:
        return page(413, i18n.gettext("Cảnh báo: tệp lớn hơn giới hạn."))

    @app.errorhandler(ApiError)
    def _api(exc: ApiError) -> Any:
        if exc.status == 401:
            session.pop("token", None)
            flash(i18n.gettext("Phiên đăng nhập đã hết hạn, hãy đăng nhập lại."), "error")
            return redirect(url_for("auth.login"))
        status = exc.status if exc.status in (403, 404, 409, 412, 422, 503) else 502
        return page(status, exc.message)


# Who reads the commune's rounds, reports and awards (the APIs' readers of them: staff and auditors);
# a household representative's pages are its own cases and notifications.
COMMUNE_WORK_READERS = HISTORY_READERS


def reads_commune_work(user: dict[str, Any] | None) -> bool:
    """Whether the menu offers the rounds, reports and awards pages to this user."""
    return bool(user) and user["role"] in COMMUNE_WORK_READERS  # type: ignore[index]


def create_app(
    settings: Settings | None = None, transports: dict[str, httpx.BaseTransport] | None = None
) -> Flask:
    """Build the web app; with no settings, read them from the environment."""
    settings = settings or Settings.from_env()
    app = Flask("services.web", template_folder="templates", static_folder="static")
    app.config.update(
        SECRET_KEY=settings.session_key,
        # A rotated key keeps signed-in people signed in, and their open forms valid, until the old
        # key is dropped (Flask tries the fallbacks; Flask-WTF takes a list, signing with its last).
        SECRET_KEY_FALLBACKS=list(settings.session_key_fallbacks),
        WTF_CSRF_SECRET_KEY=[*reversed(settings.session_key_fallbacks), settings.session_key],
        SESSION_COOKIE_NAME="hoctap_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.common.token_max_age_seconds),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.extensions["web_settings"] = settings
    app.extensions["web_clients"] = _clients(settings, transports)
    CSRFProtect(app)
    app.jinja_env.globals.update(
        _=i18n.gettext,
        lang=i18n.lang,
        **{function: partial(i18n.name_of, table) for function, table in NAMED.items()},
        may_verify_audit=audit.may_verify,
        reads_commune_work=reads_commune_work,
        subject_label=i18n.subject_label,
        unit_name=units.unit_name,
        document_name=i18n.document_name,
        TITLES=list(i18n.TITLE_NAMES),
        STATUSES=list(i18n.STATUS_NAMES),
        VERDICTS=list(i18n.VERDICT_NAMES),
    )
    app.jinja_env.filters["readable"] = i18n.readable_value
    app.jinja_env.filters["recorded"] = i18n.recorded_value
    app.jinja_env.filters["day"] = i18n.local_time
    app.jinja_env.filters["moment"] = partial(i18n.local_time, time=True)

    @app.before_request
    def _user() -> None:
        g.user = session.get("user")

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers["Content-Language"] = i18n.lang()
        return response

    @app.get("/health")
    def _health() -> Any:
        return {"status": "ok"}

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    _register_errors(app)
    _ = request  # flask's request proxy is used by the views
    return app
