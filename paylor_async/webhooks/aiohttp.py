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
409 without calling it while another attempt at the event is running; 401 bad or missing
signature; 400 signed but not an event, or a body that cannot be read (a bad
``Content-Encoding``); 413 a body over ``max_body_bytes`` (this handler reads the stream
itself, so this limit, not the app's ``client_max_size``, applies); 500 when ``on_event``
raises (the dedupe claim is released first, so Paylor's retry is processed). aiohttp is
imported only here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ._dispatch import (
    DEFAULT_MAX_BODY_BYTES,
    Answer,
    EventHandler,
    check_max_body_bytes,
    rejection,
    run_handler,
    too_large,
    unreadable,
)
from ._verifier import WebhookVerifier

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["EventHandler", "webhook_handler"]


def webhook_handler(
    verifier: WebhookVerifier,
    on_event: EventHandler,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Build an aiohttp.web handler for Paylor webhooks.

    Args:
        verifier: the :class:`WebhookVerifier` (secrets and dedupe store).
        on_event: called once per new verified event; sync (runs on the event loop: keep it
            quick) or async. Raise to answer 500 and have Paylor retry.
        max_body_bytes: the largest body read (default 1 MiB); a larger one is answered 413
            before it is all received.

    Returns:
        ``async def handler(request) -> web.Response`` for ``app.router.add_post``.

    Raises:
        ValueError: ``max_body_bytes`` is not an int >= 1.
    """
    from aiohttp import web

    limit = check_max_body_bytes(max_body_bytes)

    async def handle_paylor_webhook(request: web.Request) -> web.Response:
        body = await _read_body(request, limit)
        if isinstance(body, Answer):
            return web.json_response(body.body, status=body.status)
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


async def _read_body(request: web.Request, limit: int) -> bytes | Answer:
    """The raw body, or the answer for one too large or unreadable (never a 500)."""
    from aiohttp import web

    if request.content_length is not None and request.content_length > limit:
        return too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        if request.content.is_eof():  # a middleware read it already: aiohttp cached it
            cached = await request.read()
            return cached if len(cached) <= limit else too_large(limit)
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > limit:
                return too_large(limit)
            chunks.append(chunk)
    except (web.RequestPayloadError, ConnectionError) as exc:  # bad gzip, client gone...
        return unreadable(type(exc).__name__)
    return b"".join(chunks)
