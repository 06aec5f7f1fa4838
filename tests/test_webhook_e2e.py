"""End to end: the simulator's real signed delivery reaches the aiohttp example on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import aiohttp
from aiohttp import web

from examples.aiohttp_webhooks import make_app
from paylor_async import ManualClock, PaylorClient
from paylor_async.testing import PaylorSimulator
from paylor_async.testing._delivery import DeliveryPolicy
from paylor_async.webhooks import PaymentEvent, WebhookEvent
from paylor_async.webhooks.aiohttp import EventHandler

SECRET = "whsec_end_to_end_4e7a2b"


@asynccontextmanager
async def serve_example(on_event: EventHandler) -> AsyncIterator[str]:
    """The example app on a real loopback port; yields its webhook URL."""
    runner = web.AppRunner(make_app([SECRET, "whsec_previous_e2e"], on_event), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}/paylor/webhook"
    finally:
        await runner.cleanup()


async def push(sim: PaylorSimulator, callback_url: str, reference: str) -> str:
    async with PaylorClient(sim.api_key, base_url=sim.base_url, rate_limits=None) as paylor:
        result = await paylor.payments.stk_push(
            phone="0712 345 678", amount=1000, reference=reference, callback_url=callback_url
        )
    return result.transaction_id


async def test_simulator_delivery_is_verified_by_the_aiohttp_example() -> None:
    received: list[WebhookEvent] = []
    async with PaylorSimulator(webhook_secret=SECRET) as sim, serve_example(received.append) as url:
        tx_id = await push(sim, url, "E2E-ORDER-1")
        await sim.complete(tx_id, mpesa_receipt="RFL8S2K9P0")
        [delivery] = [d for d in sim.webhook_deliveries if d.transaction_id == tx_id]
    assert delivery.status == 200
    assert len(received) == 1
    event = received[0]
    assert isinstance(event, PaymentEvent)
    assert event.event == "payment.success"
    assert event.delivered_as == "payment.success"
    assert event.transaction_id == tx_id
    assert event.reference == "E2E-ORDER-1"
    assert event.amount == Decimal(1000)
    assert event.mpesa_receipt == "RFL8S2K9P0"
    assert event.succeeded


async def test_refused_delivery_is_retried_and_acted_on_exactly_once() -> None:
    acted: list[str] = []
    failures = [RuntimeError("the order database is down")]

    def on_event(event: WebhookEvent) -> None:
        if failures:
            raise failures.pop()
        assert isinstance(event, PaymentEvent)
        acted.append(event.transaction_id)

    clock = ManualClock(autojump=True)
    async with (
        PaylorSimulator(webhook_secret=SECRET, clock=clock) as sim,
        serve_example(on_event) as url,
    ):
        sim.delivery_policy = DeliveryPolicy(max_attempts=3, backoff=2.0)
        tx_id = await push(sim, url, "E2E-ORDER-2")
        await sim.fail(tx_id)  # waits for the first attempt; the retry follows on the sim clock
        await sim.drain_deliveries()
        deliveries = [d for d in sim.webhook_deliveries if d.transaction_id == tx_id]
        # A replay of the accepted delivery (same bytes, same signature) is not acted on again.
        last = deliveries[-1]
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=last.body, headers=dict(last.headers)) as replay,
        ):
            replay_status, replay_body = replay.status, await replay.json()
    assert [d.status for d in deliveries] == [500, 200]
    assert [d.attempt for d in deliveries] == [1, 2]
    assert deliveries[1].sent_at - deliveries[0].sent_at >= 2.0  # the backoff, on the sim clock
    assert deliveries[0].body == deliveries[1].body
    assert acted == [tx_id]
    assert (replay_status, replay_body) == (200, {"received": True, "duplicate": True})
    assert acted == [tx_id]
