"""One worker of the fleet test: ``python -m tests.redis_fleet_worker ...`` (not a test module).

Runs ``--callers`` concurrent callers making STK pushes on one key (``PAYLOR_API_KEY`` from the
environment) from ``--start-at`` (wall time, so all workers start together) for
``--duration`` seconds, with either the shared Redis limiter (``--redis-url``) or the
in-process bucket. Client retries are off so every 429 is seen. Prints one JSON line:
``{"ok": n, "rate_limited": n, "failed": n}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import redis.asyncio as aioredis

from paylor_async import PaylorClient, Rate, RateLimits
from paylor_async.errors import RateLimitError
from paylor_async.redis import RedisRateLimiter


async def run(args: argparse.Namespace) -> dict[str, int]:
    limits = RateLimits(payments=Rate(args.limit, args.window))
    redis = aioredis.Redis.from_url(args.redis_url) if args.redis_url else None
    limiter = None
    if redis is not None:
        # The key identity comes from PaylorClient (for_key); no api_key given here.
        limiter = RedisRateLimiter(redis, rate_limits=limits, namespace=args.namespace)
        import os

        from paylor_async.redis import key_fingerprint

        limiter = limiter.for_key(key_fingerprint(os.environ["PAYLOR_API_KEY"]))
    counts = {"ok": 0, "rate_limited": 0, "failed": 0}
    async with PaylorClient(
        base_url=args.base_url, rate_limits=limits, rate_limiter=limiter, max_retries=0
    ) as paylor:
        await asyncio.sleep(max(0.0, args.start_at - time.time()))
        loop = asyncio.get_running_loop()
        stop_at = loop.time() + args.duration

        async def caller(n: int) -> None:
            i = 0
            while loop.time() < stop_at:
                i += 1
                try:
                    await paylor.payments.stk_push(
                        phone="0712345678", amount=10, reference=f"W{args.worker}-{n}-{i}"
                    )
                    counts["ok"] += 1
                except RateLimitError:
                    counts["rate_limited"] += 1
                except Exception:
                    counts["failed"] += 1

        tasks = [asyncio.create_task(caller(n)) for n in range(args.callers)]
        await asyncio.sleep(max(0.0, stop_at - loop.time()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if redis is not None:
        await redis.aclose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--namespace", default="paylor")
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--start-at", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
