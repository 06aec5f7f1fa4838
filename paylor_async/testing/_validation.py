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
    "B2BInput",
    "B2CInput",
    "CryptoInput",
    "Page",
    "StkPushInput",
    "idempotency_key",
    "is_object_id",
    "validate_b2b",
    "validate_b2c",
    "validate_crypto",
    "validate_page",
    "validate_stk_push",
]

_PHONE_MESSAGE = "Invalid phone number. Use the format 2547XXXXXXXX"

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
    body: Mapping[str, object],
    name: str,
    problems: list[FieldProblem],
    *,
    required: bool,
    max_length: int = MAX_TEXT,
) -> str | None:
    """A string field of 1..``max_length`` characters; ``None`` (or absent) is fine if optional."""
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
    if len(value) > max_length:
        problems.append(
            FieldProblem(name, f"{name} must be at most {max_length} characters", "too_big")
        )
        return None
    return value


def _callback_url(body: Mapping[str, object], problems: list[FieldProblem]) -> str | None:
    callback_url = _text(body, "callbackUrl", problems, required=False)
    if callback_url is not None and not _is_http_url(callback_url):
        problems.append(
            FieldProblem("callbackUrl", "callbackUrl must be an http(s) URL", "invalid_string")
        )
        return None
    return callback_url


def _object(body: object) -> dict[str, object]:
    if body is INVALID_JSON or not isinstance(body, dict):
        raise ApiError.validation([FieldProblem("body", "body must be a JSON object")])
    return body


def _number(body: Mapping[str, object], name: str, problems: list[FieldProblem]) -> Decimal | None:
    value = body.get(name)
    if value is None:
        problems.append(FieldProblem(name, f"{name} is required"))
        return None
    if not _is_number(value):
        problems.append(FieldProblem(name, f"{name} must be a number", "invalid_type"))
        return None
    assert isinstance(value, int | Decimal | float)
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


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


# B2C, B2B Express and crypto --------------------------------------------------------------
B2C_MIN, B2C_MAX = 10, 150_000
B2C_COMMAND_IDS = ("BusinessPayment", "SalaryPayment", "PromotionPayment")
MAX_REMARKS = 100
SHORTCODE_RE = re.compile(r"^\d{5,10}$")
CRYPTO_PLACES = 6


@attrs.frozen
class B2CInput:
    phone: str
    amount: int
    reference: str
    remarks: str | None
    command_id: str
    callback_url: str | None


def validate_b2c(body: object) -> B2CInput:
    """A B2C body: shape problems as one VALIDATION_ERROR, then the phone, then the amount."""
    data = _object(body)
    problems: list[FieldProblem] = []
    phone = _text(data, "phone", problems, required=True)
    amount = _number(data, "amount", problems)
    reference = _text(data, "reference", problems, required=True)
    remarks = _text(data, "remarks", problems, required=False, max_length=MAX_REMARKS)
    command_id = _text(data, "commandId", problems, required=False) or "BusinessPayment"
    if command_id not in B2C_COMMAND_IDS:
        problems.append(
            FieldProblem(
                "commandId",
                f"commandId must be one of {', '.join(B2C_COMMAND_IDS)}",
                "invalid_enum",
            )
        )
    callback_url = _callback_url(data, problems)
    if problems:
        raise ApiError.validation(problems)
    assert phone is not None
    assert amount is not None
    assert reference is not None
    if not PHONE_RE.fullmatch(phone):
        raise ApiError(400, "INVALID_PHONE_NUMBER", _PHONE_MESSAGE)
    if amount < B2C_MIN or amount > B2C_MAX or amount != amount.to_integral_value():
        raise ApiError(
            400,
            "INVALID_AMOUNT",
            f"B2C amount must be a whole number of KES between {B2C_MIN} and {B2C_MAX:,}",
        )
    return B2CInput(phone, int(amount), reference, remarks, command_id, callback_url)


@attrs.frozen
class B2BInput:
    payer_shortcode: str
    amount: int
    reference: str
    partner_name: str | None
    channel_id: str | None
    description: str | None
    callback_url: str | None


def validate_b2b(body: object) -> B2BInput:
    """A B2B Express Checkout body (the shape is the SDK's GUESS, served consistently)."""
    data = _object(body)
    problems: list[FieldProblem] = []
    shortcode = _text(data, "payerShortcode", problems, required=True)
    if shortcode is not None and not SHORTCODE_RE.fullmatch(shortcode):
        problems.append(
            FieldProblem(
                "payerShortcode", "payerShortcode must be 5 to 10 digits", "invalid_string"
            )
        )
    amount = _number(data, "amount", problems)
    reference = _text(data, "reference", problems, required=True)
    partner_name = _text(data, "partnerName", problems, required=False)
    channel_id = _text(data, "channelId", problems, required=False)
    description = _text(data, "description", problems, required=False)
    callback_url = _callback_url(data, problems)
    if problems:
        raise ApiError.validation(problems)
    assert shortcode is not None
    assert amount is not None
    assert reference is not None
    if amount < 1 or amount > MAX_FEE_AMOUNT or amount != amount.to_integral_value():
        raise ApiError(
            400,
            "INVALID_AMOUNT",
            f"Amount must be a whole number of KES between 1 and {MAX_FEE_AMOUNT}",
        )
    return B2BInput(
        shortcode, int(amount), reference, partner_name, channel_id, description, callback_url
    )


@attrs.frozen
class CryptoInput:
    amount: Decimal
    reference: str
    description: str | None
    crypto_id: str | None
    callback_url: str | None


def validate_crypto(body: object) -> CryptoInput:
    """A USDT payment body: ``amount`` > 0 with at most 6 places, ``currency`` ``USDT``."""
    data = _object(body)
    problems: list[FieldProblem] = []
    amount = _number(data, "amount", problems)
    if amount is not None:
        exponent = amount.normalize().as_tuple().exponent
        if not amount.is_finite() or amount <= 0:
            problems.append(FieldProblem("amount", "amount must be greater than 0", "too_small"))
        elif isinstance(exponent, int) and exponent < -CRYPTO_PLACES:
            problems.append(
                FieldProblem("amount", f"amount has more than {CRYPTO_PLACES} decimals", "custom")
            )
    currency = _text(data, "currency", problems, required=True)
    if currency is not None and currency != "USDT":
        problems.append(FieldProblem("currency", "currency must be USDT", "invalid_enum"))
    reference = _text(data, "reference", problems, required=True)
    description = _text(data, "description", problems, required=False)
    crypto_id = _text(data, "cryptoId", problems, required=False)
    if crypto_id is not None and not is_object_id(crypto_id):
        problems.append(
            FieldProblem("cryptoId", "cryptoId must be a 24-character hex id", "invalid_string")
        )
    callback_url = _callback_url(data, problems)
    if problems:
        raise ApiError.validation(problems)
    assert amount is not None
    assert reference is not None
    return CryptoInput(amount, reference, description, crypto_id, callback_url)
