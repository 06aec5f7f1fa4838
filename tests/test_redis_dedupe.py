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
from paylor_async.webhooks._dedupe import DedupeStore
from tests.redis_server import RedisServer, free_port, redis_server  # noqa: F401 - fixture

EVENT = "txn_01HZX:COMPLETED"


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:  # noqa: F811
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


async def test_claim_once_release_and_claim_again(redis: aioredis.Redis) -> None:
    dedupe = RedisDedupe(redis, ttl=60, namespace="shop")
    assert isinstance(dedupe, DedupeStore)
    assert await dedupe.claim(EVENT) is True
    assert await dedupe.claim(EVENT) is False
    assert await dedupe.claim("txn_01HZX:FAILED") is True  # another status, another key
    await dedupe.release(EVENT)
    assert await dedupe.claim(EVENT) is True


async def test_keys_are_hashed_namespaced_and_expire(redis: aioredis.Redis) -> None:
    dedupe = RedisDedupe(redis, ttl=90, namespace="shop")
    await dedupe.claim(EVENT)
    (key,) = await redis.keys("*")
    assert key.startswith(b"shop:dedupe:") and b"txn_01HZX" not in key
    assert key.decode() == dedupe.redis_key(EVENT)
    assert 89_000 < await redis.pttl(key) <= 90_000


async def test_of_many_concurrent_claims_exactly_one_wins(redis: aioredis.Redis) -> None:
    stores = [RedisDedupe(redis) for _ in range(4)]  # as in four workers
    results = await asyncio.gather(*(stores[n % 4].claim(EVENT) for n in range(40)))
    assert results.count(True) == 1


async def test_ttl_ends_the_claim(redis: aioredis.Redis) -> None:
    dedupe = RedisDedupe(redis, ttl=0.05)
    assert await dedupe.claim(EVENT) is True
    await asyncio.sleep(0.2)
    assert await dedupe.claim(EVENT) is True


def test_bad_arguments_are_refused() -> None:
    redis = aioredis.Redis()
    for ttl in (0, -1, float("nan"), True, "60"):
        with pytest.raises(ValueError, match="ttl"):
            RedisDedupe(redis, ttl=ttl)  # type: ignore[arg-type]
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
