"""PaylorClient: configuration, session lifecycle, resources and ``with_options`` copies."""

from __future__ import annotations

import enum
import ipaddress
import math
import os
from typing import Final, Literal
from urllib.parse import urlsplit

import aiohttp

from ._clock import Clock, LoopClock
from ._ratelimit import LocalRateLimiter, RateLimiter, RateLimits, UnlimitedRateLimiter
from ._retry import RetryPolicy
from ._secrets import ApiKey
from ._session import SessionHolder
from ._sharedlimit import KeyedRateLimiter, SharedRateLimiter, key_fingerprint
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, RequestOptions, Transport
from .errors import ConfigurationError
from .resources.channels import Channels
from .resources.crypto import Crypto
from .resources.global_payments import GlobalPayments
from .resources.payments import Payments
from .resources.payouts import Payouts
from .resources.transactions import Transactions
from .resources.wallet import Wallet

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "NOT_GIVEN", "PaylorClient"]

DEFAULT_BASE_URL: Final = "https://api.paylorke.com/api/v1"
#: Seconds per attempt. ``None`` (written by the user) means no timeout at all.
DEFAULT_TIMEOUT: Final = 30.0


class _NotGiven(enum.Enum):
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: "Keep the current value" in :meth:`PaylorClient.with_options`.
NOT_GIVEN: Final = _NotGiven.NOT_GIVEN

_DEFAULT_LIMITS = RateLimits()

Timeout = float | aiohttp.ClientTimeout | None


