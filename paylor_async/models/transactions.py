"""Models of the payments endpoints: STK Push results and stored transactions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from ._fields import ResponseInfo, raw_field, response_field
from ._status import TransactionStatus

__all__ = ["StkPushResult", "Transaction", "TransactionChannel", "TransactionList"]


@attrs.frozen
class StkPushResult:
    """Paylor accepted an STK Push: the customer's phone is being prompted.

    ``status`` is ``SENT`` (or ``PENDING``); the outcome arrives by webhook or through
    ``transactions.retrieve``. ``idempotency_key`` is the key the request
    carried: sending the same push again with it cannot create a second transaction.
    """

    transaction_id: str
    status: TransactionStatus
    message: str | None = None
    idempotency_key: str = attrs.field(default="", metadata={"wire": "__sdk_idempotency_key__"})
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class TransactionChannel:
    """The channel (till, paybill, bank) a transaction went through."""

    name: str | None = None
    number: str | None = None
    account_number: str | None = None
    type: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen
class Transaction:
    """A transaction as ``GET /merchants/payments/transactions/{id}`` returns it.

    ``reference`` is the merchant's own reference (reconcile on it). ``transaction_id`` is
    what Paylor puts in that field, often the provider's CheckoutRequestID, not ``id``.
    Every key of the response, known or not, stays available in ``raw``.
    """

    id: str
    status: TransactionStatus
    transaction_id: str | None = None
    phone: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    reference: str | None = None
    description: str | None = None
    provider: str | None = None
    provider_ref: str | None = None
    mpesa_receipt: str | None = None
    channel: TransactionChannel | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class TransactionList:
    """One page of ``GET /merchants/payments/transactions``."""

    transactions: tuple[Transaction, ...]
    total: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
