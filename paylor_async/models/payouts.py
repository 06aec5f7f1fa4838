"""Models of money moved by M-Pesa between businesses and people: B2C payouts, B2B Express.

Both answers are GUESSED to look like an STK Push answer (``transactionId``, ``status``), so
both fields are optional: an unexpected shape stays readable through ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._fields import ResponseInfo, raw_field, response_field
from ._status import TransactionStatus

__all__ = ["B2BExpressResult", "PayoutResult"]

_SDK_KEY = {"wire": "__sdk_idempotency_key__"}


@attrs.frozen
class PayoutResult:
    """Paylor accepted an M-Pesa B2C payout; the outcome arrives by webhook.

    Attributes:
        transaction_id: the payout's transaction id (``None`` if Paylor's answer lacks it:
            the shape is GUESSED; look in ``raw``).
        status: usually ``PENDING`` or ``SENT``; an unknown status keeps its string.
        message: Paylor's message, if any.
        idempotency_key: the key the request carried; retry with it, never with a new one.
    """

    transaction_id: str | None = None
    status: TransactionStatus | None = None
    message: str | None = None
    idempotency_key: str = attrs.field(default="", metadata=_SDK_KEY)
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class B2BExpressResult:
    """Paylor sent an M-Pesa B2B Express Checkout prompt to the paying business.

    Attributes:
        transaction_id: the collection's transaction id (``None`` if the GUESSED answer lacks
            it; look in ``raw``).
        status: usually ``SENT``; an unknown status keeps its string.
        message: Paylor's message, if any.
        idempotency_key: the key the request carried.
    """

    transaction_id: str | None = None
    status: TransactionStatus | None = None
    message: str | None = None
    idempotency_key: str = attrs.field(default="", metadata=_SDK_KEY)
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
