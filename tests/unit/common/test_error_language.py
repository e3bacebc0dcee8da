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
