"""Receive Paylor webhooks with FastAPI (the dependency style; Starlette alike).

Run (from the repository root)::

    export PAYLOR_WEBHOOK_SECRET=...   # the dashboard's "Webhook ID (Secret)"
    uvicorn examples.fastapi_webhooks:app --port 8080   # POST /paylor/webhook

``Depends(paylor_webhook)`` reads the raw body once, verifies it and claims the event: your
route runs once per new event. A duplicate is answered 200 before it runs, a redelivery
while it is still running 409 (Paylor retries later), a bad signature 401, a signed
non-event 400, a body over 1 MiB 413. If the route raises, the claim is released and FastAPI answers
500, so Paylor's retry is processed. (Plain Starlette: ``webhook_endpoint(verifier, on_event)``
from the same module, mounted with ``Route(..., methods=["POST"])``.)
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import Depends, FastAPI

from paylor_async.webhooks import (
    GlobalCollectionEvent,
    InMemoryDedupe,
    PaymentEvent,
    WebhookEvent,
    WebhookVerifier,
)
from paylor_async.webhooks.starlette import PaylorWebhook

verifier = WebhookVerifier(
    secrets=[os.environ["PAYLOR_WEBHOOK_SECRET"]], dedupe=InMemoryDedupe(ttl=86_400)
)
paylor_webhook = PaylorWebhook(verifier)
app = FastAPI()


@app.post("/paylor/webhook")
async def receive(event: Annotated[WebhookEvent, Depends(paylor_webhook)]) -> dict[str, bool]:
    # Check the type first: an UnknownEvent has no .succeeded/.reference (an AttributeError
    # would answer 500 and get it redelivered forever). The merchant's reference of a Global
    # event is merchant_reference. Updates stay monotonic: a late FAILED never un-pays.
    if isinstance(event, PaymentEvent):
        reference = event.reference
    elif isinstance(event, GlobalCollectionEvent):
        reference = event.merchant_reference
    else:
        print(f"kept for review: {event.event}")
        return {"received": True}
    if reference is not None and event.succeeded:
        # UPDATE orders SET status = 'paid' WHERE reference = :ref AND status <> 'paid'
        print(f"order {reference}: paid, {event.amount}")
    elif reference is not None and event.status.is_final:
        # UPDATE orders SET status = 'failed' WHERE reference = :ref AND status = 'pending'
        print(f"order {reference}: failed unless already paid")
    return {"received": True}
