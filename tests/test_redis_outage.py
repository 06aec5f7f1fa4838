"""Redis stopped mid-run and started again: a typed error by default, or the local fallback.

Each test owns its server (it gets killed). The Redis client is built without retries so an
outage shows at once (redis-py's default retries a failed command for a few seconds).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from paylor_async import ManualClock, PaylorClient, Rate, RateLimits
from paylor_async.errors import PaylorError
from paylor_async.redis import RateLimiterUnavailableError, RedisRateLimiter
from paylor_async.testing import PaylorSimulator
from tests.redis_server import RedisServer

SECRET = "sk_test_outage_secret_0123456789abcdef"
LIMITS = RateLimits(payments=Rate(20, 2.0))
STK = "/merchants/payments/stk-push"


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with RedisServer() as running:
        yield running


@pytest.fixture
async def redis(server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(server.url, retry=Retry(NoBackoff(), 0))
    yield client
    await client.aclose()


async def test_redis_down_mid_run_is_a_typed_error_then_traffic_resumes(
    server: RedisServer, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    async with PaylorSimulator() as sim:
        limiter = RedisRateLimiter(
            redis, rate_limits=RateLimits(payments=Rate(100, 1.0)), api_key=sim.api_key
        )
        async with PaylorClient(
            sim.api_key, base_url=sim.base_url, rate_limiter=limiter, max_retries=0
        ) as paylor:
            outcomes: list[str] = []
            messages: set[str] = set()
            phase = ["up"]

            async def caller(n: int) -> None:
                for i in range(400):
                    try:
                        await paylor.payments.stk_push(
                            phone="0712345678", amount=10, reference=f"C{n}-{i}"
                        )
                        outcomes.append(f"{phase[0]}:sent")
                    except RateLimiterUnavailableError as exc:
                        messages.add(str(exc))
                        outcomes.append(f"{phase[0]}:refused")
                        await asyncio.sleep(0.01)
                    if phase[0] == "back" and outcomes.count("back:sent") >= 5:
                        return

            with caplog.at_level(logging.INFO, logger="paylor_async"):
                callers = [asyncio.create_task(caller(n)) for n in range(5)]
                while outcomes.count("up:sent") < 5:
                    await asyncio.sleep(0.01)
                phase[0] = "down"
                server.stop()
                sent_before = len(sim.requests_for(STK))
                while outcomes.count("down:refused") < 10:
                    await asyncio.sleep(0.01)
                phase[0] = "back"  # set before the restart: nothing goes out while down
                sent_while_down = len(sim.requests_for(STK)) - sent_before
                server.start()
                await asyncio.wait_for(asyncio.gather(*callers), timeout=30)
    assert outcomes.count("back:sent") >= 5
    assert issubclass(RateLimiterUnavailableError, PaylorError)
    assert messages == {
        "the shared rate limiter's store is unavailable "
        "(Redis did not answer: ConnectionError); nothing was sent"
    }
    # Requests granted just before the kill may still land; none was granted after it.
    assert sent_while_down <= 5
    assert "down:sent" not in outcomes[outcomes.index("down:refused") :]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "calls fail until it is back" in warnings[0].getMessage()
    assert "reachable again" in caplog.text


async def test_fallback_uses_a_local_share_of_the_limit_then_returns_to_redis(
    server: RedisServer, redis: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()  # local sleeps and the fallback bucket; Redis keeps its own time
    limiter = RedisRateLimiter(
        redis,
        rate_limits=RateLimits(payments=Rate(40, 2.0)),
        api_key=SECRET,
        fallback_share=0.25,
        recheck_interval=5.0,
        clock=clock,
    )
    assert limiter.fallback_limits().payments == Rate(10, 2.0)
    await limiter.acquire("payments")
    server.stop()
    with caplog.at_level(logging.INFO, logger="paylor_async"):
        await limiter.acquire("payments")  # the fallback bucket's one token (burst 1)
        second = asyncio.create_task(limiter.acquire("payments"))
        await clock.advance(0.0)
        fallback = limiter._fallback().bucket("payments")
        assert not second.done() and fallback.waiting == 1  # limited, not unlimited
        await clock.advance(2.0 / (9 / 1.05))  # one fallback token later
        await second
        assert fallback.burst == 1 and fallback.rate == Rate(10, 2.0)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "0.25 of the limit" in warnings[0].getMessage()
        assert SECRET not in caplog.text

        server.start()
        third = asyncio.create_task(limiter.acquire("payments"))
        await clock.advance(0.0)
        # Within the recheck interval the fallback still serves (and still limits).
        assert not third.done()
        await clock.advance(5.0)  # served by the fallback; the recheck time has come
        await third
        await limiter.acquire("payments")
        schedule = limiter.store.keys(f"{limiter.key_id}:payments")[0]  # type: ignore[attr-defined]
        assert await redis.exists(schedule) == 1
        assert "reachable again" in caplog.text
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
