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
    from ._validation import normalize_phone
    from .models import (
        StkPushResult,
        Transaction,
        TransactionChannel,
        TransactionStatus,
    )
    from .webhooks import WebhookVerificationError

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
    "normalize_phone": "._validation",
    "WebhookVerificationError": ".webhooks",
    "StkPushResult": ".models",
    "Transaction": ".models",
    "TransactionChannel": ".models",
    "TransactionStatus": ".models",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "Clock",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "EventLoopMismatchError",
    "InputError",
    "InvalidAmountError",
    "InvalidIdempotencyKeyError",
    "InvalidParameterError",
    "InvalidPhoneNumberError",
    "LocalRateLimiter",
    "LoopClock",
    "ManualClock",
    "NotFoundError",
    "PaylorClient",
    "PaylorError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "Rate",
    "RateLimitError",
    "RateLimiter",
    "RateLimits",
    "RetryPolicy",
    "ServerError",
    "StkPushResult",
    "TokenBucket",
    "Transaction",
    "TransactionChannel",
    "TransactionStatus",
    "UnexpectedResponseError",
    "ValidationError",
    "WaitTimeoutError",
    "WebhookVerificationError",
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
