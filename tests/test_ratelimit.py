"""The client-side limiter: window bounds, FIFO, one timer, cancellation, pause.

Everything runs on a ManualClock: no real sleeping, no timed assertions.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import random
from collections.abc import Callable, Sequence

import attrs
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
    bucket_parameters,
)

# ---------------------------------------------------------------------------------------------
# helpers


def worst_window(times: Sequence[float], window: float) -> int:
    """Most grants in any window of length ``window``, closed ``[t, t+W]`` or ``(t-W, t]``.

    The closed window starting at a grant is the worst case over all phases; the half-open one
    ending at a grant is what a sliding-window server counts.
    """
    ts = sorted(times)
    worst = 0
    for t in ts:
        closed = bisect.bisect_right(ts, t + window) - bisect.bisect_left(ts, t)
        sliding = bisect.bisect_right(ts, t) - bisect.bisect_right(ts, t - window)
        worst = max(worst, closed, sliding)
    return worst


def worst_fixed_window(times: Sequence[float], window: float, phase: float) -> int:
    """Most grants in one fixed window ``[phase + k*W, phase + (k+1)*W)``."""
    counts: dict[int, int] = {}
    for t in times:
        k = math.floor((t - phase) / window)
        counts[k] = counts.get(k, 0) + 1
    return max(counts.values())


@attrs.define
class Run:
    arrivals: list[int]
    grants: list[tuple[int, float]]
    max_timers: int

    @property
    def order(self) -> list[int]:
        return [i for i, _ in self.grants]

    @property
    def times(self) -> list[float]:
        return [t for _, t in self.grants]

    def share(self, rate: Rate, *, skip: int = 0) -> float:
        """Grants per window over the run, as a share of the limit (after ``skip`` grants)."""
        times = self.times[skip:]
        elapsed = times[-1] - times[0]
        return (len(times) - 1) / (elapsed / rate.window * rate.limit)


async def saturate(
    rate: Rate,
    callers: int,
    *,
    arrive_at: Callable[[int], float] | None = None,
) -> Run:
    """``callers`` tasks acquire one token each; the clock moves in steps of ``W / 200``.

    ``arrive_at(i)`` delays caller ``i`` by that many seconds (on the clock); default: all at
    once.
    """
    clock = ManualClock()
    bucket = TokenBucket(rate, clock=clock)
    arrivals: list[int] = []
    grants: list[tuple[int, float]] = []

    async def caller(i: int) -> None:
        if arrive_at is not None:
            await clock.sleep(arrive_at(i))
        arrivals.append(i)
        await bucket.acquire()
        grants.append((i, clock.now()))

    tasks = [asyncio.create_task(caller(i)) for i in range(callers)]
    step = rate.window / 200
    max_timers = 0
    for _ in range(1_000_000):
        if len(grants) == callers:
            break
        # the caller sleeps are timers too; count only the bucket's
        max_timers = max(max_timers, 1 if bucket._timer is not None else 0)
        await clock.advance(step)
        assert bucket.waiting == len(arrivals) - len(grants)
    await asyncio.gather(*tasks)
    assert bucket.waiting == 0
    assert clock.pending_timers == 0
    return Run(arrivals, grants, max_timers)


async def settle(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def grab_immediately(bucket: TokenBucket, most: int = 1000) -> int:
    """How many acquires complete without waiting (the first that would wait is cancelled)."""
    for got in range(most):
        task = asyncio.create_task(bucket.acquire())
        await asyncio.sleep(0)
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return got
    return most


class StallClock(ManualClock):
    """A ManualClock whose time can pass without firing timers: a busy loop running late."""

    def stall(self, seconds: float) -> None:
        self._now += seconds


class CountingClock(ManualClock):
    def __init__(self) -> None:
        super().__init__()
        self.now_calls = 0

    def now(self) -> float:
        self.now_calls += 1
        return super().now()


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
