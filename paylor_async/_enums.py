"""String enums that never break on a value they do not know, and the transaction status.

A leaf module (only :mod:`enum`): the webhook toolkit uses it without loading the models'
converter. A value Paylor adds later decodes to a pseudo-member that keeps the raw string
(``member.value``) with ``is_known`` false, instead of failing.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = ["FINAL_STATUSES", "OpenStrEnum", "TransactionStatus"]


class OpenStrEnum(enum.StrEnum):
    """A string enum that keeps an unknown string as a pseudo-member named ``UNKNOWN``."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """False for a value this version of the SDK has never heard of."""
        return self._name_ != "UNKNOWN"


class TransactionStatus(OpenStrEnum):
    """Statuses Paylor is known to use (transactions, webhooks, Global). Equal to its string."""

    INITIATED = "INITIATED"
    SENT = "SENT"
    PENDING = "PENDING"
    STK_SENT = "STK_SENT"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"
    CONFIRMED = "CONFIRMED"

    @property
    def is_final(self) -> bool:
        """True once the transaction cannot change any more."""
        return self in FINAL_STATUSES

    @property
    def is_success(self) -> bool:
        """True when the money moved (``COMPLETED`` or ``CONFIRMED``)."""
        return self in (TransactionStatus.COMPLETED, TransactionStatus.CONFIRMED)


FINAL_STATUSES = frozenset(
    {
        TransactionStatus.COMPLETED,
        TransactionStatus.FAILED,
        TransactionStatus.REFUNDED,
        TransactionStatus.CONFIRMED,
    }
)
