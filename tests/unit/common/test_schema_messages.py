"""Request-validation field messages in Vietnamese (common/schema_messages.py)."""

from __future__ import annotations

import marshmallow as ma
import pytest

from common.schema_messages import field_messages_in_vietnamese, in_vietnamese


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("Missing data for required field.", "Thiếu dữ liệu bắt buộc."),
        ("Unknown field.", "Trường này không có trong yêu cầu hợp lệ."),
        ("Not a valid integer.", "Không phải số nguyên hợp lệ."),
        (
            "Must be greater than or equal to 2023 and less than or equal to 2030.",
            "Phải lớn hơn hoặc bằng 2023 và nhỏ hơn hoặc bằng 2030.",
        ),
        ("Must be greater than 0.", "Phải lớn hơn 0."),
        ("Length must be between 1 and 64.", "Độ dài phải từ 1 đến 64."),
        ("Shorter than minimum length 1.", "Ngắn hơn độ dài tối thiểu 1."),
        (
            "Must be one of: learning_family, learning_clan.",
            "Phải là một trong: learning_family, learning_clan.",
        ),
        ("Invalid JSON body.", "Nội dung JSON không hợp lệ."),
        ("Mã đơn vị không tồn tại.", "Mã đơn vị không tồn tại."),  # a schema's own message: kept
    ],
)
def test_marshmallow_messages_are_put_in_vietnamese(english: str, vietnamese: str) -> None:
    assert in_vietnamese(english) == vietnamese


def test_a_nested_error_structure_keeps_its_shape_and_field_names() -> None:
    class Item(ma.Schema):
        code = ma.fields.String(required=True)
        points = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10))

    class Body(ma.Schema):
        year = ma.fields.Integer(required=True)
        items = ma.fields.List(ma.fields.Nested(Item))

    with pytest.raises(ma.ValidationError) as caught:
        Body().load({"items": [{"points": 11}, {"code": "1.1", "points": "x"}], "extra": 1})
    assert field_messages_in_vietnamese({"json": caught.value.messages}) == {
        "json": {
            "year": ["Thiếu dữ liệu bắt buộc."],
            "extra": ["Trường này không có trong yêu cầu hợp lệ."],
            "items": {
                0: {
                    "code": ["Thiếu dữ liệu bắt buộc."],
                    "points": ["Phải lớn hơn hoặc bằng 0 và nhỏ hơn hoặc bằng 10."],
                },
                1: {"points": ["Không phải số nguyên hợp lệ."]},
            },
        }
    }
