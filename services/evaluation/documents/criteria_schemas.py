"""Marshmallow schemas of a criteria set document: the document format itself (documents layer)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from services.evaluation.domain.criteria import EVIDENCE_KINDS, SCORERS, STATUSES, SUBJECT_KINDS, TITLES

SET_CODE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
VERSION = r"^\d{4}\.\d+$"
ITEM_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"

# YAML reads an unquoted 1.1 or 2023.1 as a number; say how to fix it rather than "Not a valid string".
_QUOTED = 'Not a string: put it in quotes, e.g. "1.1" or "2023.1".'
_CODE_ERRORS = {"invalid": _QUOTED}

# Pattern errors say what is expected: "String does not match expected pattern" helps nobody.
_SET_CODE = validate.Regexp(
    SET_CODE, error="A set code is lower-case ASCII words joined by '-', e.g. gia-dinh-hoc-tap."
)
_VERSION = validate.Regexp(VERSION, error='A version is "YEAR.N" in quotes, e.g. "2023.1".')
_ITEM_CODE = validate.Regexp(
    ITEM_CODE,
    error='A code is letters, digits, ".", "_" or "-" (up to 40), in quotes when it looks like a number.',
)


class _Int(fields.Integer):
    """A whole number, never a bool: YAML `yes` must not count as 1 point."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _text(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=2000), **kwargs)


class _Schema(ma.Schema):
    class Meta:
        unknown = ma.RAISE  # a misspelt key (`max_point`) must be an error, not silently ignored


class EvidenceSchema(_Schema):
    """The evidence an indicator expects: kinds of file and a minimum count."""

    kinds = fields.List(
        fields.String(validate=validate.OneOf(EVIDENCE_KINDS)), required=True, validate=validate.Length(min=1)
    )
    min_count = _Int(strict=True, load_default=1, validate=validate.Range(min=1, max=100))


class IndicatorSchema(_Schema):
    """One indicator: `max_points` or `pass_fail: true`, plus who scores it and its evidence."""

    code = fields.String(required=True, validate=_ITEM_CODE, error_messages=_CODE_ERRORS)
    name_vi = _text(required=True)
    name_en = _text(required=True)
    max_points = _Int(strict=True, validate=validate.Range(min=1, max=1000))
    pass_fail = fields.Boolean(load_default=False)
    min_points = _Int(strict=True, validate=validate.Range(min=0, max=1000))
    required = fields.Boolean(load_default=True)
    evidence = fields.Nested(EvidenceSchema)
    scored_by = fields.List(
        fields.String(validate=validate.OneOf(SCORERS)), required=True, validate=validate.Length(min=1)
    )


class CriterionSchema(_Schema):
    """One criterion and its indicators."""

    code = fields.String(required=True, validate=_ITEM_CODE, error_messages=_CODE_ERRORS)
    name_vi = _text(required=True)
    name_en = _text(required=True)
    indicators = fields.List(fields.Nested(IndicatorSchema), required=True, validate=validate.Length(min=1))


class GroupSchema(_Schema):
    """A subject group with its own criteria list (citizens: resident, worker, official, student)."""

    code = fields.String(required=True, validate=_ITEM_CODE, error_messages=_CODE_ERRORS)
    name_vi = _text(required=True)
    name_en = _text(required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True, validate=validate.Length(min=1))


class DependencySchema(_Schema):
    """A minimum share (0..1] of members holding another title."""

    title = fields.String(required=True, validate=validate.OneOf(TITLES))
    min_share = fields.Float(required=True, validate=validate.Range(min=0, max=1, min_inclusive=False))
    description_vi = _text(load_default="")
    description_en = _text(load_default="")


class LevelSchema(_Schema):
    """A recognition level with its extra conditions."""

    level = _Int(strict=True, required=True, validate=validate.Range(min=1, max=10))
    name_vi = _text(required=True)
    name_en = _text(required=True)
    min_total = _Int(strict=True, validate=validate.Range(min=0))
    dependencies = fields.List(fields.Nested(DependencySchema), load_default=list)


