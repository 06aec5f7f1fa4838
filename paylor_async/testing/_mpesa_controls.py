"""Test controls of the simulator for M-Pesa payouts, B2B, crypto and channels (a mixin)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .._clock import Clock
from ._crypto_state import SimCryptoPayment, tx_hash
from ._delivery import WebhookDelivery, payment_event
from ._state import SimState, SimTransaction

__all__ = ["MpesaControls"]


class MpesaControls:
    """Mixed into :class:`~paylor_async.testing.PaylorSimulator`, which provides these."""

    clock: Clock
    _state: SimState
    #: Run a coroutine in the background; the simulator awaits it on close.
    _spawn: Callable[[Coroutine[Any, Any, object]], None]
    #: Deliver a signed event to ``callback_url`` and the registered endpoints.
    _deliver_event: Callable[..., Coroutine[Any, Any, list[WebhookDelivery]]]
    #: A transaction that is not final yet (its completion timer cancelled); KeyError/ValueError.
    _pending: Callable[[str], SimTransaction]

    # B2C ----------------------------------------------------------------------------------
    @property
    def b2c_wallet_balance(self) -> Decimal:
        """The B2C wallet payouts are paid from (KES 100,000 at start). Settable.

        A payout above it is refused with 402 ``PAYMENT_REQUIRED``; an accepted payout is
        debited at once and refunded if it fails.
        """
        return self._state.b2c_wallet_balance

    @b2c_wallet_balance.setter
    def b2c_wallet_balance(self, value: Decimal | int | str) -> None:
        self._state.b2c_wallet_balance = Decimal(str(value))

    async def complete_payout(
        self, transaction_id: str, mpesa_receipt: str | None = None
    ) -> SimTransaction:
        """The payout reached the phone: COMPLETED, ``payment.success`` delivered (awaited)."""
        tx = self._payout(transaction_id)
        self._state.complete(tx, mpesa_receipt)
        await self._send_transaction_event(tx)
        return tx

    async def fail_payout(
        self,
        transaction_id: str,
        result_code: int = 2001,
        result_desc: str = "The initiator information is invalid.",
    ) -> SimTransaction:
        """The payout failed: FAILED, amount back in the B2C wallet, ``payment.failed`` sent."""
        tx = self._payout(transaction_id)
        self._state.fail(tx, result_code, result_desc)
        await self._send_transaction_event(tx)
        return tx

    def _payout(self, transaction_id: str) -> SimTransaction:
        tx = self._state.transactions.get(transaction_id)
        if tx is None or tx.kind != "B2C":
            raise KeyError(f"no B2C payout {transaction_id!r}")
        return self._pending(transaction_id)

    async def _send_transaction_event(self, tx: SimTransaction) -> list[WebhookDelivery]:
        event, payload = payment_event(tx)
        return await self._deliver_event(
            event, payload, callback_url=tx.callback_url, transaction_id=tx.id
        )

    # crypto -------------------------------------------------------------------------------
    @property
    def crypto_payments(self) -> Mapping[str, SimCryptoPayment]:
        """Every crypto payment by id, in creation order."""
        return MappingProxyType(self._state.crypto_payments)

    @property
    def crypto_payment_ttl(self) -> float:
        """Seconds a new crypto payment's address stays valid (1800). Settable."""
        return self._state.crypto_payment_ttl

    @crypto_payment_ttl.setter
    def crypto_payment_ttl(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("crypto_payment_ttl must be positive")
        self._state.crypto_payment_ttl = float(seconds)

    async def confirm_crypto_payment(
        self, payment_id: str, transaction_hash: str | None = None
    ) -> SimCryptoPayment:
        """The USDT arrived on chain: COMPLETED, ``payment.success`` delivered (awaited)."""
        payment = self._open_crypto(payment_id)
        payment.tx_hash = transaction_hash or tx_hash()
        return await self._finish_crypto(payment, "COMPLETED", None)

    async def fail_crypto_payment(
        self, payment_id: str, reason: str = "UNDERPAID"
    ) -> SimCryptoPayment:
        """The payment failed (``reason`` in the webhook's metadata): ``payment.failed``."""
        return await self._finish_crypto(self._open_crypto(payment_id), "FAILED", reason)

    async def expire_crypto_payment(self, payment_id: str) -> SimCryptoPayment:
        """Nothing arrived in time: EXPIRED now, ``payment.failed`` (reason ``EXPIRED``) sent.

        A payment also reads as ``EXPIRED`` once its ``expires_at`` passes on the simulator's
        clock, without a webhook.
        """
        payment = self._open_crypto(payment_id)
        payment.expires_at = min(payment.expires_at, self.clock.wall())
        return await self._finish_crypto(payment, "EXPIRED", "EXPIRED")

    def _open_crypto(self, payment_id: str) -> SimCryptoPayment:
        payment = self._state.crypto_payments.get(payment_id)
        if payment is None:
            raise KeyError(f"no crypto payment {payment_id!r}")
        status = payment.status_at(self.clock.wall())
        if status != "INITIATED":
            raise ValueError(f"crypto payment {payment_id} is already {status}")
        return payment

    async def _finish_crypto(
        self, payment: SimCryptoPayment, status: str, reason: str | None
    ) -> SimCryptoPayment:
        payment.status = status
        payment.failure_reason = reason
        payment.updated_at = self.clock.wall()
        event, payload = payment.event()
        await self._deliver_event(
            event, payload, callback_url=payment.callback_url, transaction_id=payment.id
        )
        return payment
