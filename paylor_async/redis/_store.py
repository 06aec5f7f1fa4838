"""RedisBucketStore: the shared buckets as two keys per bucket and one script call each."""

from __future__ import annotations

import math
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .._sharedlimit import StoreUnavailableError
from ._loop import LoopLocalRedis
from ._scripts import ACQUIRE, PAUSE

__all__ = ["RedisBucketStore", "check_namespace", "unavailable"]


def check_namespace(namespace: str) -> str:
    """``namespace`` if it is a usable Redis key prefix (printable, no spaces or braces)."""
    if (
        not isinstance(namespace, str)
        or not namespace
        or not namespace.isprintable()
        or any(ch.isspace() or ch in "{}" for ch in namespace)
    ):
        raise ValueError(
            f"namespace must be printable text without spaces or braces: {namespace!r}"
        )
    return namespace


def unavailable(exc: BaseException) -> StoreUnavailableError:
    """A typed error naming the failure's kind only (redis-py messages may name hosts)."""
    return StoreUnavailableError(f"Redis did not answer: {type(exc).__name__}")


class RedisBucketStore:
    """A :class:`~paylor_async.redis.SharedBucketStore` on Redis (or a Redis Cluster).

    Keys, per bucket: ``<namespace>:ratelimit:{<bucket id>}:schedule`` and ``...:pause``
    (the braces keep both in one cluster slot). Each expires on its own once the bucket is
    full again or the pause is over: an idle key leaves nothing behind.

    Args:
        redis: a ``redis.asyncio`` client (or cluster client). Its timeouts and retry settings
            decide how fast an outage is noticed. It may be created once per process and used
            from one event loop after another (``asyncio.run`` per task, ``async_to_sync``):
            connections of a closed loop are dropped and each loop opens its own (a cluster
            client is used as given).
        namespace: prefix of every key.
    """

    def __init__(self, redis: aioredis.Redis, *, namespace: str = "paylor") -> None:
        self.redis = redis
        self.namespace = check_namespace(namespace)
        self._clients = LoopLocalRedis(redis)
        self._acquire = redis.register_script(ACQUIRE)
        self._pause = redis.register_script(PAUSE)

    def keys(self, bucket_id: str) -> tuple[str, str]:
        """The schedule and pause keys of ``bucket_id``."""
        base = f"{self.namespace}:ratelimit:{{{bucket_id}}}"
        return f"{base}:schedule", f"{base}:pause"

    async def acquire(self, bucket_id: str, burst: int, interval: float) -> float:
        """One script call: ``0.0`` when a token was taken, else seconds to wait."""
        interval_us = max(1, math.ceil(interval * 1_000_000))
        wait_us = await self._run(self._acquire, self.keys(bucket_id), [interval_us, burst])
        return int(wait_us) / 1_000_000

    async def pause(self, bucket_id: str, seconds: float) -> None:
        """Refuse the bucket's tokens for ``seconds`` in every process."""
        length_us = max(1, math.ceil(seconds * 1_000_000))
        await self._run(self._pause, self.keys(bucket_id)[1:], [length_us])

    async def _run(self, script: Any, keys: tuple[str, ...], args: list[int]) -> Any:
        try:
            client = await self._clients.client()
            return await script(keys=list(keys), args=args, client=client)
        except (RedisError, OSError, RuntimeError) as exc:
            # RuntimeError: a connection tied to another event loop (a client this store
            # cannot rebind): still Redis not answering here, never a foreign error.
            raise unavailable(exc) from exc

    def __repr__(self) -> str:
        return f"RedisBucketStore(namespace={self.namespace!r})"
