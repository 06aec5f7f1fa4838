"""Memory: one idle client, and callers queued in the rate limiter (``tracemalloc``).

    python -m benchmarks.bench_memory [--quick]

- **Idle client**: bytes allocated by building a ``PaylorClient`` and opening its aiohttp
  session, against building a bare ``aiohttp.ClientSession``. One client of each kind is built
  and closed first, so one-off costs (imports, cached converter hooks) are not counted.
- **Waiting callers**: 10,000 tasks queued on one bucket (a rate of 1 per hour and a manual
  clock, so none is served), against the same number of tasks parked on an ``asyncio.Event``
  (what a waiting task costs anyway) and against ``aiolimiter.AsyncLimiter``. The figure is
  the limiter's own bytes per waiter: total minus the parked-task baseline.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Awaitable, Callable

import aiohttp
from aiolimiter import AsyncLimiter

from paylor_async import PaylorClient
from paylor_async._clock import ManualClock
from paylor_async._ratelimit import LocalRateLimiter, Rate, RateLimits

from ._harness import run_main
from ._report import Row

WAITER_BUDGET = 1024
API_KEY = "pk_live_benchmark_key_0123456789abcdef"


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def _sdk_client() -> Callable[[], Awaitable[None]]:
    client = PaylorClient(API_KEY, base_url="http://127.0.0.1:9/api/v1")
    client._transport.sessions.get()  # open the session, as the first request would
    return client.aclose


async def _bare_session() -> Callable[[], Awaitable[None]]:
    session = aiohttp.ClientSession()
    return session.close


async def _client_bytes(build: Callable[[], Awaitable[Callable[[], Awaitable[None]]]]) -> int:
    close = await build()  # warm-up: one-off allocations are not the client's
    await close()
    before = _traced()
    close = await build()
    after = _traced()
    await close()
    return after - before


async def _parked_bytes(n: int, start_waiting: Callable[[], Awaitable[object]]) -> float:
    """Bytes per task parked in ``start_waiting`` (tasks included)."""
    before = _traced()
    tasks = [asyncio.create_task(start_waiting()) for _ in range(n)]
    for _ in range(3):  # let every task run up to its await
        await asyncio.sleep(0)
    after = _traced()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    del tasks
    for _ in range(3):  # let the loop drop its last references to the finished tasks
        await asyncio.sleep(0)
    return (after - before) / n


async def _waiter_rows(n: int, quick: bool) -> list[Row]:
    event = asyncio.Event()
    await _parked_bytes(n, event.wait)  # warm-up: the loop's task set and queues grow once
    parked = await _parked_bytes(n, event.wait)

    limiter = LocalRateLimiter(RateLimits(payments=Rate(1, 3600.0)), clock=ManualClock())
    await limiter.acquire("payments")  # the one token: everyone after this queues
    ours_total = await _parked_bytes(n, lambda: limiter.acquire("payments"))
    bucket = limiter.bucket("payments")
    assert bucket.waiting == 0, "cancelled waiters must leave nothing behind"

    aio = AsyncLimiter(1, 3600)
    await aio.acquire()
    theirs_total = await _parked_bytes(n, aio.acquire)

    ours, theirs = ours_total - parked, theirs_total - parked
    return [
        Row(
            benchmark=f"{n:,} callers waiting in the limiter (bytes per waiter)",
            ours=f"{ours:,.0f} B (+{parked:,.0f} B the task)",
            baseline=f"{theirs:,.0f} B (aiolimiter)",
            ratio=theirs / ours if ours > 0 else None,
            target=f"<= {WAITER_BUDGET:,} B",
            met=None if quick else ours <= WAITER_BUDGET,
        )
    ]


def collect(quick: bool) -> list[Row]:
    """Rows for an idle client and for callers waiting in the limiter."""

    async def run() -> list[Row]:
        tracemalloc.start()
        try:
            ours = await _client_bytes(_sdk_client)
            bare = await _client_bytes(_bare_session)
            rows = [
                Row(
                    benchmark="idle client, session open (bytes)",
                    ours=f"{ours / 1024:,.1f} KiB",
                    baseline=f"{bare / 1024:,.1f} KiB (aiohttp.ClientSession)",
                    ratio=bare / ours,
                )
            ]
            rows += await _waiter_rows(1_000 if quick else 10_000, quick)
        finally:
            tracemalloc.stop()
        return rows

    return asyncio.run(run())


def main() -> None:
    run_main(collect, "Memory of an idle client and of callers queued in the limiter.")


if __name__ == "__main__":
    main()
