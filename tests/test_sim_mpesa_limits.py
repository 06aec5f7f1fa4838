"""Which limiter group each M-Pesa and Global call counts against, end to end.

A client with the default limits shares a ManualClock with the simulator. With the payments
bucket exhausted, channel calls still complete without the clock moving, and every payments
call queues behind the payments bucket (nothing reaches the server).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from paylor_async import ManualClock, PaylorClient
from paylor_async.testing import PaylorSimulator

from ._mpesa_support import collect

PAYMENT_CALLS: list[tuple[str, Callable[[PaylorClient], Any]]] = [
    ("b2c_payout", lambda c: c.payouts.b2c("0712345678", 100, "Q")),
    (
        "b2b_express",
        lambda c: c.payments.b2b_express(payer_shortcode="600100", amount=10, reference="Q"),
    ),
    ("crypto_create", lambda c: c.crypto.create_payment(1, "Q")),
    ("crypto_retrieve", lambda c: c.crypto.retrieve("665f4c1b9a8d2e001f2a9999")),
    ("wallet_retrieve", lambda c: c.wallet.retrieve()),
    ("b2c_metrics", lambda c: c.wallet.b2c_metrics()),
]

_G = "/global"
GLOBAL_CALLS: list[tuple[str, Callable[[PaylorClient], Any]]] = [
    (f"{_G}/providers", lambda c: c.global_payments.providers.fetch()),
    (
        f"{_G}/collections",
        lambda c: c.global_payments.collections.create(
            "SASAPAY_KE", 100, "KES", msisdn="0712345678"
        ),
    ),
    (f"{_G}/collections/GC-1-ABCDE", lambda c: c.global_payments.collections.retrieve("GC-1-A")),
    (f"{_G}/payment-links", lambda c: c.global_payments.payment_links.create(100, "KES")),
    (f"{_G}/payment-links", lambda c: collect(c.global_payments.payment_links.list())),
    (f"{_G}/webhooks", lambda c: c.global_payments.webhooks.register("https://a.example/h")),
    (f"{_G}/webhooks", lambda c: collect(c.global_payments.webhooks.list())),
    (f"{_G}/webhooks/wh_1", lambda c: c.global_payments.webhooks.delete("wh_1")),
    (f"{_G}/settings", lambda c: c.global_payments.settings.retrieve()),
    (f"{_G}/settings", lambda c: c.global_payments.settings.update(business_name="Shop")),
    (
        f"{_G}/withdrawals",
        lambda c: c.global_payments.withdrawals.create(
            100, "KES", channel="MPESA", account="254712345678"
        ),
    ),
    (f"{_G}/withdrawals", lambda c: collect(c.global_payments.withdrawals.list())),
    (f"{_G}/wallet", lambda c: c.global_payments.wallet.retrieve()),
    (f"{_G}/ledger", lambda c: collect(c.global_payments.ledger.list())),
    (f"{_G}/listings", lambda c: collect(c.global_payments.listings.list())),
]


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run (real I/O on loopback) until ``condition`` holds; fail if it never does."""
    for _ in range(5_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never held")


@pytest.fixture
async def saturated() -> Any:
    clock = ManualClock()
    async with (
        PaylorSimulator(clock=clock) as sim,
        PaylorClient(sim.api_key, base_url=sim.base_url, clock=clock) as paylor,
    ):
        payments = paylor.rate_limiter.bucket("payments")  # type: ignore[attr-defined]
        blocked = [
            asyncio.create_task(paylor.payouts.b2c("0712345678", 100, f"L-{i}")) for i in range(10)
        ]
        await clock.advance(0)
        await until(lambda: sum(not t.done() for t in blocked) == payments.waiting > 0)
        try:
            yield sim, paylor, clock, payments
        finally:
            for task in blocked:
                task.cancel()
            await asyncio.gather(*blocked, return_exceptions=True)


async def test_channel_calls_are_not_delayed_by_saturated_payments(saturated: Any) -> None:
    sim, paylor, clock, payments = saturated
    start, waiting = clock.now(), payments.waiting
    created = await asyncio.wait_for(paylor.channels.create("A", "TILL", "111222"), timeout=10)
    listed = await asyncio.wait_for(collect(paylor.channels.list()), timeout=10)
    await asyncio.wait_for(paylor.channels.update(created.id, name="B"), timeout=10)
    await asyncio.wait_for(paylor.channels.delete(created.id), timeout=10)
    assert clock.now() == start
    assert payments.waiting == waiting  # the payments queue did not move
    assert created.id in {c.id for c in listed}
    assert [r.status for r in sim.requests_for("/merchants/channels")] == [201, 200]
    assert created.response.rate_limit_limit == 120  # the server counts them apart too


@pytest.mark.parametrize(
    ("route", "call"),
    PAYMENT_CALLS + GLOBAL_CALLS,
    ids=[f"{n}-{r}" for n, (r, _) in enumerate(PAYMENT_CALLS + GLOBAL_CALLS)],
)
async def test_payment_calls_queue_behind_the_payments_bucket(
    saturated: Any, route: str, call: Callable[[PaylorClient], Any]
) -> None:
    sim, paylor, _clock, payments = saturated
    before, sent = payments.waiting, len(sim.requests_for(route))
    task = asyncio.create_task(call(paylor))
    await until(lambda: payments.waiting == before + 1)
    assert len(sim.requests_for(route)) == sent  # the burst went out before; this one waits
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
