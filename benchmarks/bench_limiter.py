"""Our in-process bucket against aiolimiter, and the shared limiter's cost on loopback Redis.

    python -m benchmarks.bench_limiter [--quick]

The workload is the scaled window of the tests, 20 requests per 2 s. Timing-free figures
(worst window, sustained share, CPU for many waiters) run on an event loop with
virtual time: when nothing is ready the loop jumps to its next timer instead of sleeping, so
minutes of limiter time take milliseconds and both limiters see exactly the same schedule.
The uncontended acquire runs on a plain asyncio loop (that is where the fast path applies).

Rows:

* worst window: most grants in any closed window of 2 s (the server counts at most 20);
* sustained share: the grant rate after the first window, as a share of the limit;
* stolen share: a newcomer polls in a tight loop while 20 waiters queue and re-queue; the
  share of all grants it takes (a queue-respecting limiter: 0). It needs a real loop (the
  gap it exploits is loop latency), so it runs at 20 per 0.2 s for a second or a few;
* uncontended acquire: ns per ``await acquire()`` with tokens to spare (best of many batches);
* CPU for N waiters: process time to serve N queued callers;
* Redis acquire: median and p99 of one shared acquire on a throwaway loopback redis-server.
"""

from __future__ import annotations

import argparse
import asyncio
import selectors
import statistics
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiolimiter import AsyncLimiter

from benchmarks._report import Row, format_table, machine
from paylor_async import Rate, RateLimits
from paylor_async._ratelimit import LocalRateLimiter, bucket_parameters

LIMIT, WINDOW = 20, 2.0
SCALED = Rate(LIMIT, WINDOW)
Acquire = Callable[[], Awaitable[Any]]


_TICK = 1e-6  # seconds a virtual loop iteration takes at least


class _VirtualSelector(selectors.BaseSelector):
    """A real selector that, instead of blocking, moves its loop's virtual time on."""

    def __init__(self, loop_time: list[float]) -> None:
        self._real = selectors.DefaultSelector()
        self._time = loop_time

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if timeout is None and not ready:
            raise RuntimeError("virtual-time loop: nothing scheduled and nothing ready")
        if not ready:
            # Time always moves a little, as it does on a real loop: a limiter that re-arms a
            # timer for "now" after a float rounding (aiolimiter does) would spin forever.
            self._time[0] += max(timeout or 0.0, _TICK)
        return ready

    def get_map(self) -> Any:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose clock jumps to the next timer when nothing else can run."""

    def __init__(self) -> None:
        self._virtual = [0.0]
        super().__init__(selector=_VirtualSelector(self._virtual))

    def time(self) -> float:
        return self._virtual[0]


def run_virtual(coro: Awaitable[Any]) -> Any:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def ours(rate: Rate = SCALED) -> Acquire:
    limiter = LocalRateLimiter(RateLimits(payments=rate))
    return partial(limiter.acquire, "payments")


def theirs(rate: Rate = SCALED) -> Acquire:
    return AsyncLimiter(rate.limit, rate.window).acquire


def worst_closed_window(times: list[float], window: float) -> int:
    """Most events in any closed window ``[t, t + window]``."""
    worst = end = 0
    for start, t in enumerate(times):
        while end < len(times) and times[end] <= t + window + 1e-9:
            end += 1
        worst = max(worst, end - start)
    return worst


async def saturate(
    acquire: Acquire, windows: int, window: float = WINDOW, callers: int = 50
) -> list[float]:
    """``callers`` tasks acquiring back to back for ``windows`` windows; the grant times."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    stop = start + windows * window
    grants: list[float] = []

    async def caller() -> None:
        while True:
            await acquire()
            now = loop.time()
            if now > stop:
                return
            grants.append(now - start)

    await asyncio.gather(*(caller() for _ in range(callers)))
    return sorted(grants)


def sustained_share(grants: list[float], windows: int, rate: Rate = SCALED) -> float:
    """Grants after the first window (the initial burst) as a share of the limit."""
    after_first = [t for t in grants if t > rate.window]
    return len(after_first) / ((windows - 1) * rate.limit)


