"""RedisRateLimiter: the shared limiter on Redis, ready for ``PaylorClient(rate_limiter=...)``."""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as aioredis

from .._clock import Clock
from .._ratelimit import RateLimits
from .._sharedlimit import SharedRateLimiter, default_jitter, key_fingerprint
from ..errors import ConfigurationError
from ._store import RedisBucketStore

__all__ = ["RedisRateLimiter"]


class RedisRateLimiter(SharedRateLimiter):
    """One bucket per (API key, endpoint group) in Redis, shared by every process on the key.

    ::

        limiter = RedisRateLimiter(redis, rate_limits=RateLimits(), api_key=api_key)
        PaylorClient(api_key, rate_limiter=limiter)

    Each acquire is one atomic Lua script on Redis time (GCRA with the in-process bucket's
    burst and rate, so no window of the configured length goes over the limit, across all
    processes). See :class:`~paylor_async.redis.SharedRateLimiter` for queueing, pauses and
    what happens when Redis is down.

    Args:
        redis: a ``redis.asyncio`` client; it stays yours (the limiter never closes it).
        rate_limits: the server's limits, the same in every process.
        namespace: prefix of the Redis keys.
        api_key: the API key to count under. Only :func:`key_fingerprint` of it is kept.
        key_id: the fingerprint itself, instead of ``api_key``.
        fallback_share: ``None`` to raise :class:`RateLimiterUnavailableError` while Redis is
            down, or the share of the limit an in-process fallback bucket may use.
        recheck_interval: in fallback, seconds between attempts to return to Redis.
        clock: time for local sleeps (the buckets use Redis ``TIME``).
        jitter: extra sleep after a "wait" answer, given the wait in seconds.

    Raises:
        ConfigurationError: both ``api_key`` and ``key_id``, or a bad ``fallback_share``.
        ValueError: a namespace with spaces or braces.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        rate_limits: RateLimits | None = None,
        namespace: str = "paylor",
        api_key: str | None = None,
        key_id: str | None = None,
        fallback_share: float | None = None,
        recheck_interval: float = 1.0,
        clock: Clock | None = None,
        jitter: Callable[[float], float] = default_jitter,
    ) -> None:
        if api_key is not None and key_id is not None:
            raise ConfigurationError("pass api_key or key_id, not both")
        if api_key is not None:
            key_id = key_fingerprint(api_key)
        super().__init__(
            RedisBucketStore(redis, namespace=namespace),
            rate_limits=rate_limits,
            key_id=key_id,
            fallback_share=fallback_share,
            recheck_interval=recheck_interval,
            clock=clock,
            jitter=jitter,
        )
        self.namespace = namespace

    def __repr__(self) -> str:
        return super().__repr__().replace("(", f"(namespace={self.namespace!r}, ", 1)
