"""The client-side limiter: parameters, window bounds, sustained rate, FIFO against newcomers.

Everything runs on a ManualClock: no real sleeping, no timed assertions.
"""

from __future__ import annotations

import asyncio
import math
import random

import pytest

from paylor_async._clock import ManualClock
from paylor_async._ratelimit import (
    GROUPS,
    Rate,
    RateLimits,
    TokenBucket,
    bucket_parameters,
)

from ._bucket_support import (
    StallClock,
    saturate,
    settle,
    worst_fixed_window,
    worst_window,
)

# ---------------------------------------------------------------------------------------------
# Rate, RateLimits, parameters


@pytest.mark.parametrize(
    ("limit", "window", "burst", "per_window"),
    [
        (60, 60.0, 3, 56.0),
        (120, 60.0, 4, 114.0),
        (20, 2.0, 1, 19 / 1.05),
        (1, 60.0, 1, 1 / 1.05),
        (2, 60.0, 1, 1 / 1.05),
        (3, 1.0, 1, 2 / 1.05),
        (1000, 60.0, 7, 973.0),
    ],
)
def test_bucket_parameters_table(limit: int, window: float, burst: int, per_window: float) -> None:
    b, r = bucket_parameters(Rate(limit, window))
    assert b == burst
    assert r * window == pytest.approx(per_window)
    # the worst closed window: the full bucket plus every token accrued in [t0, t0 + W]
    worst = b + math.floor(r * window * (1 + 1e-12))
    assert worst <= (limit - 1 if limit >= 2 else 1)
    if limit >= 20:
        assert r * window >= 0.9 * limit
    # limit + 1 requests never fit in 1.02 windows (time margin for jitter)
    assert (limit + 1 - b) / r >= 1.02 * window


def test_bucket_parameters_hold_for_every_limit() -> None:
    for limit in range(1, 5001):
        for window in (1.0, 2.0, 60.0, 3600.0):
            b, r = bucket_parameters(Rate(limit, window))
            assert b >= 1
            assert b + math.floor(r * window * (1 + 1e-12)) <= max(1, limit - 1), limit
            assert (limit + 1 - b) / r >= 1.02 * window, limit
            if limit >= 20:
                assert r * window >= 0.9 * limit - 1e-9, limit


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((0,), ValueError),
        ((-5,), ValueError),
        ((1.5,), TypeError),
        ((True,), TypeError),
        ((60, 0), ValueError),
        ((60, -1.0), ValueError),
        ((60, math.inf), ValueError),
        ((60, math.nan), ValueError),
        ((60, "60"), TypeError),
    ],
)
def test_rate_validation(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error, match="Rate"):
        Rate(*args)  # type: ignore[arg-type]


def test_rate_limits_defaults_and_groups() -> None:
    limits = RateLimits()
    assert limits.for_group("payments") == Rate(60, 60.0)
    assert limits.for_group("channels") == Rate(120, 60.0)
    assert Rate(60, 60) == Rate(60, 60.0)
    assert GROUPS == ("payments", "channels")
    with pytest.raises(ValueError, match="unknown rate-limit group 'refunds'"):
        limits.for_group("refunds")


# ---------------------------------------------------------------------------------------------
# window bounds, sustained rate, FIFO under saturation


@pytest.mark.parametrize(
    ("rate", "callers"),
    [(Rate(20, 2.0), 100), (Rate(60, 60.0), 300), (Rate(120, 60.0), 600)],
)
async def test_saturated_never_over_limit(rate: Rate, callers: int) -> None:
    run = await saturate(rate, callers)
    burst, _ = bucket_parameters(rate)
    times = run.times
    assert len(times) == callers
    assert run.order == run.arrivals == list(range(callers))  # FIFO
    assert run.max_timers <= 1
    assert worst_window(times, rate.window) <= rate.limit - 1
    for phase in (0.0, 0.37, 1.1, rate.window / 3, rate.window * 0.999):
        assert worst_fixed_window(times, rate.window, times[0] + phase) <= rate.limit - 1
    assert run.share(rate) >= 0.9
    assert run.share(rate, skip=burst) >= 0.9 - 1e-9  # steady state, burst excluded


