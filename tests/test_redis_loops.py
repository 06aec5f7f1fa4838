"""One RedisRateLimiter used from one event loop after another (Celery ``asyncio.run`` per
task, Django ``async_to_sync`` per request), against a real redis-server.

These tests are plain (sync) functions: each ``asyncio.run`` makes and closes its own loop,
as such a worker does. A loop closed with a Redis connection open (``asyncio.run`` does not
close it) leaves a transport only its collection can release, with the stdlib's
ResourceWarning: that warning is expected here and only here.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis

from paylor_async import Rate, RateLimits
from paylor_async.redis import RedisRateLimiter, key_fingerprint
from tests.redis_server import RedisServer, redis_server  # noqa: F401 - fixture

SECRET = "sk_test_redis_loops_secret_0123456789"
FAST = RateLimits(payments=Rate(100, 1.0))  # burst 4, a token every ~10 ms
STALE_LOOP = [
    "ignore:unclosed transport:ResourceWarning",
    "ignore:unclosed <socket:ResourceWarning",
    "ignore:loop is closed:ResourceWarning",
]


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:  # noqa: F811
    yield redis_server.url
    gc.collect()  # dropped connections of closed loops go now, inside the test's filters


async def contended_acquires(limiter: RedisRateLimiter, *, close: aioredis.Redis | None) -> None:
    """Three callers at once (the FIFO lock gets waiters, so it is tied to this loop), and a
    pause written to Redis; ``close``: the worker's last task closes the client."""
    try:
        await asyncio.gather(*(limiter.acquire("payments") for _ in range(3)))
        limiter.pause("channels", 0.5)
        assert await limiter.wait_pending(max_wait=5.0)
    finally:
        if close is not None:
            await close.aclose()


@pytest.mark.filterwarnings(*STALE_LOOP)
def test_one_limiter_serves_one_asyncio_run_after_another(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    limiter = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET, namespace="loops")
    asyncio.run(contended_acquires(limiter, close=None))
    asyncio.run(contended_acquires(limiter, close=None))  # was: Event loop is closed
    asyncio.run(contended_acquires(limiter, close=redis))

    async def keys() -> set[str]:
        async with aioredis.Redis.from_url(redis_url) as check:
            return {key.decode() for key in await check.keys("loops:*")}

    fingerprint = key_fingerprint(SECRET)
    assert asyncio.run(keys()) == {
        f"loops:ratelimit:{{{fingerprint}:payments}}:schedule",
        f"loops:ratelimit:{{{fingerprint}:channels}}:pause",
    }


@pytest.mark.filterwarnings(*STALE_LOOP)
def test_a_loop_asking_while_another_is_open_gets_its_own_connections(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    limiter = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET, namespace="loops2")
    first = asyncio.new_event_loop()
    try:
        first.run_until_complete(contended_acquires(limiter, close=None))
        # The first loop is still open (as another thread's loop would be): the second one
        # must not take its connections, nor they its.
        asyncio.run(contended_acquires(limiter, close=None))
        first.run_until_complete(contended_acquires(limiter, close=None))
        first.run_until_complete(redis.aclose())
    finally:
        first.close()
    # A later loop finds both earlier loops closed: it drops what they left and goes on.
    asyncio.run(contended_acquires(limiter, close=redis))


@pytest.mark.filterwarnings(*STALE_LOOP)
def test_two_limiters_on_one_client_move_to_a_new_loop_together(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    payments = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET, namespace="two-a")
    others = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET, namespace="two-b")

    async def both(close: bool) -> None:
        try:
            await payments.acquire("payments")  # its connection is made on this loop ...
            # ... and in use when the other limiter first asks on this loop.
            await asyncio.gather(payments.acquire("channels"), others.acquire("payments"))
        finally:
            if close:
                await redis.aclose()

    asyncio.run(both(close=False))
    # Each finds the first loop closed: the second must not drop what the first just opened
    # on this loop (a connection in use, then released to a pool that forgot it).
    asyncio.run(both(close=False))
    asyncio.run(both(close=True))


@pytest.mark.filterwarnings(*STALE_LOOP)
def test_one_dedupe_store_serves_one_asyncio_run_after_another(redis_url: str) -> None:
    """What a Django sync view does: ``async_to_sync`` runs each request on a new loop."""
    from paylor_async.redis import RedisDedupe
    from paylor_async.webhooks import ClaimResult

    redis = aioredis.Redis.from_url(redis_url)
    store = RedisDedupe(redis, namespace="loops-dedupe")

    async def handle(key: str, *, last: bool = False) -> ClaimResult:
        try:
            claimed = await store.claim(key)
            if claimed is ClaimResult.NEW:
                await store.complete(key)
            return claimed
        finally:
            if last:  # the worker's last request closes the client on its own loop
                await redis.aclose()

    assert asyncio.run(handle("tx:a:COMPLETED")) is ClaimResult.NEW
    assert asyncio.run(handle("tx:a:COMPLETED")) is ClaimResult.DONE  # was: loop is closed
    assert asyncio.run(handle("tx:b:COMPLETED", last=True)) is ClaimResult.NEW
