"""Typed response models (frozen attrs classes) and the one converter that builds them."""

from ._converter import DecodeError, converter, structure
from ._fields import ResponseInfo, raw_field, response_field
from ._status import FINAL_STATUSES, TransactionStatus
from .transactions import StkPushResult, Transaction, TransactionChannel, TransactionList

__all__ = [
    "FINAL_STATUSES",
    "DecodeError",
    "ResponseInfo",
    "StkPushResult",
    "Transaction",
    "TransactionChannel",
    "TransactionList",
    "TransactionStatus",
    "converter",
    "raw_field",
    "response_field",
    "structure",
]
