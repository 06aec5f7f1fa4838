"""The limiter end to end: real HTTP to a simulator counting in sliding windows.

Client and simulator share one ManualClock, so the simulator sees exactly the times at which
the client's bucket let requests go, and no real minute (or second) is slept.
"""

from __future__ import annotations

import asyncio

import pytest

from paylor_async import ManualClock, PaylorClient, Rate, RateLimits
from paylor_async.testing import PaylorSimulator

STK = "/merchants/payments/stk-push"


def worst_sliding_window(times: list[float], window: float) -> int:
    """The most events in any half-open window (t - window, t]."""
    times = sorted(times)
    worst = 0
    start = 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        worst = max(worst, end - start + 1)
    return worst


async def drive(clock: ManualClock, tasks: list[asyncio.Task[object]], waiting: object) -> None:
    """Advance time in small steps, letting every released request finish in between."""
    bucket = waiting
    for _ in range(100_000):
        if all(t.done() for t in tasks):
            return
        await clock.advance(0.02)
        for _ in range(2_000):  # real I/O: wait until nothing is in flight
            in_flight = sum(not t.done() for t in tasks) - bucket.waiting  # type: ignore[attr-defined]
            if in_flight == 0:
                break
            await asyncio.sleep(0.001)
    raise AssertionError("callers did not finish")


@pytest.mark.parametrize("window_mode", ["sliding", "fixed"])
async def test_hundred_callers_stay_under_the_server_limit(window_mode: str) -> None:
    rate = Rate(limit=20, window=2.0)
    clock = ManualClock()
    async with (
        PaylorSimulator(
            clock=clock, rate_limits={"payments": (20, 2.0)}, window=window_mode
        ) as sim,
        PaylorClient(
            sim.api_key,
            base_url=sim.base_url,
            rate_limits=RateLimits(payments=rate),
            clock=clock,
            max_retries=0,  # a 429 would surface as an error instead of hiding in a retry
        ) as paylor,
    ):
        bucket = paylor.rate_limiter.bucket("payments")  # type: ignore[attr-defined]
        tasks: list[asyncio.Task[object]] = [
            asyncio.create_task(
                paylor.payments.stk_push(phone="0712345678", amount=10, reference=f"C-{i}")
            )
            for i in range(100)
        ]
        await drive(clock, tasks, bucket)
        results = await asyncio.gather(*tasks, return_exceptions=True)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    received = sim.requests_for(STK)
    assert [r.status for r in received] == [201] * 100  # not one 429
    times = [r.received_at for r in received]
    assert worst_sliding_window(times, rate.window) <= rate.limit
    elapsed = max(times) - min(times)
    burst, per_second = bucket.burst, bucket.tokens_per_second
    sustained = (len(times) - burst) / elapsed
    assert sustained >= 0.9 * rate.limit / rate.window - 1e-9
    assert per_second * rate.window >= 0.9 * rate.limit


async def test_cancelled_callers_send_nothing_and_leave_no_trace() -> None:
    clock = ManualClock()
    async with (
        PaylorSimulator(clock=clock, rate_limits=None) as sim,
        PaylorClient(
            sim.api_key,
            base_url=sim.base_url,
            rate_limits=RateLimits(payments=Rate(limit=20, window=2.0)),
            clock=clock,
        ) as paylor,
    ):
        bucket = paylor.rate_limiter.bucket("payments")  # type: ignore[attr-defined]
        tasks: list[asyncio.Task[object]] = [
            asyncio.create_task(
                paylor.payments.stk_push(phone="0712345678", amount=10, reference=f"X-{i}")
            )
            for i in range(30)
        ]
        await clock.advance(0)
        for _ in range(200):
            if sum(not t.done() for t in tasks) == bucket.waiting:
                break
            await asyncio.sleep(0.001)
        cancelled = tasks[10:20]
        for task in cancelled:
            task.cancel()
        await clock.advance(0)
        await drive(clock, tasks, bucket)
        assert bucket.waiting == 0
        assert clock.pending_timers == 0
    sent = {r.json["reference"] for r in sim.requests_for(STK)}  # type: ignore[index]
    assert sent == {f"X-{i}" for i in range(30)} - {f"X-{i}" for i in range(10, 20)}
    assert all(t.cancelled() for t in cancelled)


async def test_a_saturated_payments_group_does_not_delay_other_groups() -> None:
    clock = ManualClock()
    async with (
        PaylorSimulator(clock=clock, rate_limits=None) as sim,
        PaylorClient(
            sim.api_key,
            base_url=sim.base_url,
            rate_limits=RateLimits(payments=Rate(limit=2, window=60.0)),
            clock=clock,
        ) as paylor,
    ):
        limiter = paylor.rate_limiter
        waiting = [
            asyncio.create_task(
                paylor.payments.stk_push(phone="0712345678", amount=10, reference=f"P-{i}")
            )
            for i in range(5)
        ]
        await clock.advance(0)
        # Payments are saturated; the channels group is acquired without waiting at all.
        await asyncio.wait_for(limiter.acquire("channels"), timeout=5)
        assert limiter.bucket("payments").waiting > 0  # type: ignore[attr-defined]
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
    assert sim.requests_for(STK)  # some went out before the bucket ran dry
