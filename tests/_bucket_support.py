"""Helpers of the limiter tests: window counting, saturating a bucket, special clocks."""

from __future__ import annotations

import asyncio
import bisect
import math
from collections.abc import Callable, Sequence

import attrs

from paylor_async._clock import ManualClock
from paylor_async._ratelimit import (
    Rate,
    TokenBucket,
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
