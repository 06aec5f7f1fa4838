"""One SDK call against the same request made with bare aiohttp, on the local simulator.

    python benchmarks/bench_call.py [--requests N] [--quick]

Both sides do ``GET /merchants/payments/transactions/{id}`` on one pooled session against the
same simulator (server limits off, client limiter off), interleaved in rounds so that machine
noise hits both alike. Prints requests per second for each and the ratio SDK / bare.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import aiohttp

from paylor_async import PaylorClient
from paylor_async.testing import PaylorSimulator


async def _bare(session: aiohttp.ClientSession, url: str, key: str, n: int) -> float:
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    start = time.perf_counter()
    for _ in range(n):
        async with session.get(url, headers=headers) as resp:
            await resp.json()
    return n / (time.perf_counter() - start)


async def _sdk(client: PaylorClient, tid: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await client.transactions.retrieve(tid)
    return n / (time.perf_counter() - start)


async def run(requests: int, rounds: int) -> float:
    async with (
        PaylorSimulator(rate_limits=None) as sim,
        PaylorClient(sim.api_key, base_url=sim.base_url, rate_limits=None) as client,
        aiohttp.ClientSession() as session,
    ):
        push = await client.payments.stk_push(phone="0712345678", amount=10, reference="B-1")
        url = f"{sim.base_url}/merchants/payments/transactions/{push.transaction_id}"
        await _bare(session, url, sim.api_key, 20)  # warm both pools
        await _sdk(client, push.transaction_id, 20)
        bare, sdk = [], []
        for _ in range(rounds):
            bare.append(await _bare(session, url, sim.api_key, requests))
            sdk.append(await _sdk(client, push.transaction_id, requests))
    b, s = statistics.median(bare), statistics.median(sdk)
    print(f"bare aiohttp   {b:10.0f} req/s")
    print(f"paylor-async   {s:10.0f} req/s")
    print(f"ratio sdk/bare {s / b:10.3f}  (target >= 0.90)")
    return s / b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a few requests, for CI")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds = 20, 1
    asyncio.run(run(args.requests, args.rounds))


if __name__ == "__main__":
    main()
