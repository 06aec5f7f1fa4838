"""Shared state on Redis for fleets of workers on one Paylor key (``paylor-async[redis]``).

::

    import redis.asyncio as redis
    from paylor_async import PaylorClient, RateLimits
    from paylor_async.redis import RedisRateLimiter

    store = redis.Redis.from_url(os.environ["REDIS_URL"])
    limiter = RedisRateLimiter(store, rate_limits=RateLimits())
    async with PaylorClient(api_key, rate_limiter=limiter) as paylor:  # binds it to the key
        ...

:class:`RedisRateLimiter` keeps one bucket per (API key, endpoint group) in Redis, so every
process on the key shares Paylor's limit; :class:`RedisDedupe` remembers handled webhook events
for every worker. Redis keys hold a keyed hash of the API key, never the key.

The limiter and its Redis client may be created once per process and used from one event loop
after another (``asyncio.run`` per Celery task, ``async_to_sync`` per Django request): each
loop gets connections of its own, and those of a closed loop are dropped. Before shutdown,
``await limiter.aclose()`` flushes a 429 pause still on its way to Redis.
"""

try:
    import redis.asyncio  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "paylor_async.redis needs redis-py (redis>=5): install the extra with "
        "pip install 'paylor-async[redis]'"
    ) from exc

from .._sharedlimit import (
    RateLimiterUnavailableError,
    SharedBucketStore,
    SharedRateLimiter,
    StoreUnavailableError,
    key_fingerprint,
)
from ._dedupe import RedisDedupe
from ._limiter import RedisRateLimiter
from ._store import RedisBucketStore

__all__ = [
    "RateLimiterUnavailableError",
    "RedisBucketStore",
    "RedisDedupe",
    "RedisRateLimiter",
    "SharedBucketStore",
    "SharedRateLimiter",
    "StoreUnavailableError",
    "key_fingerprint",
]
