"""A small immutable record base for the event classes.

Hand-written rather than ``dataclasses``/``attrs``: importing ``dataclasses`` pulls in
``inspect`` and would be the largest part of ``import paylor_async.webhooks``, which is meant
to stay light for web workers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

__all__ = ["Record"]


class Record:
    """Keyword-built, read-only, slotted; equal when of one type with equal fields.

    Subclasses list their fields in ``__slots__`` (in order), optional ones in ``_defaults``,
    and fields left out of ``repr`` and ``hash`` (large or unhashable mappings) in ``_hidden``.
    """

    __slots__ = ()
    _defaults: ClassVar[Mapping[str, Any]] = {}
    _hidden: ClassVar[frozenset[str]] = frozenset({"raw", "metadata"})

    def __init__(self, **values: Any) -> None:
        for name in self._names():
            if name in values:
                value = values.pop(name)
            elif name in self._defaults:
                value = self._defaults[name]
            else:
                raise TypeError(f"{type(self).__name__}() missing field {name!r}")
            object.__setattr__(self, name, value)
        if values:
            raise TypeError(f"{type(self).__name__}() got unknown fields {sorted(values)}")

    def _names(self) -> tuple[str, ...]:
        names: tuple[str, ...] = type(self).__slots__
        return names

    def fields(self) -> Iterator[tuple[str, Any]]:
        """``(name, value)`` of every field, in order."""
        for name in self._names():
            yield name, getattr(self, name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._names())

    def __hash__(self) -> int:
        return hash(
            (type(self), *(getattr(self, n) for n in self._names() if n not in self._hidden))
        )

    def __copy__(self) -> Record:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, Any]) -> Record:
        return self

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{n}={getattr(self, n)!r}" for n in self._names() if n not in self._hidden
        )
        return f"{type(self).__name__}({shown})"
