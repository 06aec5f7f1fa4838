"""``global_payments.wallet``, ``.withdrawals`` and ``.ledger`` (paths and shapes GUESSED)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

from ..._endpoints import endpoint
from ..._validation import validate_optional_text, validate_text
from ...models.global_money import (
    GlobalWallet,
    LedgerEntry,
    LedgerPage,
    Withdrawal,
    WithdrawalList,
)
from ._common import (
    GlobalResource,
    body_without_none,
    validate_currency,
    validate_money,
    wire_amount,
)

__all__ = ["Ledger", "Wallet", "Withdrawals"]

_WALLET = endpoint("global_wallet_retrieve")
_WITHDRAW = endpoint("global_withdrawal_create")
_WITHDRAWALS = endpoint("global_withdrawal_list")
_LEDGER = endpoint("global_ledger_list")


class Wallet(GlobalResource):
    """The Global wallet: one balance per currency."""

    __slots__ = ()

    async def retrieve(self) -> GlobalWallet:
        """``GET /global/wallet`` (scope ``global:read``): the balances by currency.

        Returns:
            The wallet; ``wallet.available("KES")`` reads one balance (0 when none is held).
        """
        response = await self._call(_WALLET)
        return self._decode_in(response, GlobalWallet, _WALLET, "wallet")


class Withdrawals(GlobalResource):
    """Move money out of the Global wallet."""

    __slots__ = ()

    async def create(
        self,
        amount: int | Decimal,
        currency: str,
        *,
        channel: str,
        account: str,
        account_name: str | None = None,
        reference: str | None = None,
        idempotency_key: str | None = None,
    ) -> Withdrawal:
        """``POST /global/withdrawals`` (scope ``global:disburse``): pay out of the wallet.

        Body sent: ``{"amount", "currency", "destination": {"channel", "account",
        "accountName"?}, "reference"?}`` (GUESSED).

        Args:
            amount: positive, at most two decimal places.
            currency: the balance to draw from (``"KES"``).
            channel: the payout channel (``"MPESA"``, ``"BANK"``...: a rail's
                ``capabilities.disbursement_channels``).
            account: the phone or account number to pay, sent as given.
            account_name: the account holder, when the channel wants one.
            reference: your own reference (up to 255 characters).
            idempotency_key: one key per withdrawal; generated if None and reused on every
                retry, so a retry never pays out twice.

        Raises:
            InvalidAmountError, InvalidParameterError, InvalidIdempotencyKeyError: before
            sending. PaymentRequiredError (402): the balance in ``currency`` is too low.
            ValidationError, PermissionDeniedError (``global:disburse``), other APIError
            subclasses, APIConnectionError.
        """
        destination = body_without_none(
            {
                "channel": validate_text(channel, name="channel", max_length=64),
                "account": validate_text(account, name="account", max_length=64),
                "accountName": validate_optional_text(account_name, name="account_name"),
            }
        )
        body = body_without_none(
            {
                "amount": wire_amount(validate_money(amount)),
                "currency": validate_currency(currency),
                "destination": destination,
                "reference": validate_optional_text(reference, name="reference"),
            }
        )
        key = self._idempotency_key(idempotency_key)
        response = await self._call(_WITHDRAW, body=body, idempotency_key=key, reference=reference)
        return self._decode_in(response, Withdrawal, _WITHDRAW, "withdrawal", reference=reference)

    def list(self, *, page_size: int = 50, offset: int = 0) -> AsyncIterator[Withdrawal]:
        """``GET /global/withdrawals`` (scope ``global:read``): newest first, page by page."""
        return self._paginate(
            _WITHDRAWALS,
            WithdrawalList,
            lambda page: page.withdrawals,
            lambda w: w.id,
            page_size=page_size,
            offset=offset,
        )


class Ledger(GlobalResource):
    """Every movement of the Global wallet."""

    __slots__ = ()

    def list(
        self, *, currency: str | None = None, page_size: int = 50, offset: int = 0
    ) -> AsyncIterator[LedgerEntry]:
        """``GET /global/ledger`` (scope ``global:read``): entries newest first, fetched a page
        (``limit``/``offset``) at a time, only as you iterate::

            async for entry in paylor.global_payments.ledger.list(currency="KES"):
                ...

        Args:
            currency: only this currency's entries (sent as ``?currency=``).
            page_size: entries per request (1-100).
            offset: entries to skip first.

        Raises:
            InvalidParameterError, PermissionDeniedError, other APIError subclasses.
        """
        params: dict[str, str | int] = {}
        if currency is not None:
            params["currency"] = validate_currency(currency)
        return self._paginate(
            _LEDGER,
            LedgerPage,
            lambda page: page.entries,
            lambda entry: entry.id,
            page_size=page_size,
            offset=offset,
            params=params,
        )
