"""Models of the merchant wallet and B2C metrics (shapes EARLY/GUESSED: every field optional)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from ._fields import ResponseInfo, raw_field, response_field

__all__ = ["B2CMetrics", "WalletBalance", "WalletSummary", "WalletTransaction"]


@attrs.frozen
class WalletBalance:
    """The balance of one wallet."""

    balance: Decimal | None = None
    currency: str | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen
class WalletTransaction:
    """One movement on the wallet (a fee, a top-up...). Its shape is GUESSED; see ``raw``."""

    id: str | None = None
    type: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    reference: str | None = None
    transaction_id: str | None = None
    description: str | None = None
    created_at: datetime | None = None
    raw: Mapping[str, Any] = raw_field()


@attrs.frozen
class WalletSummary:
    """``GET /merchants/wallet``: ``{"success", "wallet", "transactions"}``.

    Attributes:
        wallet: the balance and its currency (``None`` if the answer had no ``wallet``).
        transactions: recent wallet movements, as Paylor lists them.
        success: Paylor's ``success`` flag.
    """

    wallet: WalletBalance | None = None
    transactions: tuple[WalletTransaction, ...] = ()
    success: bool | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()

    @property
    def balance(self) -> Decimal | None:
        """Shortcut for ``wallet.balance``."""
        return None if self.wallet is None else self.wallet.balance

    @property
    def currency(self) -> str | None:
        """Shortcut for ``wallet.currency``."""
        return None if self.wallet is None else self.wallet.currency


@attrs.frozen
class B2CMetrics:
    """``GET /merchants/b2c/metrics``. The shape is GUESSED: every field is optional and the
    whole object is in ``raw`` (when Paylor wraps it in ``metrics`` or ``data``, that inner
    object is what is decoded).

    Attributes:
        balance: the B2C wallet balance.
        currency: ``KES``.
        total_payouts: payouts made.
        total_amount: their sum.
        successful, failed, pending: payouts by outcome.
    """

    balance: Decimal | None = None
    currency: str | None = None
    total_payouts: int | None = None
    total_amount: Decimal | None = None
    successful: int | None = None
    failed: int | None = None
    pending: int | None = None
    raw: Mapping[str, Any] = raw_field()
    response: ResponseInfo | None = response_field()
