"""Temporal's default data converter, with the field types of dataclasses looked up once per class.

The SDK's JSON converter calls `typing.get_type_hints` on every dataclass it builds from a payload
(every activity input, update argument and result), which re-evaluates the class's string annotations
each time: ≈ 7 % of the evaluation worker's CPU in the lifecycle benchmark. This converter builds a
dataclass the same way (missing fields left to the constructor to refuse, unknown keys ignored, each
field converted by the SDK's own `value_to_type`) from hints resolved once per class. The JSON it
writes is the SDK's, so clients and workers with either converter understand each other.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from typing import Any, get_type_hints

from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
    JSONTypeConverter,
    value_to_type,
)


class CachedDataclassConverter(JSONTypeConverter):
    """Builds dataclasses from JSON values with their field types resolved once per class. A class
    with `init=False` fields is left to the SDK (never used by our contracts)."""

    def __init__(self) -> None:
        # Weak keys: workflow classes re-imported into each sandboxed run must not be kept alive.
        self._fields: weakref.WeakKeyDictionary[type, tuple[tuple[str, Any], ...] | None] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def _fields_of(self, hint: type) -> tuple[tuple[str, Any], ...] | None:
        try:
            return self._fields[hint]
        except KeyError:
            pass
        fields = dataclasses.fields(hint)
        if any(not f.init for f in fields):
            plan = None
        else:
            hints = get_type_hints(hint)
            plan = tuple((f.name, hints[f.name]) for f in fields)
        with self._lock:
            self._fields[hint] = plan
        return plan

    def to_typed_value(self, hint: type, value: Any) -> Any:
        if not (isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(value, dict)):
            return JSONTypeConverter.Unhandled
        plan = self._fields_of(hint)
        if plan is None:
            return JSONTypeConverter.Unhandled
        kwargs = {}
        for name, field_type in plan:
            if name in value:
                try:
                    kwargs[name] = value_to_type(field_type, value[name], _CONVERTERS)
                except Exception as err:
                    raise TypeError(f"Failed converting field {name} on dataclass {hint}") from err
        return hint(**kwargs)


_CONVERTERS: list[JSONTypeConverter] = [CachedDataclassConverter()]


_NAMES_LOCK = threading.Lock()


class ShallowDataclassEncoder(AdvancedJSONEncoder):
    """The SDK's JSON encoder, a dataclass given as a shallow dict of its fields (names looked up once per
    class): the encoder calls `default` again for each nested dataclass, so the JSON is the same as the
    SDK's `dataclasses.asdict`, without that function's deep copy of every value (≈ 1.5 % of the
    evaluation worker's CPU in the lifecycle benchmark)."""

    # Weak keys, as in CachedDataclassConverter: a sandboxed run's re-imported classes may go.
    _names: weakref.WeakKeyDictionary[type, tuple[str, ...]] = weakref.WeakKeyDictionary()

    def default(self, o: Any) -> Any:
        cls = type(o)
        names = self._names.get(cls)
        if names is None:
            if not dataclasses.is_dataclass(cls):
                return super().default(o)
            names = tuple(f.name for f in dataclasses.fields(cls))
            with _NAMES_LOCK:
                self._names[cls] = names
        return {name: getattr(o, name) for name in names}


class PayloadConverter(CompositePayloadConverter):
    """The SDK's default payload converters, the JSON one with the cached dataclass converter."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(encoder=ShallowDataclassEncoder, custom_type_converters=_CONVERTERS)
                if isinstance(c, JSONPlainPayloadConverter)
                else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = dataclasses.replace(DataConverter.default, payload_converter_class=PayloadConverter)
