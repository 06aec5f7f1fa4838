"""Models of the Global wallet, withdrawals, ledger and listings (shapes GUESSED).

Only the paths are known (and they are guessed too). The shapes below are plausible: money is
``Decimal``, statuses are strings or the tolerant :class:`TransactionStatus`, the whole payload
stays in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from ._fields import ResponseInfo, raw_field, response_field
from ._status import TransactionStatus

__all__ = [
    "CurrencyBalance",
    "GlobalWallet",
    "LedgerEntry",
    "LedgerPage",
    "Listing",
    "ListingList",
    "Withdrawal",
    "WithdrawalDestination",
    "WithdrawalList",
]


@attrs.frozen
class CurrencyBalance:
    """The balance held in one currency: ``available`` can be withdrawn now."""

    currency: str
    available: Decimal
    pending: Decimal | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen
class GlobalWallet:
    """``GET /global/wallet``: one balance per currency (GUESSED)."""

    balances: tuple[CurrencyBalance, ...] = ()
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()

    def available(self, currency: str) -> Decimal:
        """The available balance in ``currency`` (case-insensitive); 0 when none is held."""
        wanted = currency.upper()
        for balance in self.balances:
            if balance.currency.upper() == wanted:
                return balance.available
        return Decimal(0)


@attrs.frozen
class WithdrawalDestination:
    """Where a withdrawal goes: a payout ``channel`` (``MPESA``, ``BANK``...) and account."""

    channel: str | None = None
    account: str | None = None
    account_name: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen
class Withdrawal:
    """A withdrawal from the Global wallet (``/global/withdrawals``; shape GUESSED)."""

    id: str
    status: TransactionStatus
    amount: Decimal | None = None
    currency: str | None = None
    reference: str | None = None
    destination: WithdrawalDestination | None = None
    created_at: datetime | None = None
    idempotency_key: str = attrs.field(default="", metadata={"wire": "__sdk_idempotency_key__"})
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class WithdrawalList:
    """One page of ``GET /global/withdrawals`` (GUESSED)."""

    withdrawals: tuple[Withdrawal, ...] = ()
    total: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class LedgerEntry:
    """One movement of the Global wallet (GUESSED): ``type`` is ``CREDIT`` or ``DEBIT``.

    ``source`` says what caused it (``COLLECTION``, ``WITHDRAWAL``...) and ``reference`` which
    collection or withdrawal.
    """

    id: str
    type: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    balance_after: Decimal | None = None
    source: str | None = None
    reference: str | None = None
    description: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class LedgerPage:
    """One page of ``GET /global/ledger`` (GUESSED)."""

    entries: tuple[LedgerEntry, ...] = ()
    total: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class Listing:
    """An entry of ``GET /global/listings`` (GUESSED: a product or service the merchant lists)."""

    id: str
    title: str | None = None
    description: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    url: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()


@attrs.frozen
class ListingList:
    """One page of ``GET /global/listings`` (GUESSED)."""

    listings: tuple[Listing, ...] = ()
    total: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
