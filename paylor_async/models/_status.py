"""Transaction status: a string enum that never breaks on a value it does not know."""

from __future__ import annotations

import enum

__all__ = ["FINAL_STATUSES", "TransactionStatus"]


class TransactionStatus(enum.StrEnum):
    """Statuses Paylor is known to use. Compares equal to its string.

    A value Paylor adds later decodes to a pseudo-member that keeps the raw string
    (``status.value``) with ``is_known`` false, instead of failing.
    """

    INITIATED = "INITIATED"
    SENT = "SENT"
    PENDING = "PENDING"
    STK_SENT = "STK_SENT"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"
    CONFIRMED = "CONFIRMED"

    @classmethod
    def _missing_(cls, value: object) -> TransactionStatus | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """False for a status this version of the SDK has never heard of."""
        return self._name_ != "UNKNOWN"

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
