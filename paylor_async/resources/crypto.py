"""``paylor.crypto``: USDT (TRC20) payments."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from .._endpoints import endpoint
from .._validation import validate_callback_url, validate_optional_text, validate_text
from ..errors import InvalidAmountError, InvalidParameterError
from ..models.crypto import CryptoPayment
from ._base import Resource
from ._path_ids import validate_path_id

__all__ = ["CRYPTO_DECIMAL_PLACES", "CRYPTO_MAX_AMOUNT", "Crypto", "crypto_amount_for_wire"]

_CREATE = endpoint("crypto_create")
_RETRIEVE = endpoint("crypto_retrieve")

#: USDT on TRON has 6 decimal places; a finer amount cannot be paid.
CRYPTO_DECIMAL_PLACES: Final = 6
#: Far above any payment; past this an amount is a bug.
CRYPTO_MAX_AMOUNT: Final = Decimal(10**9)
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def crypto_amount_for_wire(amount: int | Decimal) -> int | float:
    """Check a USDT amount and return the JSON number that carries it exactly.

    The amount is held as ``Decimal``; a fractional one travels as the float whose shortest
    representation (what ``json`` writes) is exactly that decimal, which holds for every
    amount passing these checks (at most 15 significant digits), and is verified.

    Raises:
        InvalidAmountError: a float, a bool, not a number, not finite, not above zero, more than
            6 decimal places, or above 1,000,000,000.
    """
    if isinstance(amount, float):
        raise InvalidAmountError(
            f"amount must be an int or a Decimal such as Decimal('{amount!r}'), not a float: "
            "floats cannot hold most decimal amounts exactly"
        )
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise InvalidAmountError(f"amount must be an int or a Decimal, got {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidAmountError(f"amount must be a finite number, got {amount!r}")
    if value <= 0:
        raise InvalidAmountError(f"amount must be greater than 0, got {value}")
    if value > CRYPTO_MAX_AMOUNT:
        raise InvalidAmountError(f"amount is beyond any payment (over {CRYPTO_MAX_AMOUNT:,} USDT)")
    exponent = value.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -CRYPTO_DECIMAL_PLACES:
        raise InvalidAmountError(
            f"amount has more than {CRYPTO_DECIMAL_PLACES} decimal places (USDT's precision), "
            f"got {value}"
        )
    if value == value.to_integral_value():
        return int(value)
    carrier = float(value)
    if Decimal(repr(carrier)) != value:  # pragma: no cover - excluded by the checks above
        raise InvalidAmountError(f"amount {value} cannot be sent exactly")
    return carrier


class Crypto(Resource):
    """USDT (TRC20) payment intents."""

    __slots__ = ()

    async def create_payment(
        self,
        amount: int | Decimal,
        reference: str,
        description: str | None = None,
        crypto_id: str | None = None,
        callback_url: str | None = None,
        idempotency_key: str | None = None,
    ) -> CryptoPayment:
        """Create a USDT (TRC20) payment: Paylor returns an address and an expiry.

        Args:
            amount: USDT as an ``int`` or ``Decimal`` (``Decimal("10.5")``), above 0, at most
                6 decimal places. Floats are refused: they cannot hold most decimals exactly.
            reference: your order reference (1-255 characters).
            description: up to 255 characters.
            crypto_id: the 24-hex id of the settlement wallet (optional; GUESSED).
            callback_url: where Paylor POSTs ``payment.success`` / ``payment.failed``.
            idempotency_key: one key per payment attempt; generated if None, reused on retries.

        Returns:
            A :class:`CryptoPayment` (``payment_id``, ``address``, ``amount``, ``currency``,
            ``status`` ``INITIATED``, ``expires_at``) with the ``idempotency_key`` used.

        Raises:
            InvalidAmountError, InvalidParameterError, InvalidIdempotencyKeyError: before
            sending anything.
            PermissionDeniedError: the key has neither ``crypto:create`` nor ``payments:create``.
            APIError subclasses, APIConnectionError.
        """
        body: dict[str, object] = {
            "amount": crypto_amount_for_wire(amount),
            "currency": "USDT",
            "reference": validate_text(reference, name="reference"),
        }
        if crypto_id is not None and (
            not isinstance(crypto_id, str) or not _OBJECT_ID.fullmatch(crypto_id)
        ):
            raise InvalidParameterError(
                "crypto_id must be a 24-character hexadecimal id", parameter="crypto_id"
            )
        optional = {
            "description": validate_optional_text(description, name="description"),
            "cryptoId": crypto_id.lower() if crypto_id is not None else None,
            "callbackUrl": validate_callback_url(callback_url),
        }
        body.update((k, v) for k, v in optional.items() if v is not None)
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_CREATE, body=body, idempotency_key=key, reference=reference)
        return self._decode(response, CryptoPayment, _CREATE, reference=reference)

    async def retrieve(self, payment_id: str) -> CryptoPayment:
        """The crypto payment with this id (path GUESSED: ``/merchants/payments/crypto/{id}``).

        Raises:
            InvalidParameterError: an empty or path-like id (nothing is sent).
            NotFoundError: no such payment. PermissionDeniedError: no ``crypto:read``.
        """
        pid = validate_path_id(payment_id, name="payment_id")
        path = _RETRIEVE.render(payment_id=pid)
        response = await self._call(_RETRIEVE, path=path)
        return self._decode(response, CryptoPayment, _RETRIEVE, path=path)