class BandSchema(_Schema):
    """A rating band reached from `min_total` points up."""

    code = fields.String(required=True, validate=_ITEM_CODE, error_messages=_CODE_ERRORS)
    name_vi = _text(required=True)
    name_en = _text(required=True)
    min_total = _Int(strict=True, required=True, validate=validate.Range(min=0))


class RulesSchema(_Schema):
    """Decision rules: threshold, minimums, dependencies, levels, validity, bands."""

    pass_total = _Int(strict=True, allow_none=True, validate=validate.Range(min=0))
    min_points_per_indicator = _Int(strict=True, allow_none=True, validate=validate.Range(min=0))
    dependencies = fields.List(fields.Nested(DependencySchema), load_default=list)
    levels = fields.List(fields.Nested(LevelSchema), load_default=list)
    validity_years = _Int(strict=True, allow_none=True, validate=validate.Range(min=1, max=10))
    bands = fields.List(fields.Nested(BandSchema), load_default=list)


class CriteriaSetSchema(_Schema):
    """A whole criteria set document (one code, one version)."""

    code = fields.String(required=True, validate=_SET_CODE)
    version = fields.String(required=True, validate=_VERSION, error_messages=_CODE_ERRORS)
    title = fields.String(required=True, validate=validate.OneOf(TITLES))
    name_vi = _text(required=True)
    name_en = _text(required=True)
    issuer = _text(required=True)
    legal_basis = fields.List(_text(), required=True, validate=validate.Length(min=1))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = _text(load_default="")
    valid_from = _Int(strict=True, required=True, validate=validate.Range(min=2000, max=2100))
    valid_to = _Int(strict=True, allow_none=True, validate=validate.Range(min=2000, max=2100))
    subject_kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    rules = fields.Nested(RulesSchema, required=True)
    criteria = fields.List(fields.Nested(CriterionSchema))
    groups = fields.List(fields.Nested(GroupSchema))


# Vietnamese for the marshmallow messages a document author meets most often.
VI_MESSAGES = {
    "Missing data for required field.": "Thiếu trường bắt buộc.",
    "Unknown field.": "Trường không được hỗ trợ (kiểm tra chính tả).",
    "Not a valid integer.": "Không phải số nguyên.",
    "Not a valid string.": "Không phải chuỗi ký tự (hãy đặt trong dấu nháy).",
    "Not a valid number.": "Không phải số.",
    "Not a valid boolean.": "Không phải giá trị true/false.",
    "Not a valid list.": "Không phải danh sách.",
    "Invalid input type.": "Sai kiểu dữ liệu.",
    _SET_CODE.error: "Mã bộ tiêu chí gồm chữ thường không dấu, nối bằng '-', ví dụ gia-dinh-hoc-tap.",
    _VERSION.error: 'Phiên bản có dạng "NĂM.SỐ" trong dấu nháy, ví dụ "2023.1".',
    _ITEM_CODE.error: "Mã gồm chữ, số, '.', '_' hoặc '-' (tối đa 40 ký tự), trong dấu nháy nếu trông như số.",
    _QUOTED: 'Không phải chuỗi ký tự: hãy đặt trong dấu nháy, ví dụ "1.1".',
    "Field may not be null.": "Không được để trống.",
}


def vietnamese(message: str) -> str:
    """The Vietnamese for a schema message, or "" when there is none."""
    if message in VI_MESSAGES:
        return VI_MESSAGES[message]
    if message.startswith("Must be one of: "):
        return "Phải là một trong: " + message.removeprefix("Must be one of: ")
    if message.startswith("Shorter than minimum length"):
        return "Cần ít nhất một mục."
    if message.startswith(("Must be greater", "Must be less")):
        return f"Giá trị ngoài khoảng cho phép ({message})"
    return ""
