"""Fields every model shares: ``raw`` (the payload as received) and ``response`` (HTTP facts)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["SDK_FIELDS", "ResponseInfo", "raw_field", "response_field"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})

#: Fields the SDK fills in itself; the converter never reads them from JSON.
SDK_FIELDS = frozenset({"raw", "response"})


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


@attrs.frozen
class ResponseInfo:
    """The HTTP side of a result, read from the response that produced it (no second request).

    ``headers`` is case-insensitive. Attached as ``.response`` to every model a call returns
    (a list iterator's items carry their page's response).
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    idempotency_key: str | None = None

    @property
    def request_id(self) -> str | None:
        return self.headers.get("X-Request-Id")

    @property
    def rate_limit_limit(self) -> int | None:
        return _int_or_none(self.headers.get("X-RateLimit-Limit"))

    @property
    def rate_limit_remaining(self) -> int | None:
        return _int_or_none(self.headers.get("X-RateLimit-Remaining"))

    @property
    def rate_limit_reset(self) -> str | None:
        """The ``X-RateLimit-Reset`` header as sent (an ISO-8601 timestamp on Paylor)."""
        return self.headers.get("X-RateLimit-Reset")


def raw_field() -> Any:
    """Every key of the JSON object, known or not, as a read-only mapping."""
    return attrs.field(default=_EMPTY, repr=False, eq=False)


def response_field() -> Any:
    """The :class:`ResponseInfo` of the call that returned this model (``None`` if nested)."""
    return attrs.field(default=None, repr=False, eq=False)
