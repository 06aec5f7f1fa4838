"""``parse_event``: verified body -> typed event, or :class:`InvalidPayloadError`.

Strict only where the API reference is CONFIRMED (a JSON object with an ``event`` string;
payment events nest a ``transaction`` object with an ``id``, a ``status`` and a numeric
``amount``; Global events carry ``reference``, ``status`` and ``amount``). Everything else is
tolerated: unknown fields stay in ``raw``, unknown statuses keep their string, an unreadable
EARLY field (``metadata``, ``createdAt``) becomes ``None``. No foreign exception escapes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NoReturn

from ._errors import InvalidPayloadError
from ._events import (
    GLOBAL_COLLECTION_PREFIX,
    PAYMENT_EVENTS,
    GlobalCollectionEvent,
    PaymentEvent,
    PaymentTransaction,
    UnknownEvent,
    WebhookEvent,
    WebhookStatus,
)

__all__ = ["decode_body", "parse_event"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NUMBER = (int, Decimal)
_KNOWN_STATUSES: dict[str, WebhookStatus] = {status.value: status for status in WebhookStatus}
_RESULT_CODE_DIGITS = 12
_RESULT_CODE_LIMIT = 10**_RESULT_CODE_DIGITS
"""A result code is an integer with ``abs(code) < 10**12``; anything else becomes ``None``."""
_AMOUNT_DIGITS = 15
"""An amount is below ``10**15`` in absolute value; larger ones are refused."""
_AMOUNT_DECIMALS = 30
"""An amount has at most 30 decimal places (``0E-1000000`` would expand to a megabyte)."""
_TEXT_NUMBER_DIGITS = 64
"""An id sent as a number is kept as text only up to this many digits."""


def parse_event(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    delivered_as: str | None = None,
) -> WebhookEvent:
    """Turn a webhook body into a :class:`PaymentEvent`, :class:`GlobalCollectionEvent` or
    :class:`UnknownEvent`.

    Verify first: this does not check any signature (``WebhookVerifier.verify`` does both).

    Args:
        body: the raw body (``bytes``, UTF-8 JSON; numbers become ``Decimal`` or ``int``,
            never ``float``), a ``str``, or an already parsed mapping.
        delivered_as: the ``X-Webhook-Event`` header, kept as ``event.delivered_as``.

    Returns:
        The typed event; ``raw`` is a read-only view of the body.

    Raises:
        InvalidPayloadError: not UTF-8, not JSON (``NaN``/``Infinity`` included), not an object,
            or a CONFIRMED field with the wrong type (``transaction`` not an object, ``amount``
            not a number...). Only this error is raised, whatever the input.
    """
    if isinstance(body, Mapping):
        try:
            data = _freeze(body)
        except RecursionError:
            raise InvalidPayloadError("webhook body is nested too deeply") from None
        digest_source = _canonical(body)
    else:
        data = decode_body(body)
        digest_source = bytes(body) if not isinstance(body, str) else body.encode("utf-8")
    if not isinstance(delivered_as, str):
        delivered_as = None
    return _build(data, delivered_as, digest_source)


def decode_body(body: object) -> Mapping[str, Any]:
    """JSON object from bytes/str, read-only, money as ``Decimal``; else InvalidPayloadError."""
    try:
        if isinstance(body, memoryview):
            body = body.tobytes()
        if isinstance(body, (bytes, bytearray)):
            text = bytes(body).decode("utf-8")
        elif isinstance(body, str):
            text = body
        else:
            raise InvalidPayloadError(
                f"webhook body must be bytes, str or a mapping, not {type(body).__name__}"
            )
        parsed = _DECODER.decode(text)
    except InvalidPayloadError:
        raise
    except UnicodeError:
        raise InvalidPayloadError("webhook body is not valid UTF-8") from None
    except (ValueError, RecursionError, TypeError):
        raise InvalidPayloadError("webhook body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidPayloadError(f"webhook body must be a JSON object, not {_kind(parsed)}")
    try:
        frozen: Mapping[str, Any] = _freeze_json(parsed)
    except RecursionError:
        raise InvalidPayloadError("webhook body is nested too deeply") from None
    return frozen


def _build(data: Mapping[str, Any], delivered_as: str | None, digest: bytes) -> WebhookEvent:
    name = data.get("event")
    if name is not None and not isinstance(name, str):
        _invalid(f"'event' must be a string, not {_kind(name)}")
    transaction = data.get("transaction")
    if isinstance(name, str) and name.startswith(GLOBAL_COLLECTION_PREFIX):
        return _global_event(name, data, delivered_as)
    if isinstance(name, str) and (name in PAYMENT_EVENTS or transaction is not None):
        return _payment_event(name, data, delivered_as)
    return UnknownEvent(
        event=name,
        dedupe_key="sha256:" + hashlib.sha256(digest).hexdigest(),
        delivered_as=delivered_as,
        raw=data,
    )


def _payment_event(name: str, data: Mapping[str, Any], delivered_as: str | None) -> PaymentEvent:
    tx = data.get("transaction")
    if not isinstance(tx, MappingProxyType):  # every mapping was frozen into one
        _invalid(f"'transaction' must be an object, not {_kind(tx)}")
    metadata = tx.get("metadata")
    if not isinstance(metadata, MappingProxyType):
        metadata = _EMPTY  # EARLY field: tolerated when absent or odd
    transaction = PaymentTransaction(
        id=_required_text(tx, "id", "transaction.id"),
        reference=_optional_text(tx, "reference", "transaction.reference"),
        internal_reference=_optional_text(tx, "internalReference", "transaction.internalReference"),
        amount=_amount(tx, "transaction.amount"),
        status=_status(tx, "transaction.status"),
        provider_ref=_optional_text(tx, "providerRef", "transaction.providerRef"),
        mpesa_receipt=_lenient_text(metadata.get("mpesaReceipt")),
        result_code=_result_code(metadata.get("callbackResultCode")),
        result_description=_lenient_text(metadata.get("callbackResultDesc")),
        metadata=metadata,
        raw=tx,
    )
    return PaymentEvent(
        event=name,
        transaction=transaction,
        dedupe_key=_dedupe_key("tx", transaction.id, transaction.status.value),
        delivered_as=delivered_as,
        raw=data,
    )


def _global_event(
    name: str, data: Mapping[str, Any], delivered_as: str | None
) -> GlobalCollectionEvent:
    reference = _required_text(data, "reference", "reference")
    status = _status(data, "status")
    return GlobalCollectionEvent(
        event=name,
        reference=reference,
        merchant_reference=_optional_text(data, "merchantReference", "merchantReference"),
        amount=_amount(data, "amount"),
        currency=_optional_text(data, "currency", "currency"),
        status=status,
        provider=_optional_text(data, "provider", "provider"),
        created_at=_timestamp(data.get("createdAt")),
        dedupe_key=_dedupe_key("global", reference, status.value),
        delivered_as=delivered_as,
        raw=data,
    )


def _dedupe_key(kind: str, identifier: str, status: str) -> str:
    """``"<kind>:<id>:<status>"`` with ``%`` and ``:`` escaped in the parts: unambiguous.

    Without escaping, id ``"a:b"`` with status ``"C"`` and id ``"a"`` with status ``"b:C"``
    shared a key, and a transaction ``"sha256"`` could take an unknown event's key; the kind
    prefix also keeps transaction ids and Global references apart.
    """
    return f"{kind}:{_escape(identifier)}:{_escape(status)}"


def _escape(part: str) -> str:
    return part.replace("%", "%25").replace(":", "%3A")


def _required_text(data: Mapping[str, Any], key: str, label: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        _invalid(f"'{label}' must be a non-empty string, not {_kind(value)}")
    return value


def _optional_text(data: Mapping[str, Any], key: str, label: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    text = _number_text(value)
    if text is None:
        _invalid(f"'{label}' must be a string, not {_kind(value)}")
    return text  # an id sent as a number: keep it, as text


def _lenient_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    return _number_text(value)


def _number_text(value: object) -> str | None:
    """A JSON number as text; ``None`` for anything else or a number too long to be an id.

    ``str`` of a ``Decimal`` never expands the exponent; ``str`` of a huge int (from an
    already parsed mapping) raises past Python's digit limit, so its size is checked first.
    """
    if type(value) is bool:
        return None
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 4 * _TEXT_NUMBER_DIGITS else None
    if isinstance(value, Decimal):
        return str(value)
    return None


def _amount(data: Mapping[str, Any], label: str) -> Decimal:
    value = data.get(label.rsplit(".", 1)[-1])
    if type(value) is bool or not isinstance(value, _NUMBER):
        _invalid(f"'{label}' must be a number, not {_kind(value)}")
    try:
        amount = Decimal(value)
    except (ValueError, ArithmeticError):
        _invalid(f"'{label}' is not a usable number")
    if not amount.is_finite():
        _invalid(f"'{label}' must be finite")
    # Checked on the exponent, never by expanding the number: 1E+1000000 is refused at once
    # (formatting it with ``:f`` or converting it to int would take seconds and megabytes).
    if amount and amount.adjusted() >= _AMOUNT_DIGITS:
        _invalid(f"'{label}' is too large (at most 10**{_AMOUNT_DIGITS})")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_AMOUNT_DECIMALS:
        _invalid(f"'{label}' has more than {_AMOUNT_DECIMALS} decimal places")
    return amount


def _status(data: Mapping[str, Any], label: str) -> WebhookStatus:
    value = data.get(label.rsplit(".", 1)[-1])
    if not isinstance(value, str) or not value:
        _invalid(f"'{label}' must be a non-empty string, not {_kind(value)}")
    return _KNOWN_STATUSES.get(value) or WebhookStatus(value)


def _result_code(value: object) -> int | None:
    """M-Pesa result code (EARLY field): ``None`` unless a well-formed, plausible integer.

    Accepted: an int, an integral ``Decimal``, or a string of ASCII digits with at most one
    leading minus (surrounding spaces ignored); in every case ``abs(code) < 10**12``. Anything
    else (``"--1032"``, ``"1e3"``, ``1E+1000000``) becomes ``None``; the value stays in
    ``metadata``. The magnitude is checked before any conversion, so no input costs CPU.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        code = value
    elif isinstance(value, Decimal):
        if not value.is_finite() or value.adjusted() >= _RESULT_CODE_DIGITS:
            return None
        if value != value.to_integral_value():
            return None
        code = int(value)
    elif isinstance(value, str) and 0 < len(value) <= 2 * _RESULT_CODE_DIGITS:
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        if not (digits.isascii() and digits.isdigit()):
            return None
        code = int(text)
    else:
        return None
    return code if abs(code) < _RESULT_CODE_LIMIT else None


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _freeze(value: Any) -> Any:
    """Read-only copies: mappings become ``MappingProxyType``, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, float):
        return Decimal(repr(value))  # a parsed mapping given by the caller
    return value


def _freeze_json(value: Any) -> Any:
    """:func:`_freeze` for what ``json.loads`` returns (exact dict/list types): faster."""
    kind = type(value)
    if kind is dict:
        return MappingProxyType({k: _freeze_json(v) for k, v in value.items()})
    if kind is list:
        return tuple([_freeze_json(v) for v in value])
    return value


def _canonical(body: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    except (TypeError, ValueError, RecursionError):
        return repr(sorted(map(str, body))).encode()


def _no_constant(name: str) -> NoReturn:
    raise InvalidPayloadError(f"webhook body contains {name}, which is not a valid amount")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)
"""One decoder, made once: ``json.loads`` with arguments builds a new one per call."""


def _kind(value: object) -> str:
    if value is None:
        return "null/absent"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | Decimal | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def _invalid(message: str) -> NoReturn:
    raise InvalidPayloadError(f"webhook payload: {message}")