async def test_random_arrivals_never_over_limit() -> None:
    """Idle gaps refill the bucket; bursts after them are the dangerous phase."""
    rate = Rate(20, 2.0)
    rng = random.Random(7)
    offsets: list[float] = []
    t = 0.0
    for _ in range(200):
        t += rng.choice([0.0, 0.0, 0.01, 0.05, 0.3, 1.5, 4.0])
        offsets.append(t)
    run = await saturate(rate, len(offsets), arrive_at=lambda i: offsets[i])
    times = run.times
    assert run.order == run.arrivals
    assert worst_window(times, rate.window) <= rate.limit - 1
    for phase in (0.0, 0.37, 1.1, 1.9):
        assert worst_fixed_window(times, rate.window, 1000.0 + phase) <= rate.limit - 1


async def test_small_limits_never_over_limit() -> None:
    for rate in (Rate(1, 60.0), Rate(2, 60.0), Rate(3, 1.0)):
        run = await saturate(rate, 12)
        assert worst_window(run.times, rate.window) <= max(1, rate.limit - 1)
        # and the limit holds even in windows 5 % longer (jitter)
        assert worst_window(run.times, rate.window * 1.05 * (1 - 1e-9)) <= rate.limit


# ---------------------------------------------------------------------------------------------
# FIFO against newcomers


async def test_newcomer_at_token_time_queues_behind_waiters() -> None:
    clock = StallClock()
    bucket = TokenBucket(Rate(20, 2.0), clock=clock)  # burst 1
    await bucket.acquire()  # drain
    order: list[str] = []

    async def take(name: str) -> None:
        await bucket.acquire()
        order.append(name)

    waiters = [asyncio.create_task(take(f"w{i}")) for i in range(3)]
    await settle()
    assert bucket.waiting == 3
    # the next token is due now, but the loop has not run the bucket's timer yet
    clock.stall(1 / bucket.tokens_per_second)
    newcomer = asyncio.create_task(take("new"))
    await settle()
    assert not newcomer.done()  # no fast path while anyone waits
    assert order == []
    await clock.advance(0)  # the timer runs: the token goes to the oldest waiter
    assert order == ["w0"]
    while len(order) < 4:
        await clock.advance(0.01)
    assert order == ["w0", "w1", "w2", "new"]
    await asyncio.gather(newcomer, *waiters)


async def test_polling_newcomer_steals_nothing() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(20, 2.0), clock=clock)
    granted: list[tuple[str, float]] = []

    async def waiter(i: int) -> None:
        await bucket.acquire()
        granted.append((f"w{i}", clock.now()))

    waiters = [asyncio.create_task(waiter(i)) for i in range(20)]
    await settle()
    stop = False

    async def poller() -> None:
        while not stop:
            attempt = asyncio.create_task(bucket.acquire())
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            if attempt.done():
                granted.append(("poll", clock.now()))
            else:
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)

    polling = asyncio.create_task(poller())
    while sum(1 for name, _ in granted if name != "poll") < 20:
        await clock.advance(0.01)
    names = [name for name, _ in granted]
    assert names == [f"w{i}" for i in range(20)]  # 20 tokens, all to the queue
    for _ in range(50):  # the poller gets tokens once the queue is empty
        await clock.advance(0.05)
    stop = True
    await asyncio.gather(polling, *waiters)
    assert [name for name, _ in granted][20:] == ["poll"] * (len(granted) - 20)
    assert len(granted) > 20
    assert worst_window([t for _, t in granted], 2.0) <= 19
    assert bucket.waiting == 0
    assert clock.pending_timers == 0
