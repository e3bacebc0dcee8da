"""Vietnamese for the field messages of request validation (marshmallow's and webargs' own, in English).

A refused request body answers 422 with a reason per field; those reasons come from marshmallow's
built-in fields and validators ("Missing data for required field.", "Must be greater than or equal to 0
and less than or equal to 10."). Vietnamese-first clients get them in Vietnamese; a message this table
does not know (a schema's own, already written for its users) is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

_OPERATORS = {
    "greater than or equal to": "lớn hơn hoặc bằng",
    "greater than": "lớn hơn",
    "less than or equal to": "nhỏ hơn hoặc bằng",
    "less than": "nhỏ hơn",
}
_OP = "|".join(sorted(map(re.escape, _OPERATORS), key=len, reverse=True))

_FIXED = {
    "Missing data for required field.": "Thiếu dữ liệu bắt buộc.",
    "Unknown field.": "Trường này không có trong yêu cầu hợp lệ.",
    "Field may not be null.": "Không được để trống.",
    "Invalid input.": "Dữ liệu không hợp lệ.",
    "Invalid value.": "Giá trị không hợp lệ.",
    "Invalid type.": "Sai kiểu dữ liệu.",
    "Invalid JSON body.": "Nội dung JSON không hợp lệ.",
    "Not a valid integer.": "Không phải số nguyên hợp lệ.",
    "Not a valid number.": "Không phải số hợp lệ.",
    "Not a valid string.": "Không phải chuỗi ký tự hợp lệ.",
    "Not a valid boolean.": "Không phải giá trị đúng/sai hợp lệ.",
    "Not a valid date.": "Không phải ngày hợp lệ.",
    "Not a valid datetime.": "Không phải thời điểm hợp lệ.",
    "Not a valid time.": "Không phải giờ hợp lệ.",
    "Not a valid list.": "Không phải danh sách hợp lệ.",
    "Not a valid tuple.": "Không phải bộ giá trị hợp lệ.",
    "Not a valid mapping type.": "Không phải đối tượng hợp lệ.",
    "Not a valid email address.": "Địa chỉ email không hợp lệ.",
    "Not a valid URL.": "Địa chỉ URL không hợp lệ.",
    "Not a valid UUID.": "Mã UUID không hợp lệ.",
    "Not a valid utf-8 string.": "Chuỗi ký tự không phải UTF-8 hợp lệ.",
    "Number too large.": "Số quá lớn.",
    "Special numeric values (nan or infinity) are not permitted.": "Không nhận giá trị số đặc biệt (nan, vô cực).",
    "String does not match expected pattern.": "Chuỗi không đúng định dạng.",
    "Invalid input type.": "Sai kiểu dữ liệu: cần một đối tượng JSON (các trường trong ngoặc nhọn).",
    "Not a valid period of time.": "Không phải khoảng thời gian hợp lệ.",
    "Not a valid aware datetime.": "Không phải thời điểm hợp lệ kèm múi giờ.",
    "Not a valid naive datetime.": "Không phải thời điểm hợp lệ không kèm múi giờ.",
    "Not a valid aware time.": "Không phải giờ hợp lệ kèm múi giờ.",
    "Not a valid naive time.": "Không phải giờ hợp lệ không kèm múi giờ.",
}

_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(rf"Must be ({_OP}) (.+) and ({_OP}) (.+)\.$"),
        lambda m: f"Phải {_OPERATORS[m[1]]} {m[2]} và {_OPERATORS[m[3]]} {m[4]}.",
    ),
    (re.compile(rf"Must be ({_OP}) (.+)\.$"), lambda m: f"Phải {_OPERATORS[m[1]]} {m[2]}."),
    (re.compile(r"Length must be between (.+) and (.+)\.$"), lambda m: f"Độ dài phải từ {m[1]} đến {m[2]}."),
    (re.compile(r"Length must be (.+)\.$"), lambda m: f"Độ dài phải bằng {m[1]}."),
    (re.compile(r"Shorter than minimum length (.+)\.$"), lambda m: f"Ngắn hơn độ dài tối thiểu {m[1]}."),
    (re.compile(r"Longer than maximum length (.+)\.$"), lambda m: f"Dài hơn độ dài tối đa {m[1]}."),
    (re.compile(r"Must be one of: (.*)\.$", re.S), lambda m: f"Phải là một trong: {m[1]}."),
    (re.compile(r"Must be equal to (.+)\.$"), lambda m: f"Phải bằng {m[1]}."),
    (
        re.compile(r"One or more of the choices you made was not in: (.*)\.$", re.S),
        lambda m: f"Có lựa chọn nằm ngoài: {m[1]}.",
    ),
    (
        re.compile(r"One or more of the choices you made was in: (.*)\.$", re.S),
        lambda m: f"Có lựa chọn không được phép: {m[1]}.",
    ),
    (
        re.compile(r"Not a valid IP(v4|v6)? (address|interface)\.$"),
        lambda m: f"Không phải {'địa chỉ' if m[2] == 'address' else 'giao diện mạng'} IP{m[1] or ''} hợp lệ.",
    ),
]


def in_vietnamese(message: str) -> str:
    """One field message in Vietnamese, when it is one of marshmallow's or webargs' own."""
    fixed = _FIXED.get(message)
    if fixed is not None:
        return fixed
    for pattern, build in _PATTERNS:
        match = pattern.match(message)
        if match:
            return str(build(match))
    return message


def field_messages_in_vietnamese(errors: Any) -> Any:
    """The messages of a (nested) marshmallow error structure, each in Vietnamese where known; field
    names and the structure are kept."""
    if isinstance(errors, dict):
        return {key: field_messages_in_vietnamese(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [field_messages_in_vietnamese(item) for item in errors]
    if isinstance(errors, str):
        return in_vietnamese(errors)
    return errors
