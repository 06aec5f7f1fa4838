"""RedisRateLimiter against a real redis-server: the script, key identity, FIFO, pauses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from paylor_async import PaylorClient, Rate, RateLimits
from paylor_async._ratelimit import RateLimiter, bucket_parameters
from paylor_async.errors import ConfigurationError, RateLimitError
from paylor_async.redis import (
    RedisBucketStore,
    RedisRateLimiter,
    SharedBucketStore,
    key_fingerprint,
)
from paylor_async.testing import Fault, PaylorSimulator
from tests.redis_server import RedisServer, redis_server  # noqa: F401 - fixture

STK = "/merchants/payments/stk-push"
SECRET = "sk_test_redis_limiter_secret_0123456789"
FAST = RateLimits(payments=Rate(100, 1.0))  # burst 4, a token every ~10 ms


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:  # noqa: F811
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


async def dump(redis: aioredis.Redis) -> list[bytes]:
    """Every key and string value in the database."""
    out = []
    for key in await redis.keys("*"):
        out.append(key)
        out.append(await redis.get(key) or b"")
    return out


async def push(paylor: PaylorClient, reference: str) -> None:
    await paylor.payments.stk_push(phone="0712345678", amount=10, reference=reference)


def test_key_fingerprint_is_stable_short_and_not_the_key() -> None:
    fingerprint = key_fingerprint(SECRET)
    assert fingerprint == key_fingerprint(SECRET)
    assert fingerprint != key_fingerprint(SECRET + "x")
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0
    assert SECRET[-4:] not in fingerprint and "sk_" not in fingerprint


def test_limiter_is_a_rate_limiter_and_configuration_is_checked() -> None:
    store = aioredis.Redis()  # never connects: nothing is sent in this test
    limiter = RedisRateLimiter(store, api_key=SECRET)
    assert isinstance(limiter, RateLimiter)
    assert isinstance(limiter.store, SharedBucketStore)
    assert SECRET not in repr(limiter) and key_fingerprint(SECRET) in repr(limiter)
    with pytest.raises(ConfigurationError, match="api_key or key_id"):
        RedisRateLimiter(store, api_key=SECRET, key_id="abc")
    for share in (0, 1.5, -0.1, True):
        with pytest.raises(ConfigurationError, match="fallback_share"):
            RedisRateLimiter(store, api_key=SECRET, fallback_share=share)
    with pytest.raises(ValueError, match="namespace"):
        RedisRateLimiter(store, api_key=SECRET, namespace="my app")
    with pytest.raises(ValueError, match="unknown rate-limit group"):
        limiter.pause("refunds", 1.0)


async def test_unbound_limiter_says_how_to_bind_and_for_key_binds(redis: aioredis.Redis) -> None:
    unbound = RedisRateLimiter(redis, rate_limits=FAST)
    with pytest.raises(ConfigurationError, match="api_key="):
        await unbound.acquire("payments")
    bound = unbound.for_key(key_fingerprint(SECRET))
    assert bound is not unbound and bound.key_id == key_fingerprint(SECRET)
    await bound.acquire("payments")
    explicit = RedisRateLimiter(redis, api_key=SECRET)
    assert explicit.for_key(key_fingerprint(SECRET)) is explicit  # the same key: itself


async def test_a_limiter_bound_to_another_key_is_refused_by_the_client(
    redis: aioredis.Redis,
) -> None:
    other = "sk_test_another_key_9876543210"
    bound = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET)
    with pytest.raises(ConfigurationError) as refused:
        PaylorClient(other, base_url="http://127.0.0.1:9", rate_limiter=bound)
    message = str(refused.value)
    assert "bound to another API key than the client's" in message
    assert SECRET not in message and other not in message
    assert key_fingerprint(SECRET) not in message and key_fingerprint(other) not in message
    # Rotating a client on an explicitly bound limiter is refused too, before anything
    # changes: the client keeps its key and its limiter.
    async with PaylorClient(SECRET, base_url="http://127.0.0.1:9", rate_limiter=bound) as paylor:
        with pytest.raises(ConfigurationError, match="bound to another API key"):
            paylor.set_api_key(other)
        assert paylor.rate_limiter is bound
        assert repr(paylor).count("3210") == 0 and "6789" in repr(paylor)  # masked old key


async def test_aclose_waits_for_a_pause_write_still_on_its_way(
    redis: aioredis.Redis,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    limiter = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET, namespace="flush")
    pause_key = limiter.store.keys(f"{limiter.key_id}:payments")[1]  # type: ignore[attr-defined]
    async with aioredis.Redis.from_url(redis_server.url) as admin:
        # Redis holds writes for 400 ms (reads still answer): the pause write is in flight
        # when aclose is called, as right after a 429 at shutdown.
        await admin.execute_command("CLIENT", "PAUSE", 400, "WRITE")
        try:
            limiter.pause("payments", 30.0)
            await limiter.aclose()
            assert 29_000 < await admin.pttl(pause_key) <= 30_001  # landed before it returned
        finally:
            await admin.execute_command("CLIENT", "UNPAUSE")
    await limiter.acquire("channels")  # still usable, and the Redis client still open


async def test_redis_holds_a_hash_of_the_key_never_the_key(redis: aioredis.Redis) -> None:
    limiter = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET, namespace="acme")
    await limiter.acquire("payments")
    limiter.pause("channels", 5.0)
    await limiter.wait_pending()
    keys = sorted(await redis.keys("*"))
    fingerprint = key_fingerprint(SECRET)
    assert keys == [
        f"acme:ratelimit:{{{fingerprint}:channels}}:pause".encode(),
        f"acme:ratelimit:{{{fingerprint}:payments}}:schedule".encode(),
    ]
    assert not any(SECRET.encode() in item for item in await dump(redis))
    assert 0 < await redis.pttl(keys[0]) <= 5_001


async def test_script_grants_the_burst_then_answers_wait(redis: aioredis.Redis) -> None:
    store = RedisBucketStore(redis)
    burst, per_second = bucket_parameters(Rate(60, 60.0))
    interval = 1 / per_second
    answers = [await store.acquire("k:payments", burst, interval) for _ in range(burst + 1)]
    assert answers[:burst] == [0.0] * burst
    assert 0 < answers[burst] <= interval
    # A wait takes nothing: asking again gives (nearly) the same answer, not a later one.
    again = await store.acquire("k:payments", burst, interval)
    assert 0 < again <= answers[burst]
    # Another group, another key id: separate buckets.
    assert await store.acquire("k:channels", burst, interval) == 0.0
    assert await store.acquire("other:payments", burst, interval) == 0.0


async def test_pause_refuses_until_it_ends_and_never_shortens(redis: aioredis.Redis) -> None:
    store = RedisBucketStore(redis)
    await store.pause("k:payments", 30.0)
    await store.pause("k:payments", 1.0)  # shorter: ignored
    wait = await store.acquire("k:payments", 3, 1.0)
    assert 29.0 < wait <= 30.0
    pause_key = store.keys("k:payments")[1]
    assert 29_000 < await redis.pttl(pause_key) <= 30_001
    await store.pause("k:payments", 0.001)
    await asyncio.sleep(0.0)  # a 1 ms pause does not replace the 30 s one
    assert await store.acquire("k:payments", 3, 1.0) > 29.0


async def test_callers_in_one_process_are_served_in_arrival_order(redis: aioredis.Redis) -> None:
    limiter = RedisRateLimiter(redis, rate_limits=FAST, api_key=SECRET)
    order: list[int] = []

    async def caller(n: int) -> None:
        await limiter.acquire("payments")
        order.append(n)

    tasks = []
    for n in range(12):
        tasks.append(asyncio.create_task(caller(n)))
        await asyncio.sleep(0)  # arrive one after another
    await asyncio.gather(*tasks)
    assert order == list(range(12))


async def test_cancelled_waiters_leave_nothing_behind(redis: aioredis.Redis) -> None:
    limiter = RedisRateLimiter(redis, rate_limits=RateLimits(payments=Rate(4, 1.0)), api_key=SECRET)
    await limiter.acquire("payments")  # burst 1: the next token is ~350 ms away
    asker = asyncio.create_task(limiter.acquire("payments"))  # asks, then sleeps on "wait"
    queued = asyncio.create_task(limiter.acquire("payments"))  # waits in the local queue
    last = asyncio.create_task(limiter.acquire("payments"))
    await asyncio.sleep(0.05)
    asker.cancel()
    queued.cancel()
    await last  # the asker's and the queued caller's turns passed on
    assert asker.cancelled() and queued.cancelled()
    lock = next(iter(limiter._core.here().locks.values()))
    assert not lock.locked() and not lock._waiters  # type: ignore[attr-defined]


async def test_a_429_seen_by_one_client_pauses_another_on_the_key(redis: aioredis.Redis) -> None:
    limits = RateLimits(payments=Rate(20, 2.0))
    async with PaylorSimulator() as sim:
        # Two limiters, two clients: as in two processes, they share only Redis.
        first = RedisRateLimiter(redis, rate_limits=limits, api_key=sim.api_key)
        second = RedisRateLimiter(redis, rate_limits=limits, api_key=sim.api_key)
        async with (
            PaylorClient(
                sim.api_key, base_url=sim.base_url, rate_limiter=first, max_retries=0
            ) as a,
            PaylorClient(
                sim.api_key, base_url=sim.base_url, rate_limiter=second, max_retries=0
            ) as b,
        ):
            sim.faults.inject(Fault.RATE_LIMITED, path=STK, reset_after=30.0)
            with pytest.raises(RateLimitError):
                await push(a, "A-1")
            await first.wait_pending()
            blocked = asyncio.create_task(push(b, "B-1"))
            await asyncio.sleep(0.3)
            assert not blocked.done()
            assert [r.json["reference"] for r in sim.requests_for(STK)] == ["A-1"]
            blocked.cancel()
            with pytest.raises(asyncio.CancelledError):
                await blocked
            wait = await second.store.acquire(f"{second.key_id}:payments", 1, 0.1)
            assert 25.0 < wait <= 30.5


async def test_client_calls_go_through_the_shared_bucket(redis: aioredis.Redis) -> None:
    async with PaylorSimulator() as sim:
        limiter = RedisRateLimiter(redis, rate_limits=FAST, api_key=sim.api_key)
        async with PaylorClient(sim.api_key, base_url=sim.base_url, rate_limiter=limiter) as paylor:
            assert paylor.rate_limiter is limiter
            await asyncio.gather(*(push(paylor, f"R-{n}") for n in range(6)))
        assert len(sim.requests_for(STK)) == 6
        schedule = limiter.store.keys(f"{limiter.key_id}:payments")[0]  # type: ignore[attr-defined]
        assert await redis.exists(schedule) == 1


async def test_pause_without_redis_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.redis_server import free_port

    dead = aioredis.Redis(port=free_port(), retry=Retry(NoBackoff(), 0))
    limiter = RedisRateLimiter(dead, api_key=SECRET)
    with caplog.at_level(logging.WARNING, logger="paylor_async"):
        limiter.pause("payments", 2.0)
        await limiter.wait_pending()
    await dead.aclose()
    assert "could not share a rate-limit pause" in caplog.text
    assert SECRET not in caplog.text


async def test_the_client_binds_an_unbound_limiter_and_rebinds_on_rotation(
    redis: aioredis.Redis,
) -> None:
    limiter = RedisRateLimiter(redis, rate_limits=FAST, namespace="bind")
    async with PaylorSimulator(rate_limits=None) as sim:
        old = sim.api_key
        async with PaylorClient(old, base_url=sim.base_url, rate_limiter=limiter) as paylor:
            await push(paylor, "R-1")  # bound by the client: no ConfigurationError
            new = sim.rotate_key()
            paylor.set_api_key(new)
            await push(paylor, "R-2")
    keys = {k.decode() for k in await redis.keys("bind:*")}
    assert any(key_fingerprint(old) in k for k in keys)
    assert any(key_fingerprint(new) in k for k in keys)  # the new key has its own budget
    assert all(old not in k and new not in k for k in keys)


async def test_closing_the_client_waits_for_a_pause_still_on_its_way(
    redis_server: RedisServer,  # noqa: F811
) -> None:
    redis = aioredis.Redis.from_url(redis_server.url)
    admin = aioredis.Redis.from_url(redis_server.url)
    limiter = RedisRateLimiter(redis, namespace="close")
    paylor = PaylorClient(SECRET, base_url="http://127.0.0.1:9", rate_limiter=limiter)
    pause_key = limiter.store.keys(f"{paylor.rate_limiter.key_id}:payments")[1]  # type: ignore[attr-defined]
    try:
        # Redis holds writes for 400 ms (reads still answer): the pause write is in flight
        # when the client closes, as right after a 429 at shutdown.
        await admin.execute_command("CLIENT", "PAUSE", 400, "WRITE")
        paylor.rate_limiter.pause("payments", 30.0)
        await paylor.aclose()
        assert await admin.pttl(pause_key) > 29_000  # the write landed before aclose returned
    finally:
        await admin.execute_command("CLIENT", "UNPAUSE")
        await limiter.wait_pending()
        await admin.aclose()
        await redis.aclose()
