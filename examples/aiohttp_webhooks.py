"""Receive Paylor webhooks with aiohttp.web.

Run (from the repository root)::

    export PAYLOR_WEBHOOK_SECRET=...   # the dashboard's "Webhook ID (Secret)"
    python -m examples.aiohttp_webhooks            # http://127.0.0.1:8080/paylor/webhook

Point ``callback_url`` (or a registered endpoint) at that URL. To try it locally, run
``python -m paylor_async simulator`` in another terminal and export the secret it prints.
Rotating secrets: put the previous one in ``PAYLOR_WEBHOOK_PREVIOUS_SECRET`` for a while.
"""

from __future__ import annotations

import os

from aiohttp import web

from paylor_async.webhooks import (
    GlobalCollectionEvent,
    InMemoryDedupe,
    PaymentEvent,
    WebhookEvent,
    WebhookVerifier,
)
from paylor_async.webhooks.aiohttp import EventHandler, webhook_handler


def order_reference(event: WebhookEvent) -> str | None:
    """Your own order reference, whatever the event type (``None`` for an unknown event)."""
    if isinstance(event, PaymentEvent):
        return event.reference
    if isinstance(event, GlobalCollectionEvent):
        return event.merchant_reference  # ``reference`` is Paylor's GC-... reference
    return None


async def record_payment(event: WebhookEvent) -> None:
    """Your business logic: runs once per new event (raise to get Paylor to retry).

    Check the event type first: an ``UnknownEvent`` has no ``succeeded`` or ``reference``,
    and raising on it would get it redelivered forever. Keep updates monotonic: a late
    ``FAILED`` must never make a paid order unpaid, e.g.
    ``UPDATE orders SET status = 'paid' WHERE reference = $1 AND status <> 'paid'`` and
    ``UPDATE orders SET status = 'failed' WHERE reference = $1 AND status = 'pending'``.
    """
    reference = order_reference(event)
    if reference is None:
        print(f"kept for review: {type(event).__name__} {event.event}")
        return
    assert isinstance(event, PaymentEvent | GlobalCollectionEvent)
    if event.succeeded:
        print(f"order {reference}: paid, {event.amount} ({event.status})")
    elif event.status.is_final:
        print(f"order {reference}: failed unless already paid ({event.status})")


def make_app(secrets: list[str], on_event: EventHandler = record_payment) -> web.Application:
    """The app: one POST route; a one-day in-memory dedupe (use Redis with several workers)."""
    verifier = WebhookVerifier(secrets=secrets, dedupe=InMemoryDedupe(ttl=86_400))
    app = web.Application()
    app.router.add_post("/paylor/webhook", webhook_handler(verifier, on_event))
    return app


def main() -> None:
    secrets = [os.environ["PAYLOR_WEBHOOK_SECRET"]]
    if os.environ.get("PAYLOR_WEBHOOK_PREVIOUS_SECRET"):
        secrets.append(os.environ["PAYLOR_WEBHOOK_PREVIOUS_SECRET"])
    web.run_app(make_app(secrets), host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))


if __name__ == "__main__":
    main()
