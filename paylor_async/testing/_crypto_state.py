"""USDT (TRC20) payment intents as the simulator stores them, and TRON-shaped addresses."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

import attrs

from ._ids import iso_ms

__all__ = ["BASE58_ALPHABET", "CRYPTO_FINAL_STATUSES", "SimCryptoPayment", "tron_address"]

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
CRYPTO_FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "EXPIRED"})


def _base58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = BASE58_ALPHABET[digit] + out
    leading = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading + out


def tron_address() -> str:
    """A TRON mainnet address: base58check of ``0x41`` + 20 random bytes (``T`` + 33 chars)."""
    payload = b"\x41" + secrets.token_bytes(20)
    checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return _base58(payload + checksum)


def tx_hash() -> str:
    """A TRON transaction hash: 64 hex characters."""
    return secrets.token_hex(32)


@attrs.define
class SimCryptoPayment:
    """A USDT payment intent. Times are wall seconds; ``status`` as Paylor reports it."""

    id: str
    merchant_id: str
    amount: Decimal
    reference: str
    description: str | None
    crypto_id: str | None
    callback_url: str | None
    address: str
    created_at: float
    expires_at: float
    idempotency_key: str | None = None
    status: str = "INITIATED"
    currency: str = "USDT"
    tx_hash: str | None = None
    failure_reason: str | None = None
    updated_at: float = 0.0

    @property
    def is_final(self) -> bool:
        return self.status in CRYPTO_FINAL_STATUSES

    def status_at(self, wall: float) -> str:
        """The status, with an unpaid intent past its expiry read as ``EXPIRED``."""
        if self.status == "INITIATED" and wall >= self.expires_at:
            return "EXPIRED"
        return self.status

    def to_api(self, wall: float) -> dict[str, Any]:
        """The snake_case object Paylor answers with."""
        return {
            "payment_id": self.id,
            "address": self.address,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status_at(wall),
            "expires_at": iso_ms(self.expires_at),
            "reference": self.reference,
            "description": self.description,
            "tx_hash": self.tx_hash,
            "created_at": iso_ms(self.created_at),
        }

    def event(self) -> tuple[str, dict[str, Any]]:
        """``payment.success`` / ``payment.failed`` in Paylor's nested payment-event shape."""
        success = self.status == "COMPLETED"
        event = "payment.success" if success else "payment.failed"
        return event, {
            "event": event,
            "transaction": {
                "id": self.id,
                "reference": self.reference,
                "amount": self.amount,
                "currency": self.currency,
                "status": "COMPLETED" if success else "FAILED",
                "providerRef": self.tx_hash,
                "metadata": {
                    "network": "TRC20",
                    "address": self.address,
                    "txHash": self.tx_hash,
                    "reason": self.failure_reason,
                },
            },
        }