class PaylorClient:
    """An asyncio client for the Paylor API over one pooled aiohttp session.

    Build it anywhere (no event loop needed); use it inside one loop::

        async with PaylorClient() as paylor:            # PAYLOR_API_KEY from the environment
            push = await paylor.payments.stk_push(
                phone="0712 345 678", amount=1000, reference="ORDER-1"
            )

    Args:
        api_key: the secret key; defaults to ``PAYLOR_API_KEY``.
        base_url: defaults to ``PAYLOR_BASE_URL``, then production. Plain ``http`` is refused
            unless the host is loopback (the simulator).
        timeout: seconds per attempt, an ``aiohttp.ClientTimeout``, or ``None`` for none.
        max_retries: retries after the first attempt (connection errors, timeouts, 408, 429,
            5xx; POSTs always carry an idempotency key, so a retry never charges twice);
            3 unless ``retry_policy`` says otherwise.
        rate_limits: client-side limits per endpoint group; ``None`` turns limiting off.
        session: an aiohttp session to use; it stays yours (never closed by the client).
        connector: a connector for the session the client creates (pool tuning, TLS context);
            it stays yours too.
        rate_limiter: a shared limiter (for example one on Redis) instead of ``rate_limits``.
        retry_policy: backoff details; ``max_retries`` overrides its ``max_retries``.
        clock: time source for the limiter and backoff (tests pass a ``ManualClock``).
        max_response_bytes: larger responses are refused.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int | Literal[_NotGiven.NOT_GIVEN] = NOT_GIVEN,
        rate_limits: RateLimits | None = _DEFAULT_LIMITS,
        session: aiohttp.ClientSession | None = None,
        connector: aiohttp.BaseConnector | None = None,
        rate_limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if session is not None and connector is not None:
            raise ConfigurationError("pass either session or connector, not both")
        _check_types(
            session=(session, aiohttp.ClientSession),
            connector=(connector, aiohttp.BaseConnector),
            rate_limits=(rate_limits, RateLimits),
            retry_policy=(retry_policy, RetryPolicy),
        )
        if rate_limiter is not None and not isinstance(rate_limiter, RateLimiter):
            raise ConfigurationError(
                "rate_limiter must have acquire(group) and pause(group, seconds), "
                f"got {type(rate_limiter).__name__}"
            )
        if (
            isinstance(max_response_bytes, bool)
            or not isinstance(max_response_bytes, int)
            or max_response_bytes < 1024
        ):
            raise ConfigurationError(
                f"max_response_bytes must be an int of at least 1024, got {max_response_bytes!r}"
            )
        key = ApiKey(api_key if api_key is not None else os.environ.get("PAYLOR_API_KEY", ""))
        url = _check_base_url(base_url or os.environ.get("PAYLOR_BASE_URL") or DEFAULT_BASE_URL)
        clock = clock or LoopClock()
        owned_limiter = rate_limiter is None
        if rate_limiter is None:
            rate_limiter = (
                UnlimitedRateLimiter()
                if rate_limits is None
                else LocalRateLimiter(rate_limits, clock=clock)
            )
        keyed = rate_limiter if isinstance(rate_limiter, KeyedRateLimiter) else None
        if keyed is not None:
            # A shared limiter counts per API key: tell it which, as a hash (never the key).
            rate_limiter = keyed.for_key(key_fingerprint(key.reveal()))
        self._transport = Transport(
            base_url=url,
            api_key=key,
            sessions=SessionHolder(session=session, connector=connector),
            limiter=rate_limiter,
            clock=clock,
            max_response_bytes=max_response_bytes,
        )
        self._transport.keyed_limiter = keyed
        self._transport.owned_limiter = rate_limiter if owned_limiter else None
        policy = retry_policy or RetryPolicy()
        if max_retries is not NOT_GIVEN:
            policy = _with_retries(policy, max_retries)
        self._options = RequestOptions(timeout=_to_timeout(timeout), retry=policy)
        self._attach_resources()

    def _attach_resources(self) -> None:
        transport, options = self._transport, self._options
        self.payments = Payments(transport, options)
        self.transactions = Transactions(transport, options)
        self.payouts = Payouts(transport, options)
        self.crypto = Crypto(transport, options)
        self.wallet = Wallet(transport, options)
        self.channels = Channels(transport, options)
        self.global_payments = GlobalPayments(transport, options)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        return self._options.timeout

    @property
    def max_retries(self) -> int:
        return self._options.retry.max_retries

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._transport.limiter

    @property
    def closed(self) -> bool:
        return self._transport.sessions.closed

    def with_options(
        self,
        *,
        timeout: Timeout | Literal[_NotGiven.NOT_GIVEN] = NOT_GIVEN,
        max_retries: int | Literal[_NotGiven.NOT_GIVEN] = NOT_GIVEN,
        retry_policy: RetryPolicy | Literal[_NotGiven.NOT_GIVEN] = NOT_GIVEN,
    ) -> PaylorClient:
        """A copy with other timeout or retry settings, sharing session, key and limiters.

        Closing either closes the shared session: close the client you created.
        """
        policy = self._options.retry if retry_policy is NOT_GIVEN else retry_policy
        if max_retries is not NOT_GIVEN:
            policy = _with_retries(policy, max_retries)
        options = RequestOptions(
            timeout=self._options.timeout if timeout is NOT_GIVEN else _to_timeout(timeout),
            retry=policy,
        )
        copy = object.__new__(PaylorClient)
        copy._transport = self._transport
        copy._options = options
        copy._attach_resources()
        return copy

    def set_api_key(self, api_key: str) -> None:
        """Rotate the API key without recreating the client (its copies follow too).

        The next request uses ``api_key``; requests already sent finish with the old key. If
        Paylor answers 401 to a request that was sent with the old key (revoked meanwhile),
        it is sent again once with the new key: rotating never fails a call in flight.

        Raises:
            ConfigurationError: ``api_key`` is empty or contains spaces or control characters.
        """
        key = ApiKey(api_key)
        keyed = self._transport.keyed_limiter
        if keyed is not None and key.reveal() != self._transport.api_key.reveal():
            # Paylor counts per key: a new key starts its own shared budget.
            self._transport.limiter = keyed.for_key(key_fingerprint(key.reveal()))
        self._transport.set_api_key(key)

    async def aclose(self) -> None:
        """Close the session the client created (a session you passed in stays open).

        A shared limiter (``RedisRateLimiter``) is flushed: a 429 pause still on its way to
        the store is waited for (briefly). Its store client stays open: it is yours.
        """
        await self._transport.sessions.aclose()
        limiter = self._transport.limiter
        if isinstance(limiter, SharedRateLimiter):
            await limiter.aclose()
        owned = self._transport.owned_limiter
        if isinstance(owned, LocalRateLimiter):
            # Callers queued for a token would otherwise wait minutes to learn the client is
            # closed. A limiter passed in may serve other clients: it is left alone.
            owned.wake_all()

    async def __aenter__(self) -> PaylorClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"PaylorClient(base_url={self.base_url!r}, api_key={self._transport.api_key}, "
            f"max_retries={self.max_retries}, closed={self.closed})"
        )


def _with_retries(policy: RetryPolicy, max_retries: int) -> RetryPolicy:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
    if policy.max_retries == max_retries:
        return policy
    return RetryPolicy(
        max_retries=max_retries,
        initial_delay=policy.initial_delay,
        max_delay=policy.max_delay,
        max_server_delay=policy.max_server_delay,
        jitter=policy.jitter,
    )


def _to_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    if timeout is None:
        return aiohttp.ClientTimeout(total=None)
    if isinstance(timeout, aiohttp.ClientTimeout):
        return timeout
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ConfigurationError(
            f"timeout must be seconds > 0, an aiohttp.ClientTimeout or None, got {timeout!r}"
        )
    return aiohttp.ClientTimeout(total=float(timeout))


def _check_types(**given: tuple[object, type]) -> None:
    """Each optional argument is ``None`` or an instance of its type."""
    for name, (value, expected) in given.items():
        if value is not None and not isinstance(value, expected):
            raise ConfigurationError(
                f"{name} must be a {expected.__name__} or None, got {type(value).__name__}"
            )


def _check_base_url(url: object) -> str:
    if not isinstance(url, str):
        raise ConfigurationError(f"base_url must be a str, got {type(url).__name__}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise ConfigurationError("base_url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"base_url must be an https URL such as {DEFAULT_BASE_URL}, got {url!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError("base_url must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigurationError(
            "base_url uses plain http to a remote host: the API key would travel unencrypted. "
            "Use https (plain http is accepted only for loopback, such as the local simulator)"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
