"""The uncontended acquire reads time.monotonic directly, only where that is the loop's time."""

from __future__ import annotations

import asyncio
import time

from paylor_async import Rate
from paylor_async._clock import LoopClock
from paylor_async._ratelimit import TokenBucket


class ShiftedLoop(asyncio.SelectorEventLoop):
    """A loop whose time is not time.monotonic() (like uvloop's or a virtual-time loop)."""

    def time(self) -> float:
        return super().time() + 10_000.0


async def test_asyncio_loop_reads_monotonic_directly() -> None:
    bucket = TokenBucket(Rate(60, 60.0), clock=LoopClock())
    await bucket.acquire()
    assert bucket._now is time.monotonic


async def test_a_manual_clock_is_always_asked(clock: object) -> None:
    bucket = TokenBucket(Rate(60, 60.0), clock=clock)  # type: ignore[arg-type]
    await bucket.acquire()
    assert bucket._now == clock.now  # type: ignore[attr-defined]


def test_another_loop_keeps_its_own_time_and_waits_correctly() -> None:
    bucket = TokenBucket(Rate(20, 2.0))  # burst 1, a token every ~110 ms
    loop = ShiftedLoop()
    try:

        async def two() -> float:
            await bucket.acquire()
            start = loop.time()
            await bucket.acquire()
            return loop.time() - start

        waited = loop.run_until_complete(two())
    finally:
        loop.close()
    assert bucket._now is not time.monotonic
    # Read on the wrong clock the second token would be 10,000 s early or late.
    assert 0.05 < waited < 5.0


def test_moving_to_another_kind_of_loop_leaves_the_shortcut() -> None:
    bucket = TokenBucket(Rate(20, 2.0))
    asyncio.run(bucket.acquire())
    assert bucket._now is time.monotonic
    loop = ShiftedLoop()
    try:
        loop.run_until_complete(asyncio.wait_for(bucket.acquire(), timeout=5.0))
    finally:
        loop.close()
    assert bucket._now is not time.monotonic
