"""The webhook error tree. Pure Python: no aiohttp, no client.

::

    PaylorError
    └── WebhookVerificationError          the callback must not be trusted
        ├── MissingSignatureError         no (or an empty) ``X-Webhook-Signature`` header
        ├── MalformedSignatureError       the header is not 64 hex digits (too long, not a str...)
        ├── SignatureMismatchError        well formed, but no configured secret produced it
        ├── RawBodyRequiredError          the body given is not the raw bytes (a str, a dict...)
        ├── WebhookSecretError            the secrets are unusable (empty, not str...);
        │                                 also a ConfigurationError
        └── InvalidPayloadError           the signature checked out, the body is not an event
    ├── DuplicateEventError               verified, but this event was already handled: answer
    │                                     200 and do not act again (not a verification failure)
    └── EventInProgressError              verified, but another attempt at this event is still
                                          running: answer 409 so the sender retries later

The first three come from the request (answer 401/400). ``RawBodyRequiredError`` and
``WebhookSecretError`` are bugs in the receiving code or its settings: every legitimate callback
fails with them too, so log them loudly. Messages never contain a secret and never echo the
header or the body (at most their length).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigurationError, PaylorError

if TYPE_CHECKING:
    from ._events import WebhookEvent

__all__ = [
    "DuplicateEventError",
    "EventInProgressError",
    "InvalidPayloadError",
    "MalformedSignatureError",
    "MissingSignatureError",
    "RawBodyRequiredError",
    "SignatureMismatchError",
    "WebhookSecretError",
    "WebhookVerificationError",
]


class WebhookVerificationError(PaylorError):
    """Base class: a webhook request was not verified and must not be acted on.

    ``verify_signature`` raises only subclasses of this class, whatever its input.
    """


class MissingSignatureError(WebhookVerificationError):
    """The ``X-Webhook-Signature`` header is absent or empty.

    Paylor sends an empty header when the sender had no secret configured: that is rejected too.
    """


class MalformedSignatureError(WebhookVerificationError):
    """The signature header is not a hex HMAC-SHA256 (wrong length, not hex, not a str...)."""


class SignatureMismatchError(WebhookVerificationError):
    """The signature is well formed but no configured secret signed this exact body."""


class RawBodyRequiredError(WebhookVerificationError):
    """The body passed is not the raw request bytes (a str, parsed or re-serialised JSON...).

    Verification only works over the exact bytes received; read them once with
    ``await request.read()`` (aiohttp), ``await request.body()`` (Starlette/FastAPI) or
    ``request.body`` (Django).
    """


class WebhookSecretError(WebhookVerificationError, ConfigurationError):
    """The webhook secret(s) given are unusable: empty, blank, not a str, or an empty list.

    A configuration bug, not a forged request. An empty key would make every signature
    forgeable, so it is refused rather than used.
    """


class InvalidPayloadError(WebhookVerificationError):
    """The signature verified but the body is not a Paylor event (not JSON, wrong shape)."""


class DuplicateEventError(PaylorError):
    """The webhook verified, but its event was already handled (a retry or a replay).

    Answer 200 (so the sender stops retrying) without acting on it again. Deliberately not a
    :class:`WebhookVerificationError`: the request is authentic, only already handled.

    Attributes:
        event: the parsed event (authentic: its signature verified).
        key: the dedupe key already marked done (see ``WebhookEvent.dedupe_key``).
    """

    def __init__(self, event: WebhookEvent, key: str) -> None:
        super().__init__(f"duplicate webhook event {event.event!r} (already handled)")
        self.event = event
        self.key = key


class EventInProgressError(PaylorError):
    """The webhook verified, but another attempt at the same event is still being handled.

    Answer 409 without acting: if that attempt fails (and releases its claim) or dies (its
    claim expires after the store's processing TTL), the sender's next retry is acted on.
    Answering 200 here could lose the event. Not a :class:`WebhookVerificationError`.

    Attributes:
        event: the parsed event (authentic: its signature verified).
        key: the dedupe key held as processing.
    """

    def __init__(self, event: WebhookEvent, key: str) -> None:
        super().__init__(f"webhook event {event.event!r} is being handled by another attempt")
        self.event = event
        self.key = key
