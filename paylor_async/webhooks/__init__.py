"""Verify Paylor webhooks. Standalone: importing it never imports aiohttp or the client.

Verify over the raw request body (the exact bytes received), then parse the JSON::

    from paylor_async.webhooks import SIGNATURE_HEADER, verify_signature

    body = await request.read()  # aiohttp; Starlette: await request.body(); Django: request.body
    verify_signature(body, request.headers.get(SIGNATURE_HEADER), [current, previous])

Paylor signs no timestamp: a captured callback can be replayed. Make handlers idempotent
(dedupe on transaction id + status).
"""

from ._errors import (
    InvalidPayloadError,
    MalformedSignatureError,
    MissingSignatureError,
    RawBodyRequiredError,
    SignatureMismatchError,
    WebhookSecretError,
    WebhookVerificationError,
)
from ._signature import compute_signature
from ._verify import EVENT_HEADER, SIGNATURE_HEADER, verify_signature

__all__ = [
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "InvalidPayloadError",
    "MalformedSignatureError",
    "MissingSignatureError",
    "RawBodyRequiredError",
    "SignatureMismatchError",
    "WebhookSecretError",
    "WebhookVerificationError",
    "compute_signature",
    "verify_signature",
]
