"""Reading and decoding responses: JSON with exact decimals, typed errors for everything else."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import aiohttp

from .errors import APIError, ErrorDetail, UnexpectedResponseError, error_class_for

__all__ = ["ResponseTooLargeError", "build_api_error", "excerpt", "parse_json", "read_body"]

EXCERPT_LENGTH = 200


class ResponseTooLargeError(Exception):
    """The body went past the size cap (internal; the transport reports it as an APIError)."""


async def read_body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The whole body, refusing more than ``limit`` bytes without buffering past it."""
    # Content-Length counts compressed bytes; the cap must count what we actually hold.
    length = response.content_length
    if length is not None and not response.headers.get("Content-Encoding"):
        if length > limit:
            raise ResponseTooLargeError(length)
        # The parser stops at Content-Length, so reading to the end holds at most `length`
        # bytes: one read instead of a loop (every answer of Paylor's takes this path).
        return await response.content.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLargeError(size)
        chunks.append(chunk)
    return b"".join(chunks)


def excerpt(body: bytes, redact: Callable[[str], str]) -> str:
    """The start of a body as one line of text, for error messages."""
    text = body[: EXCERPT_LENGTH * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return redact(text[:EXCERPT_LENGTH] + ("…" if len(text) > EXCERPT_LENGTH else ""))


_NOT_JSON = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: Built once: ``json.loads`` with options builds a new decoder on every call.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)


def parse_json(body: bytes) -> Any:
    """Parsed JSON (numbers with a fraction as ``Decimal``), or ``_NOT_JSON``."""
    if not body:
        return _NOT_JSON
    try:
        # What json.loads does with bytes (UTF-8/16/32 detection), then the shared decoder.
        return _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _NOT_JSON


def is_json(value: Any) -> bool:
    return value is not _NOT_JSON


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _details(raw: Any) -> list[ErrorDetail]:
    if not isinstance(raw, list):
        return []
    details = []
    for item in raw[:50]:
        if isinstance(item, Mapping):
            path = item.get("path")
            if isinstance(path, list):
                path = ".".join(str(p) for p in path)
            details.append(
                ErrorDetail(
                    path=path if isinstance(path, str) else None,
                    message=_str_or_none(item.get("message")),
                    code=_str_or_none(item.get("code")),
                )
            )
    return details


def build_api_error(
    *,
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    body: bytes,
    redact: Callable[[str], str],
    method: str,
    path: str,
    idempotency_key: str | None,
    reference: str | None,
    data: Any = _NOT_JSON,
) -> APIError:
    """The typed error for an error response, whatever its body (envelope, HTML, empty)."""
    if data is _NOT_JSON:
        data = parse_json(body)
    code = message = None
    details: list[ErrorDetail] = []
    if isinstance(data, Mapping):
        error = data.get("error")
        if isinstance(error, Mapping):
            code = _str_or_none(error.get("code"))
            message = _str_or_none(error.get("message"))
            details = _details(error.get("details"))
        elif isinstance(error, str):
            message = error
        message = message or _str_or_none(data.get("message"))
    if message is None:
        kind = "an empty body" if not body else "a body that is not Paylor's JSON error"
        message = f"HTTP {status} {reason or ''}".rstrip() + f" with {kind}"
    return _typed_error(
        error_class_for(status, code),
        redact(message),
        code=code,
        details=details,
        status=status,
        headers=headers,
        body=body,
        redact=redact,
        method=method,
        path=path,
        idempotency_key=idempotency_key,
        reference=reference,
    )


def unexpected(
    *,
    status: int,
    problem: str,
    headers: Mapping[str, str],
    body: bytes,
    redact: Callable[[str], str],
    method: str,
    path: str,
    idempotency_key: str | None,
    reference: str | None,
) -> UnexpectedResponseError:
    """A success status whose body cannot be used."""
    return _typed_error(
        UnexpectedResponseError,
        problem,
        status=status,
        headers=headers,
        body=body,
        redact=redact,
        method=method,
        path=path,
        idempotency_key=idempotency_key,
        reference=reference,
    )


E = TypeVar("E", bound=APIError)


def _typed_error(
    cls: type[E],
    message: str,
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    redact: Callable[[str], str],
    method: str,
    path: str,
    idempotency_key: str | None,
    reference: str | None,
    code: str | None = None,
    details: Sequence[ErrorDetail] = (),
) -> E:
    """One place that turns a response into an exception: excerpt, request id, context."""
    return cls(
        message,
        status=status,
        code=code,
        details=details,
        idempotency_key=idempotency_key,
        reference=reference,
        body_excerpt=excerpt(body, redact),
        request_id=headers.get("X-Request-Id"),
        headers=headers,
        method=method,
        path=path,
    )
