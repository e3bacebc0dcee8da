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


class _Placeholders(dict[str, str]):
    """A message's other placeholders ({choices}, ...) filled as a list would fill them."""

    def __missing__(self, key: str) -> str:
        return "a, b"


def _marshmallow_load_messages() -> set[str]:
    """Every message marshmallow's own fields, schemas and validators can give for a refused request
    body, their placeholders filled as marshmallow fills them (dump-side formatting errors left out)."""
    import inspect

    messages: set[str] = set(ma.Schema._default_error_messages.values())
    for _, cls in inspect.getmembers(ma.fields, inspect.isclass):
        if issubclass(cls, ma.fields.Field):
            for klass in cls.__mro__:
                messages.update(getattr(klass, "default_error_messages", {}).values())
    filled = set()
    for message in messages:
        if "cannot be formatted" in message:  # raised when dumping a response, never to a client's body
            continue
        types = ("datetime", "time") if "{awareness}" in message else ("datetime", "time", "date")
        for awareness in ("aware", "naive"):
            for obj_type in types:
                filled.add(message.format_map(_Placeholders(awareness=awareness, obj_type=obj_type)))
    validators = [
        (ma.validate.Range(min=0, max=10), 11),
        (ma.validate.Range(min=0), -1),
        (ma.validate.Range(max=10), 11),
        (ma.validate.Range(min=0, max=10, min_inclusive=False, max_inclusive=False), 0),
        (ma.validate.Length(min=1, max=3), ""),
        (ma.validate.Length(min=1), ""),
        (ma.validate.Length(max=1), "ab"),
        (ma.validate.Length(equal=2), "a"),
        (ma.validate.OneOf(["a", "b"]), "c"),
        (ma.validate.Equal("a"), "b"),
        (ma.validate.Regexp("^a$"), "b"),
        (ma.validate.Email(), "x"),
        (ma.validate.URL(), "x"),
        (ma.validate.NoneOf(["a"]), "a"),
        (ma.validate.ContainsOnly(["a"]), ["b"]),
        (ma.validate.ContainsNoneOf(["a"]), ["a"]),
    ]
    for validator, bad in validators:
        with pytest.raises(ma.ValidationError) as refused:
            validator(bad)
        filled.update(refused.value.messages)
    return filled


def test_every_message_marshmallow_gives_for_a_refused_body_has_its_vietnamese() -> None:
    untranslated = sorted(m for m in _marshmallow_load_messages() if in_vietnamese(m) == m)
    assert untranslated == []
