"""aiohttp.web adapter: a request handler that verifies, dedupes and calls your code.

::

    from aiohttp import web
    from paylor_async.webhooks import InMemoryDedupe, WebhookVerifier
    from paylor_async.webhooks.aiohttp import webhook_handler

    verifier = WebhookVerifier(secrets=[secret], dedupe=InMemoryDedupe())

    async def on_event(event):  # or a plain def
        ...

    app = web.Application()
    app.router.add_post("/paylor/webhook", webhook_handler(verifier, on_event))

Answers: 200 ``{"received": true}``; 200 without calling ``on_event`` for a duplicate;
401 bad or missing signature; 400 signed but not an event; 500 when ``on_event`` raises (the
dedupe claim is released first, so Paylor's retry is processed). aiohttp is imported only here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ._dispatch import EventHandler, rejection, run_handler
from ._verifier import WebhookVerifier

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["EventHandler", "webhook_handler"]


def webhook_handler(
    verifier: WebhookVerifier, on_event: EventHandler
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Build an aiohttp.web handler for Paylor webhooks.

    Args:
        verifier: the :class:`WebhookVerifier` (secrets and dedupe store).
        on_event: called once per new verified event; sync (runs on the event loop: keep it
            quick) or async. Raise to answer 500 and have Paylor retry.

    Returns:
        ``async def handler(request) -> web.Response`` for ``app.router.add_post``.
    """
    from aiohttp import web

    async def handle_paylor_webhook(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            event = await verifier.verify(body, request.headers)
        except Exception as exc:
            answer = rejection(exc)
            if answer is None:
                raise
            return web.json_response(answer.body, status=answer.status)
        answer = await run_handler(verifier, event, on_event)
        return web.json_response(answer.body, status=answer.status)

    return handle_paylor_webhook
