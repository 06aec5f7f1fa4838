"""What every framework adapter does, without any framework: verify, answer, call the user.

Answers (the same for aiohttp, Starlette/FastAPI and Django):

* 200 ``{"received": true}``: verified, new, and the user's handler returned (the event is
  then marked done in the dedupe store).
* 200 ``{"received": true, "duplicate": true}``: verified but already handled; the handler is
  not called.
* 400 ``{"error": "invalid_payload"}``: the signature verified but the body is not an event.
* 400 ``{"error": "unreadable_body"}``: the body could not be read (bad ``Content-Encoding``,
  the client went away).
* 401 ``{"error": "invalid_signature"}``: missing, malformed or wrong signature.
* 409 ``{"error": "in_progress"}``: verified, but another attempt at the same event is still
  running; the handler is not called and the sender retries later.
* 413 ``{"error": "payload_too_large"}``: the body is over the adapter's ``max_body_bytes``.
* The user's handler raising propagates (the framework answers 500, so Paylor retries) after
  the dedupe claim is released.

Answer bodies never echo the secret, a header or the body. Rejected requests are logged at
INFO (anyone can send them: no log flood at WARNING); the receiver's own faults (unusable
secrets, a wrong body type, a failing store) propagate and are logged by the framework.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from ._errors import (
    DuplicateEventError,
    EventInProgressError,
    InvalidPayloadError,
    WebhookVerificationError,
)
from ._events import WebhookEvent
from ._verifier import WebhookVerifier

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DUPLICATE",
    "INVALID_PAYLOAD",
    "INVALID_SIGNATURE",
    "IN_PROGRESS",
    "PAYLOAD_TOO_LARGE",
    "RECEIVED",
    "UNREADABLE_BODY",
    "Answer",
    "BodyTooLargeError",
    "check_max_body_bytes",
    "complete_quietly",
    "rejection",
    "run_handler",
    "too_large",
    "unreadable",
]

logger = logging.getLogger("paylor_async.webhooks")

EventHandler: TypeAlias = Callable[[WebhookEvent], Awaitable[object] | object]
"""The user's code: called with the verified event; sync or async; its result is ignored."""

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""The largest body an adapter reads (1 MiB, aiohttp's default): a Paylor event is ~1 KB."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A response to send: status code and JSON body."""

    status: int
    body: dict[str, Any]


RECEIVED = Answer(200, {"received": True})
DUPLICATE = Answer(200, {"received": True, "duplicate": True})
INVALID_PAYLOAD = Answer(400, {"error": "invalid_payload"})
UNREADABLE_BODY = Answer(400, {"error": "unreadable_body"})
INVALID_SIGNATURE = Answer(401, {"error": "invalid_signature"})
IN_PROGRESS = Answer(409, {"error": "in_progress"})
PAYLOAD_TOO_LARGE = Answer(413, {"error": "payload_too_large"})


class BodyTooLargeError(Exception):
    """Raised by an adapter's body reader past ``max_body_bytes`` (answered 413)."""


def check_max_body_bytes(max_body_bytes: int) -> int:
    """Validate an adapter's ``max_body_bytes``; raise ValueError unless an int >= 1."""
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
        raise ValueError("max_body_bytes must be an int >= 1")
    if max_body_bytes < 1:
        raise ValueError("max_body_bytes must be an int >= 1")
    return max_body_bytes


def unreadable(reason: str) -> Answer:
    """The answer for a body that could not be read (logged at INFO: the sender's fault)."""
    logger.info("webhook rejected (400): body unreadable: %s", reason)
    return UNREADABLE_BODY


def too_large(limit: int) -> Answer:
    """The answer for a body over ``limit`` bytes (logged at INFO)."""
    logger.info("webhook rejected (413): body over %d bytes", limit)
    return PAYLOAD_TOO_LARGE


def rejection(exc: Exception) -> Answer | None:
    """The answer for an error raised by ``verify``, or ``None`` when it must propagate.

    ``None`` is for the receiver's own bugs (a wrong body type, unusable secrets, a dedupe
    store outage): those fail every callback, so a 500 and a loud log are right.
    """
    if isinstance(exc, DuplicateEventError):
        logger.info("duplicate webhook %s ignored (already handled)", exc.event.event)
        return DUPLICATE
    if isinstance(exc, EventInProgressError):
        logger.info("webhook %s answered 409: another attempt is handling it", exc.event.event)
        return IN_PROGRESS
    if isinstance(exc, InvalidPayloadError):
        logger.info("webhook rejected (400): %s: %s", type(exc).__name__, exc)
        return INVALID_PAYLOAD
    if isinstance(exc, WebhookVerificationError) and _from_request(exc):
        logger.info("webhook rejected (401): %s: %s", type(exc).__name__, exc)
        return INVALID_SIGNATURE
    return None


def _from_request(exc: WebhookVerificationError) -> bool:
    from ._errors import RawBodyRequiredError, WebhookSecretError

    return not isinstance(exc, RawBodyRequiredError | WebhookSecretError)


async def run_handler(
    verifier: WebhookVerifier, event: WebhookEvent, on_event: EventHandler
) -> Answer:
    """Call ``on_event(event)`` (awaiting it if it returns an awaitable), then complete it.

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
    await complete_quietly(verifier, event)
    return RECEIVED


#: How long a cancelled handler still waits for its event to be marked done.
_COMPLETE_GRACE_SECONDS = 5.0


async def complete_quietly(verifier: WebhookVerifier, event: WebhookEvent) -> None:
    """Mark ``event`` done; if the store fails, log an ERROR and carry on.

    The user's code has run: answering 500 now would make the sender redeliver an event
    already acted on. The processing claim still expires on its own.
    """
    # Shielded: a cancellation arriving now (a client gone, a shutdown) must not leave an event
    # the user's code already handled marked "processing", to be acted on again later.
    marking = asyncio.ensure_future(verifier.complete(event))
    try:
        await asyncio.shield(marking)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(marking), _COMPLETE_GRACE_SECONDS)
        raise
    except Exception:
        logger.exception("webhook %s handled, but marking it done failed", event.event)
