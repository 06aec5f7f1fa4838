"""Starlette / FastAPI adapter: an endpoint factory and a FastAPI dependency.

The endpoint does everything (verify, dedupe, call your code, answer)::

    from starlette.routing import Route
    from paylor_async.webhooks.starlette import webhook_endpoint

    routes = [Route("/paylor/webhook", webhook_endpoint(verifier, on_event), methods=["POST"])]
    # FastAPI: app.add_route("/paylor/webhook", webhook_endpoint(verifier, on_event),
    #                        methods=["POST"])

The dependency hands the event to a FastAPI route of your own::

    from fastapi import Depends
    from paylor_async.webhooks.starlette import PaylorWebhook

    paylor_webhook = PaylorWebhook(verifier)

    @app.post("/paylor/webhook")
    async def receive(event: WebhookEvent = Depends(paylor_webhook)):
        ...  # runs once per new event
        return {"received": True}

With the dependency, a duplicate is answered 200 ``{"detail": "duplicate event"}`` by raising
``HTTPException(200)`` before your route runs; an event another attempt is still handling 409
(``{"detail": "in_progress"}``); a bad signature 401, a bad payload 400, a body over
``max_body_bytes`` 413. When your route returns, the event is marked done; if it raises, the
dedupe claim is released (the dependency is a ``yield`` dependency) and FastAPI answers 500,
so Paylor's retry is processed. Both stream the body once (``request.stream()``), stopping
at ``max_body_bytes`` (default 1 MiB); neither is a ``BaseHTTPMiddleware``. Starlette is
imported by this module only, never by ``paylor_async.webhooks``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable

# Real (not string) annotations: FastAPI reads them to inject the request.
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ._dispatch import (
    DEFAULT_MAX_BODY_BYTES,
    Answer,
    EventHandler,
    check_max_body_bytes,
    complete_quietly,
    rejection,
    run_handler,
    too_large,
    unreadable,
)
from ._events import WebhookEvent
from ._verifier import WebhookVerifier

__all__ = ["EventHandler", "PaylorWebhook", "webhook_endpoint"]


def webhook_endpoint(
    verifier: WebhookVerifier,
    on_event: EventHandler,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Callable[[Request], Awaitable[Response]]:
    """Build a Starlette endpoint (also usable as a FastAPI route) for Paylor webhooks.

    Args:
        verifier: the :class:`WebhookVerifier` (secrets and dedupe store).
        on_event: called once per new verified event; sync (runs on the event loop: keep it
            quick) or async. Raise to answer 500 and have Paylor retry.
        max_body_bytes: the largest body read (default 1 MiB); a larger one is answered 413
            without reading the rest.

    Returns:
        ``async def endpoint(request) -> Response``.

    Raises:
        ValueError: ``max_body_bytes`` is not an int >= 1.
    """
    limit = check_max_body_bytes(max_body_bytes)

    async def paylor_webhook_endpoint(request: Request) -> Response:
        body = await read_body(request, limit)
        if isinstance(body, Answer):
            return JSONResponse(body.body, status_code=body.status)
        try:
            event = await verifier.verify(body, request.headers)
        except Exception as exc:
            answer = rejection(exc)
            if answer is None:
                raise
            return JSONResponse(answer.body, status_code=answer.status)
        answer = await run_handler(verifier, event, on_event)
        return JSONResponse(answer.body, status_code=answer.status)

    return paylor_webhook_endpoint


class PaylorWebhook:
    """A FastAPI dependency returning the verified, newly claimed event.

    ``event = Depends(PaylorWebhook(verifier))``. Raises ``HTTPException`` 401 (not
    authentic), 400 (authentic, not an event; or an unreadable body), 413 (over
    ``max_body_bytes``), 409 (another attempt is handling the event) or 200 (a duplicate):
    in each case your route does not run.
    """

    __slots__ = ("max_body_bytes", "verifier")

    def __init__(
        self, verifier: WebhookVerifier, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        """Args:
            verifier: the :class:`WebhookVerifier` (secrets and dedupe store).
            max_body_bytes: the largest body read (default 1 MiB); larger ones get 413.

        Raises:
            ValueError: ``max_body_bytes`` is not an int >= 1.
        """
        self.verifier = verifier
        self.max_body_bytes = check_max_body_bytes(max_body_bytes)

    async def __call__(self, request: Request) -> AsyncIterator[WebhookEvent]:
        """Read the body once, verify it, yield the event; mark it done when the route
        returns, release its claim if the route raises.
        """
        body = await read_body(request, self.max_body_bytes)
        if isinstance(body, Answer):
            raise HTTPException(status_code=body.status, detail=str(body.body["error"]))
        try:
            event = await self.verifier.verify(body, request.headers)
        except Exception as exc:
            answer = rejection(exc)
            if answer is None:
                raise
            detail = "duplicate event" if answer.status == 200 else str(answer.body["error"])
            raise HTTPException(status_code=answer.status, detail=detail) from None
        try:
            yield event
        except BaseException:
            await self.verifier.release(event)
            raise
        await complete_quietly(self.verifier, event)

    def __repr__(self) -> str:
        return f"PaylorWebhook({self.verifier!r})"


async def read_body(request: Request, limit: int) -> bytes | Answer:
    """The raw body, streamed up to ``limit`` bytes; or the 413 / 400 answer (never a 500).

    Args:
        request: the Starlette request (its body not consumed by a ``stream()`` yet).
        limit: the most bytes accepted.

    Returns:
        The body, or the :class:`Answer` for one too large or unreadable.
    """
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and (len(length) > 18 or int(length) > limit):
        return too_large(limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return too_large(limit)
            chunks.append(chunk)
    except ClientDisconnect:
        return unreadable("client disconnected")
    return b"".join(chunks)
