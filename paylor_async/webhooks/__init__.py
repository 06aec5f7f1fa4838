"""Receive Paylor webhooks: verify, parse into typed events, dedupe. Standalone and light:
importing it never imports aiohttp, the client or any web framework.

::

    from paylor_async.webhooks import InMemoryDedupe, WebhookVerifier

    verifier = WebhookVerifier(secrets=[current, previous], dedupe=InMemoryDedupe(ttl=86400))
    event = await verifier.verify(raw_body, request.headers)  # any headers mapping, any case

Verify over the raw request body (the exact bytes received): ``await request.read()``
(aiohttp), ``await request.body()`` (Starlette/FastAPI), ``request.body`` (Django). Ready-made
adapters: :mod:`paylor_async.webhooks.aiohttp`, :mod:`paylor_async.webhooks.starlette`,
:mod:`paylor_async.webhooks.django`.

Paylor signs no timestamp: a captured callback can be replayed, and deliveries may repeat.
``verify`` claims each event's ``dedupe_key`` (transaction id + status) in the dedupe store
as *processing*: it raises :class:`DuplicateEventError` for one already handled (answer 200)
and :class:`EventInProgressError` for one another attempt is still handling (answer 409, so
the sender retries). After handling call ``verifier.complete(event)``; if handling fails,
``verifier.release(event)``. The adapters do all of this.
"""

from ._dedupe import ClaimResult, DedupeStore
from ._errors import (
    DuplicateEventError,
    EventInProgressError,
    InvalidPayloadError,
    MalformedSignatureError,
    MissingSignatureError,
    RawBodyRequiredError,
    SignatureMismatchError,
    WebhookSecretError,
    WebhookVerificationError,
)
from ._events import (
    GlobalCollectionEvent,
    PaymentEvent,
    PaymentTransaction,
    UnknownEvent,
    WebhookEvent,
    WebhookStatus,
)
from ._memory_dedupe import InMemoryDedupe
from ._parse import parse_event
from ._signature import compute_signature
from ._verifier import WebhookVerifier
from ._verify import EVENT_HEADER, SIGNATURE_HEADER, verify_signature

__all__ = [
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "ClaimResult",
    "DedupeStore",
    "DuplicateEventError",
    "EventInProgressError",
    "GlobalCollectionEvent",
    "InMemoryDedupe",
    "InvalidPayloadError",
    "MalformedSignatureError",
    "MissingSignatureError",
    "PaymentEvent",
    "PaymentTransaction",
    "RawBodyRequiredError",
    "SignatureMismatchError",
    "UnknownEvent",
    "WebhookEvent",
    "WebhookSecretError",
    "WebhookStatus",
    "WebhookVerificationError",
    "WebhookVerifier",
    "compute_signature",
    "parse_event",
    "verify_signature",
]
