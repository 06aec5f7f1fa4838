"""RedisDedupe: webhook event keys claimed once across every worker (SET NX with a TTL)."""

from __future__ import annotations

import hashlib
import math

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ._store import check_namespace, unavailable

__all__ = ["RedisDedupe"]


class RedisDedupe:
    """A :class:`~paylor_async.webhooks.DedupeStore` on Redis.

    ``claim`` is one ``SET key 1 NX PX ttl``: atomic across processes, so of two workers
    receiving the same event exactly one acts on it. Keys are
    ``<namespace>:dedupe:<sha256 of the event key>``.

    Args:
        redis: a ``redis.asyncio`` client; it stays yours.
        ttl: seconds a claimed key is remembered (default one day).
        namespace: prefix of the Redis keys.

    Raises:
        ValueError: a ttl that is not a positive number of seconds, or a bad namespace.
    """

    def __init__(self, redis: aioredis.Redis, *, ttl: float = 86_400.0, namespace: str = "paylor"):
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl):
            raise ValueError(f"ttl must be a number of seconds, got {ttl!r}")
        if ttl <= 0:
            raise ValueError(f"ttl must be > 0 seconds, got {ttl!r}")
        self.redis = redis
        self.ttl = float(ttl)
        self.namespace = check_namespace(namespace)
        self._ttl_ms = max(1, math.ceil(self.ttl * 1000))

    def redis_key(self, key: str) -> str:
        """The Redis key that records ``key``."""
        if not isinstance(key, str) or not key:
            raise ValueError("a dedupe key must be a non-empty string")
        digest = hashlib.sha256(key.encode()).hexdigest()
        return f"{self.namespace}:dedupe:{digest}"

    async def claim(self, key: str) -> bool:
        """Record ``key``; ``True`` the first time (act on the event), ``False`` after.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        name = self.redis_key(key)
        try:
            return bool(await self.redis.set(name, b"1", nx=True, px=self._ttl_ms))
        except (RedisError, OSError) as exc:
            raise unavailable(exc) from exc

    async def release(self, key: str) -> None:
        """Forget ``key`` so Paylor's next delivery is acted on again.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        name = self.redis_key(key)
        try:
            await self.redis.delete(name)
        except (RedisError, OSError) as exc:
            raise unavailable(exc) from exc

    def __repr__(self) -> str:
        return f"RedisDedupe(namespace={self.namespace!r}, ttl={self.ttl:g})"
