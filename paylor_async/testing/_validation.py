"""Request validation as pure functions: body in, clean input out, or an :class:`ApiError`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urlsplit

import attrs

from ._fees import MAX_FEE_AMOUNT
from ._responses import INVALID_JSON, ApiError, FieldProblem

__all__ = [
    "MAX_IDEMPOTENCY_KEY_LENGTH",
    "PHONE_RE",
    "Page",
    "StkPushInput",
    "idempotency_key",
    "is_object_id",
    "validate_page",
    "validate_stk_push",
]

PHONE_RE = re.compile(r"^254[17]\d{8}$")
OBJECT_ID_RE = re.compile(r"^[0-9a-f]{24}$")
MAX_IDEMPOTENCY_KEY_LENGTH = 180
MAX_TEXT = 255
DEFAULT_PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 100


@attrs.frozen
class StkPushInput:
    phone: str
    amount: int
    reference: str
    channel_id: str | None
    description: str | None
    callback_url: str | None


def is_object_id(value: str) -> bool:
    return OBJECT_ID_RE.fullmatch(value) is not None


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal | float) and not isinstance(value, bool)


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _text(
    body: Mapping[str, object], name: str, problems: list[FieldProblem], *, required: bool
) -> str | None:
    """A string field of 1..255 characters; ``None`` (or absent) is fine when optional."""
    value = body.get(name)
    if value is None:
        if required:
            problems.append(FieldProblem(name, f"{name} is required"))
        return None
    if not isinstance(value, str):
        problems.append(FieldProblem(name, f"{name} must be a string", "invalid_type"))
        return None
    if required and not value:
        problems.append(FieldProblem(name, f"{name} is required", "too_small"))
        return None
    if len(value) > MAX_TEXT:
        problems.append(
            FieldProblem(name, f"{name} must be at most {MAX_TEXT} characters", "too_big")
        )
        return None
    return value


def validate_stk_push(body: object) -> StkPushInput:
    """Check an STK Push body the way Paylor does.

    Shape problems (missing or mistyped fields, in any number) come first as one
    ``VALIDATION_ERROR`` listing them all; then ``INVALID_PHONE_NUMBER``; then ``INVALID_AMOUNT``.
    Unknown fields are ignored.
    """
    if body is INVALID_JSON or not isinstance(body, dict):
        raise ApiError.validation([FieldProblem("body", "body must be a JSON object")])
    problems: list[FieldProblem] = []

    phone = body.get("phone")
    if phone is None:
        problems.append(FieldProblem("phone", "phone is required"))
    elif not isinstance(phone, str):
        problems.append(FieldProblem("phone", "phone must be a string", "invalid_type"))

    amount = body.get("amount")
    if amount is None:
        problems.append(FieldProblem("amount", "amount is required"))
    elif not _is_number(amount):
        problems.append(FieldProblem("amount", "amount must be a number", "invalid_type"))

    reference = _text(body, "reference", problems, required=True)
    channel_id = _text(body, "channelId", problems, required=False)
    description = _text(body, "description", problems, required=False)
    callback_url = _text(body, "callbackUrl", problems, required=False)
    if callback_url is not None and not _is_http_url(callback_url):
        problems.append(
            FieldProblem("callbackUrl", "callbackUrl must be an http(s) URL", "invalid_string")
        )
    if problems:
        raise ApiError.validation(problems)

    assert isinstance(phone, str)
    assert isinstance(amount, int | Decimal | float)
    assert reference is not None
    if not PHONE_RE.fullmatch(phone):
        raise ApiError(
            400, "INVALID_PHONE_NUMBER", "Invalid phone number. Use the format 2547XXXXXXXX"
        )
    exact = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    if exact < 1 or exact > MAX_FEE_AMOUNT or exact != exact.to_integral_value():
        raise ApiError(
            400,
            "INVALID_AMOUNT",
            f"Amount must be a whole number of KES between 1 and {MAX_FEE_AMOUNT}",
        )
    return StkPushInput(
        phone=phone,
        amount=int(exact),
        reference=reference,
        channel_id=channel_id,
        description=description,
        callback_url=callback_url,
    )


def idempotency_key(headers: Mapping[str, str]) -> str | None:
    """The ``Idempotency-Key`` (or ``X-Idempotency-Key``) header; empty means none."""
    for name in ("Idempotency-Key", "X-Idempotency-Key"):
        value = headers.get(name)
        if value:
            if len(value) > MAX_IDEMPOTENCY_KEY_LENGTH:
                raise ApiError.validation(
                    [
                        FieldProblem(
                            name,
                            f"{name} must be at most {MAX_IDEMPOTENCY_KEY_LENGTH} characters",
                            "too_big",
                        )
                    ]
                )
            return value
    return None


@attrs.frozen
class Page:
    limit: int
    offset: int


def _int_param(
    query: Mapping[str, str], name: str, default: int, low: int, high: int | None
) -> int | FieldProblem:
    raw = query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw.strip()):
        return FieldProblem(name, f"{name} must be a non-negative integer", "invalid_type")
    value = int(raw)
    if value < low:
        return FieldProblem(name, f"{name} must be at least {low}", "too_small")
    if high is not None and value > high:
        return FieldProblem(name, f"{name} must be at most {high}", "too_big")
    return value


def validate_page(query: Mapping[str, str]) -> Page:
    """``?limit=`` (1..100, default 50) and ``?offset=`` (>= 0, default 0)."""
    limit = _int_param(query, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
    offset = _int_param(query, "offset", 0, 0, None)
    problems = [p for p in (limit, offset) if isinstance(p, FieldProblem)]
    if problems:
        raise ApiError.validation(problems)
    assert isinstance(limit, int)
    assert isinstance(offset, int)
    return Page(limit, offset)
