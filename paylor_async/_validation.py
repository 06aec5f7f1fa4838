"""Checks made before anything is sent: a refused argument never reaches Paylor."""

from __future__ import annotations

import math
import re
import string
import unicodedata
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from .errors import (
    InvalidAmountError,
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    InvalidPhoneNumberError,
)

__all__ = [
    "MAX_IDEMPOTENCY_KEY_LENGTH",
    "normalize_phone",
    "validate_callback_url",
    "validate_idempotency_key",
    "validate_optional_text",
    "validate_text",
    "validate_whole_amount",
]

MAX_IDEMPOTENCY_KEY_LENGTH = 180
#: No Paylor product moves a trillion shillings; past this an amount is a bug, not a payment.
AMOUNT_SANITY_CAP = 10**12

_SEPARATORS = re.compile(r"[\s\-.()]")
_MSISDN = re.compile(r"254[17][0-9]{8}")
_LOCAL = re.compile(r"0([17][0-9]{8})")
_SHORT = re.compile(r"([17][0-9]{8})")
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + string.punctuation)


def normalize_phone(phone: str) -> str:
    """Turn a Kenyan mobile number in any common form into Paylor's ``2547XXXXXXXX``.

    Accepted: ``0712345678``, ``0712 345 678``, ``+254712345678``, ``254-712-345678``,
    ``712345678``, and the same for ``01...`` (``2541XXXXXXXX``) numbers.

    Raises:
        InvalidPhoneNumberError: anything else (nothing is sent).
    """
    if not isinstance(phone, str):
        raise InvalidPhoneNumberError(
            f"phone must be a string such as '0712345678', got {type(phone).__name__}"
        )
    compact = _SEPARATORS.sub("", phone)
    plus = compact.startswith("+")
    if plus:
        compact = compact[1:]
    if _MSISDN.fullmatch(compact):
        return compact
    match = None if plus else (_LOCAL.fullmatch(compact) or _SHORT.fullmatch(compact))
    if match:
        return "254" + match.group(1)
    raise InvalidPhoneNumberError(
        "not a Kenyan M-Pesa number: use 07XXXXXXXX, 01XXXXXXXX or 2547XXXXXXXX "
        f"(got {len(phone)} characters)"
    )


def validate_whole_amount(
    amount: int | Decimal | float,
    *,
    minimum: int = 1,
    maximum: int | None = None,
    what: str = "amount",
) -> int:
    """A whole number of shillings within ``[minimum, maximum]``, as an ``int`` for the wire.

    ``Decimal('1000.00')`` and ``1000.0`` are whole; ``1000.5``, ``True`` and ``'1000'`` are not.

    Raises:
        InvalidAmountError: not a number, not whole, or out of range (nothing is sent).
    """
    if type(amount) is int and minimum <= amount <= (maximum or AMOUNT_SANITY_CAP):
        return amount  # the common case, already whole and in range
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | float):
        raise InvalidAmountError(
            f"{what} must be a number of shillings (int or Decimal), got {type(amount).__name__}"
        )
    try:
        value = Decimal(amount) if not isinstance(amount, float) else Decimal(repr(amount))
        whole = value.is_finite() and value == value.to_integral_value()
    except (InvalidOperation, ValueError):
        whole = False
    if not whole or (isinstance(amount, float) and not math.isfinite(amount)):
        raise InvalidAmountError(f"{what} must be a whole number of shillings, got {amount!r}")
    if abs(value) > AMOUNT_SANITY_CAP:
        raise InvalidAmountError(f"{what} is beyond any payment (over {AMOUNT_SANITY_CAP:,} KES)")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        upper = f" and at most {maximum:,}" if maximum is not None else ""
        raise InvalidAmountError(f"{what} must be at least {minimum:,}{upper} KES, got {number:,}")
    return number


def validate_idempotency_key(key: str) -> str:
    """1 to 180 printable ASCII characters (it travels in an HTTP header).

    Raises:
        InvalidIdempotencyKeyError: empty, too long, or with characters a header cannot carry.
    """
    if not isinstance(key, str):
        raise InvalidIdempotencyKeyError(
            f"idempotency_key must be a string, got {type(key).__name__}"
        )
    if not key:
        raise InvalidIdempotencyKeyError("idempotency_key must not be empty")
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidIdempotencyKeyError(
            f"idempotency_key is {len(key)} characters; Paylor accepts at most "
            f"{MAX_IDEMPOTENCY_KEY_LENGTH}"
        )
    if not _KEY_CHARS.issuperset(key):
        raise InvalidIdempotencyKeyError(
            "idempotency_key may hold only printable ASCII characters without spaces"
        )
    return key


#: Whitespace, format (zero-width) and unassigned characters: a text of only these is empty.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cf", "Cn", "Cc"})


def validate_text(value: str, *, name: str, max_length: int = 255) -> str:
    """A required string of 1 to ``max_length`` characters that is not only blank."""
    if not isinstance(value, str):
        raise InvalidParameterError(
            f"{name} must be a string, got {type(value).__name__}", parameter=name
        )
    if not value.strip():
        raise InvalidParameterError(f"{name} must not be empty", parameter=name)
    if not value.isprintable():  # rare: look closer only then (isprintable is one C call)
        if all(unicodedata.category(ch) in _INVISIBLE for ch in value):
            raise InvalidParameterError(f"{name} must not be empty", parameter=name)
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            raise InvalidParameterError(
                f"{name} must not contain control characters (NUL, newlines, tabs...)",
                parameter=name,
            )
    if len(value) > max_length:
        raise InvalidParameterError(
            f"{name} is {len(value)} characters; at most {max_length} are accepted",
            parameter=name,
        )
    return value


def validate_optional_text(value: str | None, *, name: str, max_length: int = 255) -> str | None:
    """Like :func:`validate_text`, with ``None`` meaning "leave it out"."""
    return None if value is None else validate_text(value, name=name, max_length=max_length)


def validate_callback_url(url: str | None) -> str | None:
    """An absolute ``http(s)`` URL with a host, or ``None``."""
    if url is None:
        return None
    if not isinstance(url, str):
        raise InvalidParameterError(
            f"callback_url must be a string, got {type(url).__name__}", parameter="callback_url"
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    try:
        port_ok = parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:  # a port out of range or not a number
        port_ok = False
    if parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameterError(
            "callback_url must be an absolute http(s) URL such as https://shop.example/paylor",
            parameter="callback_url",
        )
    if any(ch.isspace() for ch in url):
        raise InvalidParameterError(
            "callback_url must not contain spaces", parameter="callback_url"
        )
    return url
