"""Receive Paylor webhooks with Django: a single-file project.

Run (from the repository root)::

    export PAYLOR_WEBHOOK_SECRET=...   # the dashboard's "Webhook ID (Secret)"
    python examples/django_webhooks.py runserver 8080   # POST /paylor/webhook

In a real project, put the verifier in a module of your app, the secret in settings (read
from the environment), and the URL in ``urls.py``. ``@webhook_view`` works on ``def`` and
``async def`` views, exempts the view from CSRF (the signature is the proof) and answers 401 /
400 / duplicate-200 before your view runs.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.http import HttpRequest
from django.urls import path

from paylor_async.webhooks import InMemoryDedupe, PaymentEvent, WebhookEvent, WebhookVerifier
from paylor_async.webhooks.django import webhook_view

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret"),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
    )

verifier = WebhookVerifier(
    secrets=[os.environ["PAYLOR_WEBHOOK_SECRET"]], dedupe=InMemoryDedupe(ttl=86_400)
)


@webhook_view(verifier)
def paylor_webhook(request: HttpRequest, event: WebhookEvent) -> None:
    """Runs once per new event; returning None answers 200 {"received": true}."""
    if isinstance(event, PaymentEvent):
        outcome = "paid" if event.succeeded else f"not paid (code {event.result_code})"
        print(f"order {event.reference}: {outcome}, {event.amount} KES")


urlpatterns = [path("paylor/webhook", paylor_webhook)]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
