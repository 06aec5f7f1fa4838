"""Typed response models (frozen attrs classes) and the one converter that builds them."""

from ._converter import DecodeError, converter, structure
from ._fields import ResponseInfo, raw_field, response_field
from ._status import FINAL_STATUSES, TransactionStatus
from .channels import Channel, ChannelDeletion, ChannelList, ChannelStatus, ChannelType
from .crypto import CryptoPayment
from .global_account import (
    GlobalSettings,
    GlobalWebhook,
    GlobalWebhookDeletion,
    GlobalWebhookList,
    PaymentLink,
    PaymentLinkList,
)
from .global_money import (
    CurrencyBalance,
    GlobalWallet,
    LedgerEntry,
    LedgerPage,
    Listing,
    ListingList,
    Withdrawal,
    WithdrawalDestination,
    WithdrawalList,
)
from .global_providers import (
    CollectionFlow,
    GlobalCollection,
    Provider,
    ProviderCapabilities,
    ProviderList,
)
from .payouts import B2BExpressResult, PayoutResult
from .transactions import StkPushResult, Transaction, TransactionChannel, TransactionList
from .wallet import B2CMetrics, WalletBalance, WalletSummary, WalletTransaction

__all__ = [
    "FINAL_STATUSES",
    "B2BExpressResult",
    "B2CMetrics",
    "Channel",
    "ChannelDeletion",
    "ChannelList",
    "ChannelStatus",
    "ChannelType",
    "CollectionFlow",
    "CryptoPayment",
    "CurrencyBalance",
    "DecodeError",
    "GlobalCollection",
    "GlobalSettings",
    "GlobalWallet",
    "GlobalWebhook",
    "GlobalWebhookDeletion",
    "GlobalWebhookList",
    "LedgerEntry",
    "LedgerPage",
    "Listing",
    "ListingList",
    "PaymentLink",
    "PaymentLinkList",
    "PayoutResult",
    "Provider",
    "ProviderCapabilities",
    "ProviderList",
    "ResponseInfo",
    "StkPushResult",
    "Transaction",
    "TransactionChannel",
    "TransactionList",
    "TransactionStatus",
    "WalletBalance",
    "WalletSummary",
    "WalletTransaction",
    "Withdrawal",
    "WithdrawalDestination",
    "WithdrawalList",
    "converter",
    "raw_field",
    "response_field",
    "structure",
]
