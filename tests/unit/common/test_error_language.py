"""The error envelope speaks the caller's language: the message and, when they are sentences written in
both languages, the per-field reasons (Vietnamese unless the request prefers English)."""

from __future__ import annotations

from flask import Flask

from common.errors import ValidationFailed
from common.web import make_api
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain.score_checks import InvalidScores, validate_scores


def _app(exc: Exception) -> Flask:
    app = Flask(__name__)
    make_api(app, "t")

    @app.get("/boom")
    def boom() -> None:
        raise exc

    return app


def test_score_reasons_follow_accept_language() -> None:
    family = get_criteria_set("gia-dinh-hoc-tap", "2023.1")
    exc = InvalidScores(validate_scores(family, {"1.1": 99, "9.9": 1}, partial=True))
    client = _app(exc).test_client()

    vi = client.get("/boom").get_json()
    assert vi["status"] == 422 and vi["message"].startswith("Điểm chấm không hợp lệ")
    assert vi["errors"]["scores.1.1"] == ["Điểm của chỉ số 1.1 phải từ 0 đến 10 (nhận được 99)."]
    assert vi["errors"]["scores.9.9"][0].startswith("Chỉ số '9.9' không có")

    en = client.get("/boom", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_json()
    assert en["message"].startswith("Invalid scores")
    assert en["errors"]["scores.1.1"] == ["Indicator 1.1 must score from 0 to 10 (got 99)."]


def test_field_errors_given_once_read_the_same_in_both_languages() -> None:
    client = _app(ValidationFailed("Sai.", "Wrong.", errors={"year": [2031]})).test_client()
    assert client.get("/boom").get_json()["errors"] == {"year": [2031]}
    en = client.get("/boom", headers={"Accept-Language": "en"}).get_json()
    assert (en["message"], en["errors"]) == ("Wrong.", {"year": [2031]})


def test_the_frameworks_own_refusals_are_in_vietnamese_unless_english_is_asked() -> None:
    app = _app(RuntimeError("unused"))
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/upload")
    def upload() -> str:
        from flask import request

        return str(len(request.get_data()))

    client = app.test_client()
    cases = {  # request -> (status, code, Vietnamese message)
        ("GET", "/nowhere"): (404, "not_found", "Không tìm thấy địa chỉ được yêu cầu."),
        ("DELETE", "/boom"): (405, "method_not_allowed", "Địa chỉ này không nhận phương thức yêu cầu."),
        ("POST", "/upload"): (413, "request_entity_too_large", "Dữ liệu gửi lên vượt quá giới hạn cho phép."),
    }
    for (method, path), (status, code, message) in cases.items():
        vi = client.open(path, method=method, data=b"x" * 100)
        assert (vi.status_code, vi.get_json()) == (
            status,
            {"status": status, "code": code, "message": message},
        )
        en = client.open(path, method=method, data=b"x" * 100, headers={"Accept-Language": "en"}).get_json()
        assert en["code"] == code and en["message"].isascii() and en["message"] != message


def test_a_change_without_if_match_is_refused_with_428_in_the_callers_language() -> None:
    from common.errors import PreconditionRequired

    exc = PreconditionRequired(
        "Thiếu tiêu đề If-Match.", "If-Match is required.", errors={"If-Match": ["required"]}
    )
    client = _app(exc).test_client()
    vi = client.get("/boom").get_json()
    assert vi == {
        "status": 428,
        "code": "precondition_required",
        "message": "Thiếu tiêu đề If-Match.",
        "errors": {"If-Match": ["required"]},
    }
    assert (
        client.get("/boom", headers={"Accept-Language": "en"}).get_json()["message"]
        == "If-Match is required."
    )
