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

from paylor_async.webhooks import InMemoryDedupe, PaymentEvent, WebhookEvent, WebhookVerifier
from paylor_async.webhooks.aiohttp import EventHandler, webhook_handler


async def record_payment(event: WebhookEvent) -> None:
    """Your business logic: runs once per new event (raise to get Paylor to retry)."""
    if isinstance(event, PaymentEvent):
        outcome = "paid" if event.succeeded else f"not paid (code {event.result_code})"
        print(f"order {event.reference}: {outcome}, {event.amount} KES, tx {event.transaction_id}")
    else:
        print(f"{type(event).__name__} {event.event}")


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