def real_limit_rows(windows: int) -> list[Row]:
    """Sustained share and worst window at Paylor's own limits (60/min, 120/min)."""
    rows = []
    for rate in (Rate(60, 60.0), Rate(120, 60.0)):
        mine = run_virtual(saturate(ours(rate), windows, rate.window))
        other = run_virtual(saturate(theirs(rate), windows, rate.window))
        share = sustained_share(mine, windows, rate)
        worst = worst_closed_window(mine, rate.window)
        their_worst = worst_closed_window(other, rate.window)
        rows.append(
            Row(
                f"sustained share / worst window, {rate}",
                f"{share:.3f} / {worst}",
                f"aiolimiter {sustained_share(other, windows, rate):.3f} / {their_worst}",
                None,
                f">= 0.95 / <= {rate.limit}",
                share >= 0.95 and worst <= rate.limit,
            )
        )
    return rows


async def stolen(limiter: LocalRateLimiter | AsyncLimiter, seconds: float) -> float:
    """The share of grants a polling newcomer takes while 20 waiters queue (real time).

    The newcomer polls in a tight loop with each library's way of not waiting: aiolimiter's
    ``has_capacity()`` then ``acquire()``; ours has no such check, so an ``acquire`` given
    1 ms (``wait_for``), which queues it behind the waiters and leaves when it times out.
    """
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    counts = {"waiters": 0, "poller": 0}
    if isinstance(limiter, AsyncLimiter):
        acquire: Acquire = limiter.acquire

        async def attempt() -> bool:
            if limiter.has_capacity():
                await limiter.acquire()
                return True
            return False
    else:
        acquire = partial(limiter.acquire, "payments")

        async def attempt() -> bool:
            try:
                await asyncio.wait_for(acquire(), timeout=0.001)
            except TimeoutError:
                return False
            return True

    async def waiter() -> None:
        while loop.time() < stop:
            await acquire()
            counts["waiters"] += 1

    async def poller() -> None:
        await asyncio.sleep(0.05)  # arrive once the waiters queue
        while loop.time() < stop:
            if await attempt():
                counts["poller"] += 1
            await asyncio.sleep(0)

    await asyncio.gather(poller(), *(waiter() for _ in range(20)))
    return counts["poller"] / (counts["poller"] + counts["waiters"])


def stolen_shares(quick: bool) -> tuple[float, float]:
    """Ours and aiolimiter's stolen share at 20 per 0.2 s (the workload, ten times faster)."""
    seconds = 1.0 if quick else 4.0
    fast = WINDOW / 10
    ours_share = asyncio.run(
        stolen(LocalRateLimiter(RateLimits(payments=Rate(LIMIT, fast))), seconds)
    )
    their_share = asyncio.run(stolen(AsyncLimiter(LIMIT, fast), seconds))
    return ours_share, their_share


async def cpu_for_waiters(acquire: Acquire, waiters: int) -> float:
    """Process seconds to serve ``waiters`` callers queued at once."""
    start = time.process_time()
    await asyncio.gather(*(acquire() for _ in range(waiters)))
    return time.process_time() - start


async def uncontended_ns(acquire: Acquire, batches: int) -> float:
    """ns per acquire with tokens to spare: best batch of many (the machine is shared)."""
    best = float("inf")
    for _ in range(batches):
        begin = time.perf_counter_ns()
        for _ in range(2_000):
            await acquire()
        best = min(best, (time.perf_counter_ns() - begin) / 2_000)
    return best


def uncontended(quick: bool) -> tuple[float, float]:
    batches = 20 if quick else 200
    huge = Rate(10**9, 1.0)  # a token every nanosecond: never waits
    local = LocalRateLimiter(RateLimits(payments=huge))
    limiter = AsyncLimiter(10**9, 1.0)

    async def both() -> tuple[float, float]:
        ours_ns = await uncontended_ns(lambda: local.acquire("payments"), batches)
        theirs_ns = await uncontended_ns(limiter.acquire, batches)
        return ours_ns, theirs_ns

    return asyncio.run(both())


