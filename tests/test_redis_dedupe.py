"""RedisDedupe on a real redis-server, and the import error without redis-py."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from paylor_async.redis import RedisDedupe, StoreUnavailableError
from paylor_async.webhooks import ClaimResult, DedupeStore
from tests.redis_server import RedisServer, free_port, redis_server  # noqa: F401 - fixture

EVENT = "tx:txn_01HZX:COMPLETED"


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:  # noqa: F811
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


async def test_claim_complete_and_release(redis: aioredis.Redis) -> None:
    dedupe = RedisDedupe(redis, ttl=60, namespace="shop")
    assert isinstance(dedupe, DedupeStore)
    assert await dedupe.claim(EVENT) is ClaimResult.NEW
    assert await dedupe.claim(EVENT) is ClaimResult.IN_PROGRESS
    assert await dedupe.claim("tx:txn_01HZX:FAILED") is ClaimResult.NEW  # another key
    await dedupe.release(EVENT)
    assert await dedupe.claim(EVENT) is ClaimResult.NEW
    await dedupe.complete(EVENT)
    assert await dedupe.claim(EVENT) is ClaimResult.DONE
    await dedupe.release(EVENT)  # a done key is never released
    assert await dedupe.claim(EVENT) is ClaimResult.DONE


async def test_keys_are_hashed_namespaced_and_expire(redis: aioredis.Redis) -> None:
    dedupe = RedisDedupe(redis, ttl=90, processing_ttl=30, namespace="shop")
    await dedupe.claim(EVENT)
    (key,) = await redis.keys("*")
    assert key.startswith(b"shop:dedupe:") and b"txn_01HZX" not in key
    assert key.decode() == dedupe.redis_key(EVENT)
    assert 29_000 < await redis.pttl(key) <= 30_000  # processing: the short TTL
    await dedupe.complete(EVENT)
    assert 89_000 < await redis.pttl(key) <= 90_000  # done: the long TTL


async def test_of_many_concurrent_claims_exactly_one_wins(redis: aioredis.Redis) -> None:
    stores = [RedisDedupe(redis) for _ in range(4)]  # as in four workers
    results = await asyncio.gather(*(stores[n % 4].claim(EVENT) for n in range(40)))
    assert results.count(ClaimResult.NEW) == 1
    assert results.count(ClaimResult.IN_PROGRESS) == 39


async def test_a_crashed_handlers_claim_expires_after_the_processing_ttl(
    redis: aioredis.Redis,
) -> None:
    dedupe = RedisDedupe(redis, ttl=3600, processing_ttl=0.1)
    assert await dedupe.claim(EVENT) is ClaimResult.NEW  # the worker then dies
    assert await dedupe.claim(EVENT) is ClaimResult.IN_PROGRESS
    await asyncio.sleep(0.25)
    assert await dedupe.claim(EVENT) is ClaimResult.NEW  # the retry is processed


async def test_release_frees_only_its_own_processing_claim(redis: aioredis.Redis) -> None:
    slow = RedisDedupe(redis, processing_ttl=0.05)  # worker A: its claim expired
    other = RedisDedupe(redis, processing_ttl=60)  # worker B claimed after that
    assert await slow.claim(EVENT) is ClaimResult.NEW
    await asyncio.sleep(0.15)
    assert await other.claim(EVENT) is ClaimResult.NEW
    await slow.release(EVENT)  # A fails late: B's claim must stay
    assert await other.claim(EVENT) is ClaimResult.IN_PROGRESS
    await other.release(EVENT)
    assert await other.claim(EVENT) is ClaimResult.NEW


async def test_a_claim_from_before_the_upgrade_counts_as_done(redis: aioredis.Redis) -> None:
    dedupe = RedisDedupe(redis)
    await redis.set(dedupe.redis_key(EVENT), b"1", px=60_000)  # the former "claimed" value
    assert await dedupe.claim(EVENT) is ClaimResult.DONE


def test_bad_arguments_are_refused() -> None:
    redis = aioredis.Redis()
    for ttl in (0, -1, float("nan"), True, "60"):
        with pytest.raises(ValueError, match="ttl"):
            RedisDedupe(redis, ttl=ttl)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="processing_ttl"):
            RedisDedupe(redis, processing_ttl=ttl)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="namespace"):
        RedisDedupe(redis, namespace="a{b}")
    with pytest.raises(ValueError, match="non-empty"):
        RedisDedupe(redis).redis_key("")


async def test_redis_down_is_a_typed_error() -> None:
    dead = aioredis.Redis(port=free_port(), retry=Retry(NoBackoff(), 0))
    dedupe = RedisDedupe(dead)
    with pytest.raises(StoreUnavailableError, match="Redis did not answer: ConnectionError"):
        await dedupe.claim(EVENT)
    with pytest.raises(StoreUnavailableError):
        await dedupe.release(EVENT)
    with pytest.raises(StoreUnavailableError):
        await dedupe.complete(EVENT)
    await dead.aclose()


def test_without_redis_py_the_import_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['redis'] = None; sys.modules['redis.asyncio'] = None\n"
        "try:\n    import paylor_async.redis\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(  # noqa: S603 - our own argv, no shell
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert "pip install 'paylor-async[redis]'" in out


async def test_a_lone_surrogate_in_a_key_is_a_key_like_any_other(redis: aioredis.Redis) -> None:
    """A signed body may carry "\\ud800" in an id: it must dedupe, not crash the receiver."""
    store = RedisDedupe(redis, namespace="surrogate")
    key = "tx:\ud800:COMPLETED"
    assert await store.claim(key) is ClaimResult.NEW
    await store.complete(key)
    assert await store.claim(key) is ClaimResult.DONE


@pytest.mark.parametrize("ttls", [{"ttl": 1e16}, {"processing_ttl": 1e16}, {"ttl": 0}])
def test_ttls_redis_cannot_store_are_refused_up_front(
    ttls: dict[str, float],
) -> None:
    with pytest.raises(ValueError, match="seconds"):
        RedisDedupe(aioredis.Redis(), **ttls)
