"""Models of USDT (TRC20) payments. Unlike the rest of the API, their JSON is snake_case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from ._fields import ResponseInfo, raw_field, response_field
from ._status import TransactionStatus

__all__ = ["CryptoPayment"]


def _wire(name: str) -> dict[str, str]:
    return {"wire": name}


@attrs.frozen
class CryptoPayment:
    """A USDT (TRC20) payment intent: the customer sends ``amount`` to ``address``.

    ``status`` starts ``INITIATED``; the payment is confirmed by a ``payment.success`` webhook
    (or seen through ``crypto.retrieve``). ``expires_at`` is when the address stops accepting
    this payment. The creation answer is documented (DOCS); the retrieve answer is GUESSED to
    be the same object, so every field but ``payment_id`` is optional.

    Attributes:
        payment_id: Paylor's id of the payment.
        address: the TRC20 deposit address (``T`` + 33 base58 characters).
        amount: the amount due, exactly (never a float).
        currency: ``USDT``.
        status: ``INITIATED`` at first; unknown statuses keep their string.
        expires_at: an aware datetime, or ``None`` if absent or unreadable (see ``raw``).
        idempotency_key: the key a creation carried (empty on a retrieved payment).
    """

    payment_id: str = attrs.field(metadata=_wire("payment_id"))
    address: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    status: TransactionStatus | None = None
    expires_at: datetime | None = attrs.field(default=None, metadata=_wire("expires_at"))
    reference: str | None = None
    idempotency_key: str = attrs.field(default="", metadata=_wire("__sdk_idempotency_key__"))
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
