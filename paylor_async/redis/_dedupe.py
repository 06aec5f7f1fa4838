"""RedisDedupe: webhook event keys shared by every worker: processing, then done."""

from __future__ import annotations

import hashlib
import math
import secrets
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ..webhooks._dedupe import DEFAULT_PROCESSING_TTL, ClaimResult
from ._loop import LoopLocalRedis
from ._store import check_namespace, unavailable

__all__ = ["RedisDedupe"]

_DONE = b"done"
_PROCESSING = b"processing"

# KEYS[1] the event key; ARGV[1] this store's processing value; ARGV[2] processing TTL (ms).
# One script, so "absent -> processing" and "which state is it in" are one atomic step.
CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 'new'
end
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 10) == 'processing' then
  return 'in_progress'
end
return 'done'
"""

# Delete only this store's own processing claim: never a done key, never a claim another
# worker took after ours expired (deleting that would let a third attempt run alongside it).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisDedupe:
    """A :class:`~paylor_async.webhooks.DedupeStore` on Redis, shared by every worker.

    * ``claim``: one script: ``SET key processing:<token> NX PX processing_ttl``, and when the
      key exists, whether it holds ``processing...`` (``IN_PROGRESS``) or ``done``
      (``DONE``). Atomic across processes: of two workers receiving the same event exactly one
      gets ``NEW``.
    * ``complete``: ``SET key done PX ttl``.
    * ``release``: deletes the key only while it still holds this store's own processing
      claim (a token drawn per store), so a late failure never frees a claim that expired and
      was taken by another worker, nor a done key. Build one store per process and keep it.

    Keys are ``<namespace>:dedupe:<sha256 of the event key>``.

    Args:
        redis: a ``redis.asyncio`` client; it stays yours.
        ttl: seconds a handled (done) key is remembered (default one day).
        processing_ttl: seconds a claim is held while its handler runs (default 300): if the
            worker dies mid-handler, the next delivery after this is acted on. Keep it longer
            than your slowest handler.
        namespace: prefix of the Redis keys.

    Raises:
        ValueError: a ttl that is not a positive number of seconds, or a bad namespace.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        ttl: float = 86_400.0,
        processing_ttl: float = DEFAULT_PROCESSING_TTL,
        namespace: str = "paylor",
    ):
        self.redis = redis
        self.ttl = _seconds(ttl, "ttl")
        self.processing_ttl = _seconds(processing_ttl, "processing_ttl")
        self.namespace = check_namespace(namespace)
        self._ttl_ms = max(1, math.ceil(self.ttl * 1000))
        self._processing_ttl_ms = max(1, math.ceil(self.processing_ttl * 1000))
        self._processing = _PROCESSING + b":" + secrets.token_hex(8).encode()
        self._claim = redis.register_script(CLAIM)
        self._release = redis.register_script(RELEASE)
        # Connections of the running loop (Django sync views run a loop per request).
        self._clients = LoopLocalRedis(redis)

    def redis_key(self, key: str) -> str:
        """The Redis key that records ``key``."""
        if not isinstance(key, str) or not key:
            raise ValueError("a dedupe key must be a non-empty string")
        # surrogatepass: a signed body may carry a lone surrogate ("\ud800") in an id.
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{self.namespace}:dedupe:{digest}"

    async def claim(self, key: str) -> ClaimResult:
        """Record ``key`` as processing if absent; see :meth:`DedupeStore.claim`.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        found = await self._run(self._claim, key, [self._processing, self._processing_ttl_ms])
        text = found.decode() if isinstance(found, bytes) else str(found)
        return ClaimResult(text)

    async def complete(self, key: str) -> None:
        """Mark ``key`` done for ``ttl`` seconds (its handler returned).

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        name = self.redis_key(key)
        try:
            client = await self._clients.client()
            await client.set(name, _DONE, px=self._ttl_ms)
        except (RedisError, OSError, RuntimeError) as exc:
            raise unavailable(exc) from exc

    async def release(self, key: str) -> None:
        """Forget this store's processing claim on ``key`` so the next delivery is acted on.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        await self._run(self._release, key, [self._processing])

    async def _run(self, script: Any, key: str, args: list[Any]) -> Any:
        name = self.redis_key(key)
        try:
            client = await self._clients.client()
            return await script(keys=[name], args=args, client=client)
        except (RedisError, OSError, RuntimeError) as exc:
            # RuntimeError: a connection tied to another (closed) event loop.
            raise unavailable(exc) from exc

    def __repr__(self) -> str:
        return (
            f"RedisDedupe(namespace={self.namespace!r}, ttl={self.ttl:g}, "
            f"processing_ttl={self.processing_ttl:g})"
        )


def _seconds(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    if not 0 < value <= _MAX_TTL_SECONDS:
        raise ValueError(f"{name} must be > 0 and at most {_MAX_TTL_SECONDS:,} seconds (ten years)")
    return float(value)


#: Redis takes PX up to 2**63 ms; ten years is beyond any webhook retry window.
_MAX_TTL_SECONDS = 10 * 365 * 86_400
