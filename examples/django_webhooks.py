"""Receive Paylor webhooks with Django: a single-file project.

Run (from the repository root)::

    export PAYLOR_WEBHOOK_SECRET=...   # the dashboard's "Webhook ID (Secret)"
    python examples/django_webhooks.py runserver 8080   # POST /paylor/webhook

In a real project, put the verifier in a module of your app, the secret in settings (read
from the environment), and the URL in ``urls.py``. ``@webhook_view`` works on ``def`` and
``async def`` views, exempts the view from CSRF (the signature is the proof) and answers 401 /
400 / duplicate-200 / in-progress-409 before your view runs. ``DATA_UPLOAD_MAX_MEMORY_SIZE``
bounds the body (413 beyond it).
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.http import HttpRequest
from django.urls import path

from paylor_async.webhooks import (
    GlobalCollectionEvent,
    InMemoryDedupe,
    PaymentEvent,
    WebhookEvent,
    WebhookVerifier,
)
from paylor_async.webhooks.django import webhook_view

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret"),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024,  # a Paylor event is about 1 KB
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    )

verifier = WebhookVerifier(
    secrets=[os.environ["PAYLOR_WEBHOOK_SECRET"]], dedupe=InMemoryDedupe(ttl=86_400)
)


@webhook_view(verifier)
def paylor_webhook(request: HttpRequest, event: WebhookEvent) -> None:
    """Runs once per new event; returning None answers 200 {"received": true}."""
    # Check the type first: an UnknownEvent has no .succeeded/.reference (an AttributeError
    # would answer 500 and get it redelivered forever). The merchant's reference of a Global
    # event is merchant_reference. Updates stay monotonic: a late FAILED never un-pays.
    if isinstance(event, PaymentEvent):
        reference = event.reference
    elif isinstance(event, GlobalCollectionEvent):
        reference = event.merchant_reference
    else:
        print(f"kept for review: {event.event}")
        return
    if reference is not None and event.succeeded:
        # Order.objects.filter(reference=reference).exclude(status="paid").update(status="paid")
        print(f"order {reference}: paid, {event.amount}")
    elif reference is not None and event.status.is_final:
        # Order.objects.filter(reference=reference, status="pending").update(status="failed")
        print(f"order {reference}: failed unless already paid")


urlpatterns = [path("paylor/webhook", paylor_webhook)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
