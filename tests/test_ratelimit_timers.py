"""The client-side limiter: one timer, the fast path, cancellation, pause, no limits.

Everything runs on a ManualClock: no real sleeping, no timed assertions.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

import pytest

from paylor_async._clock import ManualClock
from paylor_async._ratelimit import (
    GROUPS,
    LocalRateLimiter,
    Rate,
    RateLimiter,
    RateLimits,
    TokenBucket,
    UnlimitedRateLimiter,
)

from ._bucket_support import (
    CountingClock,
    grab_immediately,
    settle,
)

# ---------------------------------------------------------------------------------------------
# one timer, fast path, lazy clock


async def test_one_timer_for_many_waiters() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(60, 60.0), clock=clock)
    tasks = [asyncio.create_task(bucket.acquire()) for _ in range(100)]
    await settle()
    assert bucket.waiting == 97  # burst of 3 went out at once
    assert clock.pending_timers == 1
    while not all(t.done() for t in tasks):
        await clock.advance(1.0)
        assert clock.pending_timers <= 1
    assert clock.pending_timers == 0


async def test_fast_path_does_not_suspend_or_arm() -> None:
    clock = CountingClock()
    bucket = TokenBucket(Rate(60, 60.0), clock=clock)
    for _ in range(3):
        coro = bucket.acquire()
        with pytest.raises(StopIteration):
            coro.send(None)  # completes on the first step: no suspension
    assert clock.now_calls == 3  # one clock read per acquire
    assert clock.pending_timers == 0
    assert bucket.waiting == 0


def test_limiter_built_outside_a_loop() -> None:
    limiter = LocalRateLimiter(RateLimits())  # default LoopClock: no loop needed yet
    bucket = TokenBucket(Rate(60))
    assert "burst=3" in repr(bucket)
    assert "waiting=0" in repr(limiter)
    assert isinstance(limiter, RateLimiter)
    asyncio.run(limiter.acquire("payments"))  # and it works once a loop runs (fast path)
    assert limiter.bucket("payments").waiting == 0


@pytest.mark.parametrize("start", [0.0, 1060.123, 987_654.321, 1e9 + 0.1])
@pytest.mark.parametrize("rate", [Rate(60, 60.0), Rate(120, 60.0), Rate(1000, 60.0)])
async def test_full_burst_at_any_clock_value(rate: Rate, start: float) -> None:
    """Token times are computed, not summed: float rounding never eats a token of the burst."""
    clock = ManualClock(start)
    bucket = TokenBucket(rate, clock=clock)
    for _ in range(5):
        assert await grab_immediately(bucket) == bucket.burst
        await clock.advance(rate.window)
    assert clock.pending_timers == 0


def test_repr() -> None:
    bucket = TokenBucket(Rate(120, 60.0), clock=ManualClock())
    assert repr(bucket) == "TokenBucket(limit=120, window=60, burst=4, per_window=114, waiting=0)"
    assert bucket.burst == 4
    assert bucket.tokens_per_second == pytest.approx(114 / 60)


async def test_timer_firing_early_counts_as_on_time() -> None:
    """Event loops run a timer up to one clock tick early; that must not spin or stall."""

    class EarlyClock(ManualClock):
        armed = 0

        def call_at(self, when: float, callback: Callable[[], None]) -> object:  # type: ignore[override]
            self.armed += 1
            assert self.armed < 50, "the bucket keeps re-arming an early timer"
            return super().call_at(when - 1e-3, callback)

    clock = EarlyClock()
    bucket = TokenBucket(Rate(20, 2.0), clock=clock)
    await bucket.acquire()
    task = asyncio.create_task(bucket.acquire())
    await settle()
    await clock.advance(1 / bucket.tokens_per_second - 1e-3)
    assert task.done()
    assert clock.pending_timers == 0


# ---------------------------------------------------------------------------------------------
# cancellation


async def test_cancel_middle_waiters_consumes_nothing() -> None:
    clock = ManualClock()
    rate = Rate(20, 2.0)
    bucket = TokenBucket(rate, clock=clock)
    t0 = clock.now()
    await bucket.acquire()
    granted: list[tuple[int, float]] = []

    async def waiter(i: int) -> None:
        await bucket.acquire()
        granted.append((i, clock.now()))

    tasks = [asyncio.create_task(waiter(i)) for i in range(10)]
    await settle()
    for i in (0, 3, 4, 9):
        tasks[i].cancel()
    await settle()
    assert bucket.waiting == 6
    assert clock.pending_timers == 1
    while len(granted) < 6:
        await clock.advance(0.01)
    interval = 1 / bucket.tokens_per_second
    assert [i for i, _ in granted] == [1, 2, 5, 6, 7, 8]
    # the six live waiters got the next six tokens: none was spent on the cancelled ones
    for k, (_, t) in enumerate(granted, start=1):
        assert t == pytest.approx(t0 + k * interval)
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [isinstance(r, asyncio.CancelledError) for r in results] == [
        i in (0, 3, 4, 9) for i in range(10)
    ]
    assert clock.pending_timers == 0


async def test_cancel_all_waiters_leaves_no_trace() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(60, 60.0), clock=clock)
    control = TokenBucket(Rate(60, 60.0), clock=clock)
    for _ in range(3):  # drain both
        await bucket.acquire()
        await control.acquire()
    tasks = [asyncio.create_task(bucket.acquire()) for _ in range(100)]
    await settle()
    assert bucket.waiting == 100
    assert clock.pending_timers == 1
    await clock.advance(0.5)  # less than one token interval
    for task in tasks:  # all at once: none has run its cleanup when the next is cancelled
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert bucket.waiting == 0
    assert clock.pending_timers == 0
    # the next token comes exactly when it would have, and the bucket refills as the control
    await clock.advance(60 / 56 - 0.5)
    assert await grab_immediately(bucket) == await grab_immediately(control) == 1
    await clock.advance(60.0)
    assert await grab_immediately(bucket) == await grab_immediately(control) == 3
    assert clock.pending_timers == 0


async def test_token_handed_to_a_cancelled_waiter_goes_to_the_next() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(20, 2.0), clock=clock)  # burst 1
    await bucket.acquire()
    interval = 1 / bucket.tokens_per_second
    a = asyncio.create_task(bucket.acquire())
    b = asyncio.create_task(bucket.acquire())
    await settle()
    # The bucket's timer (armed first) hands the token to `a`; this later timer at the same
    # instant cancels `a` before it gets to run: its future is done, its task is not.
    clock.call_at(clock.now() + interval, a.cancel)
    await clock.advance(interval)
    assert a.cancelled()
    assert b.done()  # same instant: the token went on to `b`
    assert bucket.waiting == 0
    assert clock.pending_timers == 0
    assert await grab_immediately(bucket) == 0  # and only one token was spent


async def test_token_handed_to_a_cancelled_last_waiter_returns_to_bucket() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(20, 2.0), clock=clock)
    await bucket.acquire()
    interval = 1 / bucket.tokens_per_second
    a = asyncio.create_task(bucket.acquire())
    await settle()
    clock.call_at(clock.now() + interval, a.cancel)
    await clock.advance(interval)
    assert a.cancelled()
    assert bucket.waiting == 0
    assert clock.pending_timers == 0
    assert await grab_immediately(bucket) == 1  # as if `a` had never come


# ---------------------------------------------------------------------------------------------
# pause


async def test_pause_holds_tokens_until_it_ends() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(60, 60.0), clock=clock)
    t0 = clock.now()
    bucket.pause(10.0)
    granted: list[tuple[int, float]] = []

    async def waiter(i: int) -> None:
        await bucket.acquire()
        granted.append((i, clock.now()))

    tasks = [asyncio.create_task(waiter(i)) for i in range(5)]
    await settle()
    await clock.advance(9.99)
    assert granted == []
    assert clock.pending_timers == 1
    await clock.advance(0.01)
    # the bucket stayed full during the pause: its burst goes out at the end, in order
    assert granted == [(0, t0 + 10.0), (1, t0 + 10.0), (2, t0 + 10.0)]
    while len(granted) < 5:
        await clock.advance(0.5)
    assert [i for i, _ in granted] == [0, 1, 2, 3, 4]
    await asyncio.gather(*tasks)


async def test_pause_only_extends() -> None:
    clock = ManualClock()
    bucket = TokenBucket(Rate(60, 60.0), clock=clock)
    t0 = clock.now()
    bucket.pause(10.0)
    task = asyncio.create_task(bucket.acquire())
    await settle()
    bucket.pause(5.0)  # shorter: ignored
    bucket.pause(-1.0)  # ignored
    await clock.advance(9.0)
    assert not task.done()
    bucket.pause(20.0)  # from t0 + 9: until t0 + 29
    assert clock.pending_timers == 1
    await clock.advance(19.99)
    assert not task.done()
    await clock.advance(0.01)
    assert task.done()
    assert clock.now() == pytest.approx(t0 + 29.0)
    with pytest.raises(ValueError, match="finite"):
        bucket.pause(math.nan)


async def test_pause_and_saturation_stay_in_their_group() -> None:
    clock = ManualClock()
    limiter = LocalRateLimiter(RateLimits(), clock=clock)
    limiter.pause("payments", 30.0)
    payments = [asyncio.create_task(limiter.acquire("payments")) for _ in range(50)]
    await settle()
    assert limiter.bucket("payments").waiting == 50
    for _ in range(4):  # the channel burst goes out at once, without suspending
        coro = limiter.acquire("channels")
        with pytest.raises(StopIteration):
            coro.send(None)
    assert limiter.bucket("channels").waiting == 0
    for task in payments:
        task.cancel()
    await asyncio.gather(*payments, return_exceptions=True)
    assert clock.pending_timers == 0
    with pytest.raises(ValueError, match="unknown rate-limit group"):
        limiter.pause("refunds", 1.0)
    with pytest.raises(ValueError, match="unknown rate-limit group"):
        await limiter.acquire("refunds")


# ---------------------------------------------------------------------------------------------
# no limits


async def test_unlimited_limiter_is_a_no_op() -> None:
    limiter = UnlimitedRateLimiter()
    assert isinstance(limiter, RateLimiter)
    for group in (*GROUPS, "anything"):
        limiter.pause(group, 60.0)
        for _ in range(1000):
            await limiter.acquire(group)
    assert repr(limiter) == "UnlimitedRateLimiter()"