def redis_latency(quick: bool) -> Row:
    try:
        import redis.asyncio as aioredis

        from paylor_async.redis import RedisRateLimiter
        from tests.redis_server import RedisServer

        server = RedisServer()
    except (ImportError, RuntimeError) as exc:
        return Row("Redis acquire, loopback", f"skipped: {exc}", "", None)
    calls = 300 if quick else 3_000

    async def measure() -> list[float]:
        client = aioredis.Redis.from_url(server.url)
        limiter = RedisRateLimiter(
            client, rate_limits=RateLimits(payments=Rate(10**6, 1.0)), key_id="bench"
        )
        try:
            for _ in range(50):  # connect, load the script
                await limiter.acquire("payments")
            samples = []
            for _ in range(calls):
                begin = time.perf_counter_ns()
                await limiter.acquire("payments")
                samples.append((time.perf_counter_ns() - begin) / 1000)
            return sorted(samples)
        finally:
            await client.aclose()

    with server:
        samples = asyncio.run(measure())
    median, p99 = statistics.median(samples), samples[int(len(samples) * 0.99) - 1]
    return Row(
        "Redis acquire, loopback (one script call)",
        f"median {median:.0f} µs, p99 {p99:.0f} µs",
        "in-process: < 1 µs",
        None,
    )


def collect(quick: bool) -> list[Row]:
    """Every row of the benchmark (``quick``: fewer windows and waiters, for CI)."""
    windows = 10 if quick else 60
    waiters = 2_000 if quick else 10_000
    ours_grants = run_virtual(saturate(ours(), windows))
    their_grants = run_virtual(saturate(theirs(), windows))
    ours_worst = worst_closed_window(ours_grants, WINDOW)
    their_worst = worst_closed_window(their_grants, WINDOW)
    ours_share = sustained_share(ours_grants, windows)
    their_share = sustained_share(their_grants, windows)
    ours_stolen, their_stolen = stolen_shares(quick)
    ours_cpu = run_virtual(cpu_for_waiters(ours(), waiters))
    their_cpu = run_virtual(cpu_for_waiters(theirs(), waiters))
    ours_ns, their_ns = uncontended(quick)
    per_second = bucket_parameters(SCALED)[1]
    design = per_second * WINDOW / LIMIT
    return [
        Row(
            f"worst 2 s window, limit {LIMIT}",
            str(ours_worst),
            f"aiolimiter {their_worst}",
            their_worst / ours_worst,
            f"<= {LIMIT}",
            ours_worst <= LIMIT,
        ),
        Row(
            f"sustained share of {LIMIT}/{WINDOW:g}s",
            f"{ours_share:.3f} (design {design:.3f})",
            f"aiolimiter {their_share:.3f}",
            ours_share / their_share,
            ">= 0.95",
            ours_share >= 0.95,
        ),
        Row(
            "share a polling newcomer steals",
            f"{ours_stolen:.3f}",
            f"aiolimiter {their_stolen:.3f}",
            None,
            "~0",
            ours_stolen <= 0.01,
        ),
        Row(
            "uncontended acquire",
            f"{ours_ns:.0f} ns",
            f"aiolimiter {their_ns:.0f} ns",
            their_ns / ours_ns,
            "<= 500 ns",
            ours_ns <= 500,
        ),
        Row(
            f"CPU to serve {waiters:,} waiters",
            f"{ours_cpu * 1000:.0f} ms",
            f"aiolimiter {their_cpu * 1000:.0f} ms",
            their_cpu / ours_cpu,
        ),
        *real_limit_rows(windows),
        redis_latency(quick),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer windows and waiters, for CI")
    args = parser.parse_args()
    print(machine())
    print(format_table(collect(args.quick)))


if __name__ == "__main__":
    main()
