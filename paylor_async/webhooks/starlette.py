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
``HTTPException(200)`` before your route runs; a bad signature 401, a bad payload 400. If your
route raises, the dedupe claim is released (the dependency is a ``yield`` dependency) and
FastAPI answers 500, so Paylor's retry is processed. Both read ``await request.body()`` once;
neither is a ``BaseHTTPMiddleware``. Starlette is imported by this module only, never by
``paylor_async.webhooks``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable

# Real (not string) annotations: FastAPI reads them to inject the request.
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._dispatch import EventHandler, rejection, run_handler
from ._events import WebhookEvent
from ._verifier import WebhookVerifier

__all__ = ["EventHandler", "PaylorWebhook", "webhook_endpoint"]


def webhook_endpoint(
    verifier: WebhookVerifier, on_event: EventHandler
) -> Callable[[Request], Awaitable[Response]]:
    """Build a Starlette endpoint (also usable as a FastAPI route) for Paylor webhooks.

    Args:
        verifier: the :class:`WebhookVerifier` (secrets and dedupe store).
        on_event: called once per new verified event; sync (runs on the event loop: keep it
            quick) or async. Raise to answer 500 and have Paylor retry.

    Returns:
        ``async def endpoint(request) -> Response``.
    """

    async def paylor_webhook_endpoint(request: Request) -> Response:
        body = await request.body()
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
    authentic), 400 (authentic, not an event) or 200 (a duplicate: your route does not run).
    """

    __slots__ = ("verifier",)

    def __init__(self, verifier: WebhookVerifier) -> None:
        """Args:
        verifier: the :class:`WebhookVerifier` (secrets and dedupe store).
        """
        self.verifier = verifier

    async def __call__(self, request: Request) -> AsyncIterator[WebhookEvent]:
        """Read the body once, verify it, yield the event; release its claim if the route
        raises.
        """
        body = await request.body()
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

    def __repr__(self) -> str:
        return f"PaylorWebhook({self.verifier!r})"
