"""Flask plumbing shared by the services: base schema, error envelope, health blueprint (entrypoint layer)."""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Api
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from common.errors import DomainError
from common.health import Check, run_checks
from common.schema_messages import field_messages_in_vietnamese

logger = logging.getLogger(__name__)
# The largest list offset accepted: beyond it a page is empty anyway, and SQLite's INTEGER overflows
# past 2**63 (a 500 found by fuzzing the OpenAPI documents).
MAX_OFFSET = 2**31 - 1


class Schema(ma.Schema):
    """Project base schema: unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = ma.RAISE


class TypedText(ma.fields.String):
    """A string as a person typed it: the spaces around it dropped and its Vietnamese letters NFC-normalised
    (some keyboards and copy-pastes send them decomposed, and a stored code or name must compare equal
    to the same text typed elsewhere). A value left empty fails the field's own length rule."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return unicodedata.normalize("NFC", text.strip())


class _StrictQueryParser(FlaskParser):
    """webargs drops unknown query parameters by default (and only those: unknown body fields are
    refused by `Schema`). A misspelt filter or paging parameter (`?page_size=` where the API pages with
    `limit`) then answers an unfiltered first page as if it had been applied; here it is a 422 naming
    the parameter, like an unknown body field."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }


class Blueprint(flask_smorest.Blueprint):
    """The services' API blueprint: flask-smorest's, with unknown query parameters refused."""

    ARGUMENTS_PARSER = _StrictQueryParser()


def wants_english() -> bool:
    """Vietnamese first; English when the client asks for it."""
    best = request.accept_languages.best_match(["vi", "en"], default="vi") if request else "vi"
    return best == "en"


def envelope(status: int, code: str, message: str, errors: dict[str, Any] | None = None) -> Any:
    """The one error envelope: {code, status, message, errors}."""
    body: dict[str, Any] = {"code": code, "status": status, "message": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


class ErrorEnvelopeSchema(ma.Schema):
    """The error envelope as the OpenAPI documents describe it (what `envelope` sends)."""

    code = ma.fields.String(metadata={"description": "Machine-readable error code, e.g. validation_error"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    message = ma.fields.String(metadata={"description": "Human-readable message (Vietnamese first)"})
    errors = ma.fields.Dict(metadata={"description": "Per-field reasons, when the input was at fault"})


class _Api(Api):
    """flask-smorest's Api documenting the project's error envelope instead of its own error schema."""

    ERROR_SCHEMA = ErrorEnvelopeSchema


def make_api(app: Flask, title: str) -> Api:
    """Configure flask-smorest (OpenAPI at /openapi.json) and the error handlers."""
    app.config.setdefault("API_TITLE", title)
    app.config.setdefault("API_VERSION", "1.0")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = _Api(app)
    _register_error_handlers(app)
    return api


# Werkzeug's own errors (no route, wrong method, body too large, ...) carry English descriptions: a
# Vietnamese client gets these instead. The service's own refusals are DomainErrors, written in both.
_HTTP_MESSAGES_VI = {
    400: "Yêu cầu không hợp lệ.",
    401: "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn.",
    403: "Không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy địa chỉ được yêu cầu.",
    405: "Địa chỉ này không nhận phương thức yêu cầu.",
    406: "Không có định dạng trả lời phù hợp với yêu cầu.",
    409: "Yêu cầu xung đột với trạng thái hiện tại.",
    411: "Thiếu độ dài nội dung (Content-Length).",
    412: "Điều kiện của yêu cầu không còn đúng.",
    413: "Dữ liệu gửi lên vượt quá giới hạn cho phép.",
    414: "Địa chỉ yêu cầu quá dài.",
    415: "Định dạng dữ liệu gửi lên không được hỗ trợ.",
    428: "Yêu cầu cần kèm điều kiện (If-Match).",
    429: "Quá nhiều yêu cầu; vui lòng thử lại sau.",
    431: "Tiêu đề của yêu cầu quá lớn.",
}


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        if exc.status >= 500:
            logger.warning("dependency unavailable: %s", exc.errors)
        response, status = envelope(
            exc.status, exc.code, exc.message_for(wants_english()), exc.errors_for(wants_english())
        )
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response, status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        data = getattr(exc, "data", {}) or {}
        errors = data.get("messages")
        status = exc.code or 500
        if status == 400 and (errors is None or errors == {"json": ["Invalid JSON body."]}):
            # A malformed body is a validation error of the body, like a wrong type.
            status, errors = 422, {"json": ["Invalid JSON body."]}
        code = "validation_error" if status == 422 else (exc.name or "error").lower().replace(" ", "_")
        message = data.get("message") or exc.description or exc.name
        if not data.get("message") and not wants_english():
            message = _HTTP_MESSAGES_VI.get(status, message)
        if status == 422:
            english = wants_english()
            message = "Invalid input." if english else "Dữ liệu không hợp lệ."
            errors = errors if english else field_messages_in_vietnamese(errors)
        return envelope(status, code, message, errors)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return envelope(500, "internal_error", "Lỗi hệ thống." if not wants_english() else "Internal error.")


def health_blueprint(checks_factory: Any) -> Blueprint:
    """GET /health: 200 when every dependency answers, 503 naming the ones that do not."""
    blp = Blueprint("health", __name__, description="Service health")

    @blp.route("/health")
    class Health(MethodView):
        @blp.response(200)
        @blp.alt_response(503, description="A dependency is unavailable")
        def get(self) -> Any:
            """Check every dependency of this service."""
            checks: dict[str, Check] = checks_factory(current_app)
            results = run_checks(checks)
            ok = all(v == "ok" for v in results.values())
            status = 200 if ok else 503
            return {"status": "ok" if ok else "unavailable", "checks": results}, status

    return blp
