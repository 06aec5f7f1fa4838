"""SharedRateLimiter over another store: the protocol, sleeping instead of polling, pauses.

The store here is a small in-memory one on a ManualClock (the kind of store the protocol lets
anyone plug in); the Redis store itself is tested against a real server in test_redis_*.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from paylor_async import ManualClock, Rate, RateLimits
from paylor_async._sharedlimit import (
    KeyedRateLimiter,
    SharedBucketStore,
    SharedRateLimiter,
    StoreUnavailableError,
)


class MemoryStore:
    """GCRA in a dict, on the given clock; records every call."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.tat: dict[str, float] = {}
        self.paused: dict[str, float] = {}
        self.calls: list[tuple[str, str, float]] = []
        self.down = False

    async def acquire(self, bucket_id: str, burst: int, interval: float) -> float:
        self.calls.append(("acquire", bucket_id, self.clock.now()))
        if self.down:
            raise StoreUnavailableError("memory store is down")
        now = self.clock.now()
        if self.paused.get(bucket_id, 0.0) > now:
            return self.paused[bucket_id] - now
        tat = max(self.tat.get(bucket_id, now), now)
        due = tat - (burst - 1) * interval
        if due > now:
            return due - now
        self.tat[bucket_id] = tat + interval
        return 0.0

    async def pause(self, bucket_id: str, seconds: float) -> None:
        self.calls.append(("pause", bucket_id, seconds))
        if self.down:
            raise StoreUnavailableError("memory store is down")
        self.paused[bucket_id] = max(self.paused.get(bucket_id, 0.0), self.clock.now() + seconds)


def limiter_on(store: MemoryStore, clock: ManualClock, **kwargs: object) -> SharedRateLimiter:
    return SharedRateLimiter(
        store,
        rate_limits=RateLimits(payments=Rate(20, 2.0)),  # burst 1, a token every 2/18.1 s
        key_id="k1",
        clock=clock,
        jitter=lambda wait: 0.001,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_waiters_sleep_the_answered_time_and_never_poll() -> None:
    clock = ManualClock(autojump=True)
    store = MemoryStore(clock)
    assert isinstance(store, SharedBucketStore)
    limiter = limiter_on(store, clock)
    assert isinstance(limiter, KeyedRateLimiter)
    await asyncio.gather(*(limiter.acquire("payments") for _ in range(5)))
    asks = [c for c in store.calls if c[0] == "acquire"]
    # One grant from the full bucket, then per token: one "wait" and one grant. No polling.
    assert len(asks) == 1 + 2 * 4
    interval = 2.0 / (19 / 1.05)
    assert clock.sleeps == pytest.approx([interval + 0.001] + [interval] * 3, abs=0.002)
    assert all(c[1] == "k1:payments" for c in asks)


async def test_a_pause_holds_this_process_at_once_and_reaches_the_store() -> None:
    clock = ManualClock()
    store = MemoryStore(clock)
    limiter = limiter_on(store, clock)
    limiter.pause("payments", 3.0)
    waiting = asyncio.create_task(limiter.acquire("payments"))
    await clock.advance(2.9)
    assert not waiting.done()
    assert [c for c in store.calls if c[0] == "acquire"] == []  # not even asked while paused
    assert ("pause", "k1:payments", 3.0) in store.calls
    await clock.advance(0.2)
    await waiting
    await limiter.wait_pending()


async def test_for_key_views_share_the_queue_and_pause_of_one_key() -> None:
    clock = ManualClock()
    store = MemoryStore(clock)
    base = SharedRateLimiter(store, clock=clock)
    one, two = base.for_key("k1"), base.for_key("k1")
    other = base.for_key("k2")
    one.pause("payments", 5.0)
    blocked = asyncio.create_task(two.acquire("payments"))
    await other.acquire("payments")  # another key is not held
    await clock.advance(1.0)
    assert not blocked.done()
    await clock.advance(4.5)
    await blocked
    assert repr(one) == (
        "SharedRateLimiter(key_id='k1', payments=60/60s, channels=120/60s, fallback_share=None)"
    )


def test_pause_outside_an_event_loop_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock()
    limiter = limiter_on(MemoryStore(clock), clock)
    with caplog.at_level(logging.WARNING, logger="paylor_async"):
        limiter.pause("payments", 1.0)
    assert "no running event loop" in caplog.text


async def test_aclose_gives_up_on_a_hanging_pause_write_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock()
    store = MemoryStore(clock)
    never = asyncio.Event()

    async def hanging_pause(bucket_id: str, seconds: float) -> None:
        await never.wait()

    store.pause = hanging_pause  # type: ignore[method-assign]
    limiter = limiter_on(store, clock)
    limiter.pause("payments", 1.0)
    assert not await limiter.wait_pending(max_wait=0.01)
    with caplog.at_level(logging.WARNING, logger="paylor_async"):
        await limiter.aclose(max_wait=0.01)
    assert "1 rate-limit pause write(s) did not reach the store" in caplog.text
    assert await limiter.wait_pending(max_wait=0.0)  # cancelled: nothing left behind
