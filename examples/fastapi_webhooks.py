"""Receive Paylor webhooks with FastAPI (the dependency style; Starlette alike).

Run (from the repository root)::

    export PAYLOR_WEBHOOK_SECRET=...   # the dashboard's "Webhook ID (Secret)"
    uvicorn examples.fastapi_webhooks:app --port 8080   # POST /paylor/webhook

``Depends(paylor_webhook)`` reads the raw body once, verifies it and claims the event: your
route runs once per new event. A duplicate is answered 200 before it runs, a bad signature
401, a signed non-event 400. If the route raises, the claim is released and FastAPI answers
500, so Paylor's retry is processed. (Plain Starlette: ``webhook_endpoint(verifier, on_event)``
from the same module, mounted with ``Route(..., methods=["POST"])``.)
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import Depends, FastAPI

from paylor_async.webhooks import InMemoryDedupe, PaymentEvent, WebhookEvent, WebhookVerifier
from paylor_async.webhooks.starlette import PaylorWebhook

verifier = WebhookVerifier(
    secrets=[os.environ["PAYLOR_WEBHOOK_SECRET"]], dedupe=InMemoryDedupe(ttl=86_400)
)
paylor_webhook = PaylorWebhook(verifier)
app = FastAPI()


@app.post("/paylor/webhook")
async def receive(event: Annotated[WebhookEvent, Depends(paylor_webhook)]) -> dict[str, bool]:
    if isinstance(event, PaymentEvent):
        outcome = "paid" if event.succeeded else f"not paid (code {event.result_code})"
        print(f"order {event.reference}: {outcome}, {event.amount} KES")
    return {"received": True}
