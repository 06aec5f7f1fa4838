"""Transaction status (defined in :mod:`paylor_async._enums`, shared with the webhooks)."""

from __future__ import annotations

from .._enums import FINAL_STATUSES, TransactionStatus

__all__ = ["FINAL_STATUSES", "TransactionStatus"]
