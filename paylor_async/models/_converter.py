"""The one cattrs converter: Paylor's camelCase JSON to frozen attrs models.

Rules every model gets:
- field ``provider_ref`` reads key ``providerRef`` (or the key in the field's ``wire`` metadata);
- money is :class:`~decimal.Decimal`: responses are parsed with ``parse_float=Decimal`` so no
  float ever rounds an amount;
- timestamps are aware datetimes (a naive one is taken as UTC; one that cannot be read
  becomes ``None``, the original string stays in ``raw``);
- strings are strings: a number where a string belongs is an error, not silently ``str()``-ed;
- unknown keys are ignored by the fields and kept, with everything else, in ``raw``.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, TypeVar, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from ._fields import SDK_FIELDS

__all__ = ["DecodeError", "converter", "structure", "wire_name"]

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)


class DecodeError(ValueError):
    """A response body did not have the shape a model needs."""


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, or the camelCase of its name."""
    explicit = field.metadata.get("wire")
    if explicit:
        return str(explicit)
    head, *rest = field.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    raise DecodeError(f"expected a string, got {type(value).__name__}")


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, bool):
        raise DecodeError("expected a number, got a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise DecodeError("expected a number") from None
    else:
        raise DecodeError(f"expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise DecodeError("expected a finite number")
    return result


def _structure_datetime(value: Any, _: type) -> datetime | None:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            # Epoch milliseconds are the only numeric form seen in JavaScript backends.
            return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)
        except (OverflowError, ValueError, OSError):
            return None
    return None


def _structure_str_enum(value: Any, cls: type[enum.StrEnum]) -> enum.StrEnum:
    if not isinstance(value, str):
        raise DecodeError(f"expected a string for {cls.__name__}, got {type(value).__name__}")
    try:
        return cls(value)
    except ValueError:
        raise DecodeError(f"{value!r} is not a {cls.__name__}") from None


def _structure_mapping(value: Any, _: type) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    raise DecodeError(f"expected an object, got {type(value).__name__}")


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_structure_hook(datetime, _structure_datetime)
# Before ``str`` in a StrEnum's MRO, so status strings become enum members (or pseudo-members).
converter.register_structure_hook(enum.StrEnum, _structure_str_enum)
converter.register_structure_hook_func(lambda t: t == Mapping[str, Any], _structure_mapping)


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None`` (one non-None member), else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
    return members[0] if len(members) == 1 else None


def _optional_hook(tp: Any) -> Callable[[Any, Any], Any]:
    # cattrs' own handling of ``X | None`` looks the hook of ``X`` up again on every value;
    # every optional field of every model goes through here, so resolve it once.
    inner_type = _optional_inner(tp)
    inner = converter.get_structure_hook(inner_type)
    if inner is _structure_str:  # most fields: a string that may be null, one call

        def optional_str(value: Any, _: Any) -> Any:
            if value is None or type(value) is str:
                return value
            return _structure_str(value, str)

        return optional_str

    def hook(value: Any, _: Any) -> Any:
        return None if value is None else inner(value, inner_type)

    return hook


converter.register_structure_hook_factory(
    lambda tp: _optional_inner(tp) is not None, _optional_hook
)


def _is_model(cls: Any) -> bool:
    return attrs.has(cls) and "raw" in attrs.fields_dict(cls)


def _model_hook(cls: type[T]) -> Callable[[Any, type[T]], T]:
    renames = {
        field.name: override(omit=True)
        if field.name in SDK_FIELDS
        else override(rename=wire_name(field))
        for field in attrs.fields(cast(Any, cls))
    }
    inner = make_dict_structure_fn(cls, converter, **cast(Any, renames))

    def hook(value: Any, _: type[T]) -> T:
        if type(value) is not dict and not isinstance(value, Mapping):  # JSON gives dicts
            raise DecodeError(f"expected an object for {cls.__name__}, got {type(value).__name__}")
        obj = inner(value, cls)
        # Frozen models: the untouched payload is attached once, right after construction.
        object.__setattr__(obj, "raw", MappingProxyType(dict(value)))
        return obj

    return hook


converter.register_structure_hook_factory(_is_model, _model_hook)


def structure(data: Any, cls: type[T]) -> T:
    """Decode ``data`` (parsed JSON) into ``cls``; any mismatch is a :class:`DecodeError`."""
    try:
        return converter.structure(data, cls)
    except DecodeError:
        raise
    except (
        cattrs.BaseValidationError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        OverflowError,
    ) as exc:
        raise DecodeError(f"cannot decode {cls.__name__}: {type(exc).__name__}") from exc
