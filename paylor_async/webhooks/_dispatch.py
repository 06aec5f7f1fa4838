"""What every framework adapter does, without any framework: verify, answer, call the user.

Answers (the same for aiohttp, Starlette/FastAPI and Django):

* 200 ``{"received": true}``: verified, new, and the user's handler returned.
* 200 ``{"received": true, "duplicate": true}``: verified but already claimed; the handler is
  not called.
* 400 ``{"error": "invalid_payload"}``: the signature verified but the body is not an event.
* 401 ``{"error": "invalid_signature"}``: missing, malformed or wrong signature.
* The user's handler raising propagates (the framework answers 500, so Paylor retries) after
  the dedupe claim is released.

Answer bodies never echo the secret, a header or the body.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from ._errors import DuplicateEventError, InvalidPayloadError, WebhookVerificationError
from ._events import WebhookEvent
from ._verifier import WebhookVerifier

__all__ = [
    "DUPLICATE",
    "INVALID_PAYLOAD",
    "INVALID_SIGNATURE",
    "RECEIVED",
    "Answer",
    "rejection",
    "run_handler",
]

logger = logging.getLogger("paylor_async.webhooks")

EventHandler: TypeAlias = Callable[[WebhookEvent], Awaitable[object] | object]
"""The user's code: called with the verified event; sync or async; its result is ignored."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A response to send: status code and JSON body."""

    status: int
    body: dict[str, Any]


RECEIVED = Answer(200, {"received": True})
DUPLICATE = Answer(200, {"received": True, "duplicate": True})
INVALID_PAYLOAD = Answer(400, {"error": "invalid_payload"})
INVALID_SIGNATURE = Answer(401, {"error": "invalid_signature"})


def rejection(exc: Exception) -> Answer | None:
    """The answer for an error raised by ``verify``, or ``None`` when it must propagate.

    ``None`` is for the receiver's own bugs (a wrong body type, unusable secrets, a dedupe
    store outage): those fail every callback, so a 500 and a loud log are right.
    """
    if isinstance(exc, DuplicateEventError):
        logger.info("duplicate webhook %s ignored (key already claimed)", exc.event.event)
        return DUPLICATE
    if isinstance(exc, InvalidPayloadError):
        logger.warning("webhook rejected (400): %s: %s", type(exc).__name__, exc)
        return INVALID_PAYLOAD
    if isinstance(exc, WebhookVerificationError) and _from_request(exc):
        logger.warning("webhook rejected (401): %s: %s", type(exc).__name__, exc)
        return INVALID_SIGNATURE
    return None


def _from_request(exc: WebhookVerificationError) -> bool:
    from ._errors import RawBodyRequiredError, WebhookSecretError

    return not isinstance(exc, RawBodyRequiredError | WebhookSecretError)


async def run_handler(
    verifier: WebhookVerifier, event: WebhookEvent, on_event: EventHandler
) -> Answer:
    """Call ``on_event(event)`` (awaiting it if it returns an awaitable).

    If it raises, the dedupe claim is released and the error propagates (a 500: Paylor
    retries, and the retry is processed, never dropped).
    """
    try:
        result = on_event(event)
        if inspect.isawaitable(result):
            await result
    except BaseException:
        await verifier.release(event)
        raise
    return RECEIVED
