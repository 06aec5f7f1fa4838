"""Ids that travel as one URL path segment: checked before anything is sent."""

from __future__ import annotations

from .._validation import validate_text
from ..errors import InvalidParameterError

__all__ = ["validate_path_id"]


def validate_path_id(value: str, *, name: str) -> str:
    """A non-empty id that is not ``.`` or ``..`` (it is percent-encoded into the path).

    Raises:
        InvalidParameterError: not a string, empty, too long, or only dots.
    """
    checked = validate_text(value, name=name)
    if checked.strip(".") == "" or checked != checked.strip():
        raise InvalidParameterError(
            f"{name} must be an id, not a path segment or padded text", parameter=name
        )
    return checked
