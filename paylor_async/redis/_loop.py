"""A ``redis.asyncio`` client usable from whichever event loop is running.

redis-py's asyncio connections belong to the event loop that opened them. A module-level
client used by a worker that runs ``asyncio.run(...)`` per task (Celery-style), or by Django
sync views through ``async_to_sync`` (a new loop per request), would otherwise send the next
command on a connection of a closed loop and fail with ``RuntimeError: Event loop is closed``.

:class:`LoopLocalRedis` hands each running loop a client whose connections are its own:

* the loop using the client now keeps it as is (no cost on the hot path: one identity check);
* when that loop is **closed** and another one asks, the pool's old connections are dropped
  first, so the new loop opens fresh ones;
* a loop asking while the first one is still open (another thread's loop) gets its own client
  on a new pool with the same connection settings; it is dropped once that loop is closed.

Only ``redis.asyncio.Redis``-like clients (with a ``connection_pool``) are rebound; any other
client (a cluster client) is used as given.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

import redis.asyncio as aioredis

__all__ = ["LoopLocalRedis"]


class LoopLocalRedis:
    """The user's ``redis.asyncio`` client, with connections of the running event loop.

    Every ``LoopLocalRedis`` on one connection pool (a limiter and a dedupe store on one
    client) shares one record of which loop owns the pool: when the loop changes, the pool is
    emptied once, never again under a connection the new loop already uses.

    Args:
        redis: the client given by the user; it stays theirs (never closed here).
    """

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        pool = getattr(redis, "connection_pool", None)
        self._loops = None if pool is None else _loops_of(pool)

    async def client(self) -> aioredis.Redis:
        """The client to use on the running loop (dropping connections of closed loops).

        Raises:
            RuntimeError: no running event loop.
        """
        if self._loops is None:
            return self.redis
        return await self._loops.client_for(self.redis)

    def __repr__(self) -> str:
        return "LoopLocalRedis()"


class _PoolLoops:
    """Which loop owns one connection pool, and the clients of the other open loops.

    Holds no reference to the pool itself (it is the key of a weak mapping).
    """

    def __init__(self) -> None:
        self.owner: asyncio.AbstractEventLoop | None = None
        self.clones: dict[asyncio.AbstractEventLoop, aioredis.Redis] = {}
        self.guard = threading.Lock()  # loops of several threads may ask at once

    async def client_for(self, redis: aioredis.Redis) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        if self.owner is loop:
            return redis
        stale: list[Any] = []
        with self.guard:
            owner = self.owner
            if owner is None or owner is loop or owner.is_closed():
                if owner is not None and owner is not loop:
                    stale.extend(_forget_connections(redis.connection_pool))
                self.owner = loop
                chosen = redis
            else:
                chosen = self.clones.get(loop) or self.clones.setdefault(
                    loop, _same_settings(redis)
                )
            for other in [other for other in self.clones if other.is_closed()]:
                stale.extend(_forget_connections(self.clones.pop(other).connection_pool))
        if stale:
            await _disconnect(stale)
        return chosen


_POOLS: weakref.WeakKeyDictionary[Any, _PoolLoops] = weakref.WeakKeyDictionary()
_POOLS_GUARD = threading.Lock()


def _loops_of(pool: Any) -> _PoolLoops:
    with _POOLS_GUARD:
        loops = _POOLS.get(pool)
        if loops is None:
            loops = _POOLS[pool] = _PoolLoops()
        return loops


def _forget_connections(pool: Any) -> list[Any]:
    """Empty ``pool`` at once (no await: nobody on the new loop may pick an old connection)
    and return the connections it held, to be disconnected."""
    old = [
        *getattr(pool, "_available_connections", ()),
        *getattr(pool, "_in_use_connections", ()),
    ]
    pool.reset()
    return old


async def _disconnect(connections: list[Any]) -> None:
    """Best-effort close of connections whose loop is gone.

    Their transports cannot be closed through a closed loop; each is marked disconnected and
    its socket is released when it is collected.
    """
    await asyncio.gather(
        *(connection.disconnect(nowait=True) for connection in connections),
        return_exceptions=True,
    )


def _same_settings(redis: aioredis.Redis) -> aioredis.Redis:
    """A client on a new, empty pool with ``redis``'s connection settings."""
    pool = redis.connection_pool
    fresh = type(pool)(
        connection_class=pool.connection_class,
        max_connections=pool.max_connections,
        **pool.connection_kwargs,
    )
    return aioredis.Redis(connection_pool=fresh)
