"""paylor-async: the async-first Python SDK for the Paylor payments API.

Names are loaded lazily so that ``import paylor_async.webhooks`` stays light (no aiohttp).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import errors
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    ErrorDetail,
    EventLoopMismatchError,
    InputError,
    InvalidAmountError,
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    InvalidPhoneNumberError,
    NotFoundError,
    PaylorError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from ._client import PaylorClient
    from ._clock import Clock, LoopClock, ManualClock
    from ._ratelimit import LocalRateLimiter, Rate, RateLimiter, RateLimits, TokenBucket
    from ._retry import RetryPolicy
    from ._sharedlimit import (
        RateLimiterUnavailableError,
        SharedBucketStore,
        SharedRateLimiter,
        StoreUnavailableError,
    )
    from ._validation import normalize_phone
    from .models import (
        B2BExpressResult,
        B2CMetrics,
        Channel,
        ChannelStatus,
        ChannelType,
        CollectionFlow,
        CryptoPayment,
        GlobalCollection,
        GlobalSettings,
        GlobalWallet,
        GlobalWebhook,
        LedgerEntry,
        Listing,
        PaymentLink,
        PayoutResult,
        Provider,
        ResponseInfo,
        StkPushResult,
        Transaction,
        TransactionChannel,
        TransactionStatus,
        WalletSummary,
        Withdrawal,
    )
    from .resources.global_.errors import (
        CustomerEmailRequiredError,
        MsisdnRequiredError,
        RailAmountOutOfRangeError,
        UnknownRailError,
        UnsupportedCurrencyError,
    )
    from .webhooks import (
        DuplicateEventError,
        EventInProgressError,
        InMemoryDedupe,
        WebhookVerificationError,
        WebhookVerifier,
    )

_LAZY: dict[str, str] = {
    "PaylorClient": "._client",
    "Clock": "._clock",
    "LoopClock": "._clock",
    "ManualClock": "._clock",
    "Rate": "._ratelimit",
    "RateLimits": "._ratelimit",
    "RateLimiter": "._ratelimit",
    "LocalRateLimiter": "._ratelimit",
    "TokenBucket": "._ratelimit",
    "RetryPolicy": "._retry",
    "RateLimiterUnavailableError": "._sharedlimit",
    "StoreUnavailableError": "._sharedlimit",
    "SharedRateLimiter": "._sharedlimit",
    "SharedBucketStore": "._sharedlimit",
    "normalize_phone": "._validation",
    "WebhookVerificationError": ".webhooks",
    "WebhookVerifier": ".webhooks",
    "InMemoryDedupe": ".webhooks",
    "DuplicateEventError": ".webhooks",
    "EventInProgressError": ".webhooks",
    "StkPushResult": ".models",
    "Transaction": ".models",
    "TransactionChannel": ".models",
    "TransactionStatus": ".models",
    "ResponseInfo": ".models",
    "PayoutResult": ".models",
    "B2BExpressResult": ".models",
    "CryptoPayment": ".models",
    "WalletSummary": ".models",
    "B2CMetrics": ".models",
    "Channel": ".models",
    "ChannelType": ".models",
    "ChannelStatus": ".models",
    "Provider": ".models",
    "GlobalCollection": ".models",
    "CollectionFlow": ".models",
    "GlobalWallet": ".models",
    "Withdrawal": ".models",
    "LedgerEntry": ".models",
    "PaymentLink": ".models",
    "GlobalWebhook": ".models",
    "GlobalSettings": ".models",
    "Listing": ".models",
    "CustomerEmailRequiredError": ".resources.global_.errors",
    "MsisdnRequiredError": ".resources.global_.errors",
    "RailAmountOutOfRangeError": ".resources.global_.errors",
    "UnknownRailError": ".resources.global_.errors",
    "UnsupportedCurrencyError": ".resources.global_.errors",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "B2BExpressResult",
    "B2CMetrics",
    "BadRequestError",
    "Channel",
    "ChannelStatus",
    "ChannelType",
    "ClientClosedError",
    "Clock",
    "CollectionFlow",
    "ConfigurationError",
    "ConflictError",
    "CryptoPayment",
    "CustomerEmailRequiredError",
    "DuplicateEventError",
    "ErrorDetail",
    "EventInProgressError",
    "EventLoopMismatchError",
    "GlobalCollection",
    "GlobalSettings",
    "GlobalWallet",
    "GlobalWebhook",
    "InMemoryDedupe",
    "InputError",
    "InvalidAmountError",
    "InvalidIdempotencyKeyError",
    "InvalidParameterError",
    "InvalidPhoneNumberError",
    "LedgerEntry",
    "Listing",
    "LocalRateLimiter",
    "LoopClock",
    "ManualClock",
    "MsisdnRequiredError",
    "NotFoundError",
    "PaylorClient",
    "PaylorError",
    "PaymentLink",
    "PaymentRequiredError",
    "PayoutResult",
    "PermissionDeniedError",
    "Provider",
    "RailAmountOutOfRangeError",
    "Rate",
    "RateLimitError",
    "RateLimiter",
    "RateLimiterUnavailableError",
    "RateLimits",
    "ResponseInfo",
    "RetryPolicy",
    "ServerError",
    "SharedBucketStore",
    "SharedRateLimiter",
    "StkPushResult",
    "StoreUnavailableError",
    "TokenBucket",
    "Transaction",
    "TransactionChannel",
    "TransactionStatus",
    "UnexpectedResponseError",
    "UnknownRailError",
    "UnsupportedCurrencyError",
    "ValidationError",
    "WaitTimeoutError",
    "WalletSummary",
    "WebhookVerificationError",
    "WebhookVerifier",
    "Withdrawal",
    "__version__",
    "errors",
    "normalize_phone",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'paylor_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
