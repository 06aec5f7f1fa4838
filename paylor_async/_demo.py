"""``python -m paylor_async demo``: one STK Push end to end on the embedded simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from ._client import PaylorClient
from .testing import PaylorSimulator
from .webhooks import InMemoryDedupe, PaymentEvent, WebhookEvent, WebhookVerifier
from .webhooks.aiohttp import webhook_handler

__all__ = ["run_demo"]


async def _start_receiver(
    secret: str, say: Callable[[str], None]
) -> tuple[web.AppRunner, str, asyncio.Future[WebhookEvent]]:
    """A merchant's webhook endpoint: the aiohttp adapter verifies, parses and dedupes."""
    received: asyncio.Future[WebhookEvent] = asyncio.get_running_loop().create_future()
    verifier = WebhookVerifier(secrets=[secret], dedupe=InMemoryDedupe(ttl=86_400))

    def on_event(event: WebhookEvent) -> None:
        say(f"4. webhook received: {event.event} (signature verified over the raw body)")
        if not received.done():
            received.set_result(event)

    app = web.Application()
    app.router.add_post("/paylor/webhook", webhook_handler(verifier, on_event))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/paylor/webhook", received


async def run_demo(say: Callable[[str], None] = print, *, webhook_wait: float = 10.0) -> int:
    """Run the demo; return the process exit code (0 when the payment completed)."""
    async with PaylorSimulator(completion_delay=0.5) as sim:
        runner, callback_url, received = await _start_receiver(sim.webhook_secret, say)
        try:
            say(f"Paylor simulator listening on {sim.base_url}")
            async with PaylorClient(sim.api_key, base_url=sim.base_url) as paylor:
                say("1. POST /merchants/payments/stk-push phone=0712 345 678 amount=1000 KES")
                push = await paylor.payments.stk_push(
                    phone="0712 345 678",
                    amount=1000,
                    reference="DEMO-ORDER-1",
                    description="paylor-async demo",
                    callback_url=callback_url,
                )
                say(f"2. transaction {push.transaction_id}: {push.status}")
                say(f"   idempotency key {push.idempotency_key}")
                say("3. waiting for the customer to enter their M-Pesa PIN...")
                event = await asyncio.wait_for(received, webhook_wait)
                if isinstance(event, PaymentEvent):
                    say(
                        f"5. {event.reference}: {event.status}, {event.amount} KES, "
                        f"M-Pesa receipt {event.mpesa_receipt}"
                    )
                # Reconcile with the transaction query (what to do when a webhook is missed).
                tx = await paylor.transactions.wait_for_final(push.transaction_id, timeout=30)
                say(f"6. final status: {tx.status} (GET /merchants/payments/transactions/{tx.id})")
                return 0 if tx.status == "COMPLETED" else 1
        finally:
            await runner.cleanup()
