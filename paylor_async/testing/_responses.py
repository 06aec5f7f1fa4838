"""Responses as plain data (status, bytes, headers), the error envelope and JSON helpers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs

__all__ = [
    "INVALID_JSON",
    "ApiError",
    "ApiResponse",
    "FieldProblem",
    "dumps",
    "error_body",
    "loads",
]

JSON_TYPE: Final = "application/json"


class _InvalidJson:
    def __repr__(self) -> str:
        return "INVALID_JSON"


#: What :func:`loads` returns for a body that is not JSON.
INVALID_JSON: Final = _InvalidJson()


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(payload: object) -> bytes:
    """Compact JSON, as an Express server writes it."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=_default).encode()


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def loads(body: bytes) -> object:
    """Parse a request body; numbers with a fraction become ``Decimal``. Never raises."""
    if not body.strip():
        return INVALID_JSON
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return INVALID_JSON


@attrs.frozen
class FieldProblem:
    """One entry of ``error.details`` (zod style)."""

    path: str
    message: str
    code: str = "custom"

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "code": self.code}


def error_body(
    code: str, message: str, details: Sequence[FieldProblem] | None = None
) -> dict[str, Any]:
    """The documented envelope ``{"message", "error": {"code", "message", "details"?}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = [d.to_json() for d in details]
    return {"message": message, "error": error}


@attrs.define
class ApiResponse:
    """A response before it is written: status, exact body bytes and extra headers."""

    status: int
    body: bytes
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = attrs.Factory(dict)

    @classmethod
    def json(
        cls, status: int, payload: object, headers: Mapping[str, str] | None = None
    ) -> ApiResponse:
        return cls(status, dumps(payload), JSON_TYPE, dict(headers or {}))

    @classmethod
    def error(
        cls,
        status: int,
        code: str,
        message: str,
        details: Sequence[FieldProblem] | None = None,
    ) -> ApiResponse:
        return cls.json(status, error_body(code, message, details))


class ApiError(Exception):
    """Raised by handlers and validators; the pipeline turns it into an error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Sequence[FieldProblem] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = tuple(details or ())

    @classmethod
    def validation(cls, details: Sequence[FieldProblem]) -> ApiError:
        return cls(400, "VALIDATION_ERROR", "Invalid request payload", details)

    @classmethod
    def not_found(cls, message: str) -> ApiError:
        return cls(404, "RESOURCE_NOT_FOUND", message)

    def to_response(self) -> ApiResponse:
        return ApiResponse.error(self.status, self.code, self.message, self.details)
