"""Four worker processes, fifty callers each, one key: shared Redis limiter vs own buckets.

Real time (the processes cannot share a manual clock): a few seconds per run. The simulator
counts sliding windows of 2 s and answers 429 over 20 requests; its request log gives the
arrival times on its own clock.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

from paylor_async import Rate
from paylor_async._ratelimit import bucket_parameters
from paylor_async.testing import PaylorSimulator
from tests.redis_server import RedisServer, redis_server  # noqa: F401 - fixture

RATE = Rate(limit=20, window=2.0)
WORKERS = 4
ROOT = Path(__file__).resolve().parent.parent


def worst_sliding_window(times: list[float], window: float) -> int:
    """The most events in any half-open window ``(t - window, t]`` (the simulator's count)."""
    times = sorted(times)
    worst = start = 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        worst = max(worst, end - start + 1)
    return worst


async def run_fleet(sim: PaylorSimulator, redis_url: str, duration: float) -> list[dict[str, int]]:
    start_at = time.time() + 1.5  # time for four interpreters to import
    env = {**os.environ, "PAYLOR_API_KEY": sim.api_key, "PYTHONPATH": str(ROOT)}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.redis_fleet_worker",
            f"--base-url={sim.base_url}",
            f"--redis-url={redis_url}",
            f"--worker={n}",
            "--callers=50",
            f"--limit={RATE.limit}",
            f"--window={RATE.window}",
            f"--start-at={start_at}",
            f"--duration={duration}",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(WORKERS)
    ]
    results = []
    for proc in procs:
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    return results


async def test_four_processes_share_one_limit_through_redis(redis_server: RedisServer) -> None:  # noqa: F811
    async with PaylorSimulator(
        rate_limits={"payments": (RATE.limit, RATE.window)}, window="sliding"
    ) as sim:
        shared = await run_fleet(sim, redis_server.url, duration=4.0)
        shared_requests = [r for r in sim.requests if r.route == "stk_push"]
        sim.requests.clear()
        sim.limiter.reset()  # the next run starts on empty server windows
        independent = await run_fleet(sim, "", duration=2.0)
        independent_requests = [r for r in sim.requests if r.route == "stk_push"]

    accepted = sorted(r.received_at for r in shared_requests if r.status == 201)
    shared_429 = sum(r.status == 429 for r in shared_requests)
    worst = worst_sliding_window(accepted, RATE.window)
    burst = bucket_parameters(RATE)[0]
    rate = (len(accepted) - burst) / (accepted[-1] - accepted[0])
    share = rate * RATE.window / RATE.limit
    independent_429 = sum(r.status == 429 for r in independent_requests)
    print(
        f"\nshared through Redis: {len(accepted)} accepted, {shared_429} x 429, worst window "
        f"{worst}/{RATE.limit}, sustained {rate:.2f}/s = {share:.1%} of the limit; "
        f"workers {shared}"
    )
    print(
        f"independent buckets: {sum(r.status == 201 for r in independent_requests)} accepted, "
        f"{independent_429} x 429; workers {independent}"
    )
    assert shared_429 == 0
    assert sum(w["rate_limited"] + w["failed"] for w in shared) == 0
    assert worst <= RATE.limit
    assert share >= 0.85
    assert all(w["ok"] > 0 for w in shared)  # every process got a share, none starved
    assert independent_429 > 0
