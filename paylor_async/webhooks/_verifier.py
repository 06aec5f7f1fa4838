"""``WebhookVerifier``: signature over the raw bytes, then a typed event, then dedupe."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigurationError
from ._dedupe import ClaimResult, DedupeStore
from ._errors import DuplicateEventError, EventInProgressError, SignatureMismatchError
from ._events import WebhookEvent
from ._headers import header_value
from ._parse import parse_event
from ._verify import EVENT_HEADER, SIGNATURE_HEADER, _raw_body, _secret_keys, _signature_bytes

__all__ = ["WebhookVerifier"]

_MAX_EVENT_HEADER_LENGTH = 200
_DIGEST_LENGTH = 32
_HEX_LENGTH = 2 * _DIGEST_LENGTH


class WebhookVerifier:
    """Verify Paylor webhooks and turn them into typed events, at most once each.

    ::

        verifier = WebhookVerifier(secrets=["current", "previous"], dedupe=InMemoryDedupe())

        try:
            event = await verifier.verify(raw_body, request.headers)
        except DuplicateEventError:
            return 200  # already handled: do not act twice
        except EventInProgressError:
            return 409  # another attempt is running: the sender retries later
        except InvalidPayloadError:  # before its base class
            return 400  # signed, but not an event
        except WebhookVerificationError:
            return 401  # not from Paylor
        try:
            await handle(event)
        except Exception:
            await verifier.release(event)  # let Paylor's retry be processed
            raise
        await verifier.complete(event)  # later deliveries are duplicates

    Paylor signs no timestamp, so a captured callback verifies forever: configure a dedupe
    store. Its key is ``event.dedupe_key``: ``"tx:<transaction id>:<status>"`` for payment
    events, ``"global:<Global reference>:<status>"`` for Global events (``%`` and ``:`` in the
    parts escaped), ``"sha256:<hex of the body>"`` for unknown ones. A new status of one
    transaction is a new key, so ``FAILED`` after a retried ``COMPLETED`` is still seen.

    The secrets are encoded once, here; they never appear in a repr or an error message.
    """

    __slots__ = ("_keys", "dedupe")

    def __init__(self, secrets: str | Sequence[str], *, dedupe: DedupeStore | None = None) -> None:
        """Args:
            secrets: the webhook secret, or several while rotating (current first). A body
                verifies when any of them signed it.
            dedupe: where claimed event keys are kept (``InMemoryDedupe`` for one process, a
                shared store for several), or ``None`` for no dedupe.

        Raises:
            WebhookSecretError: a secret is empty, blank or not a str, or none is given.
            ConfigurationError: ``dedupe`` lacks ``claim``/``complete``/``release``.
        """
        self._keys: tuple[bytes, ...] = tuple(_secret_keys(secrets))
        if dedupe is not None and not isinstance(dedupe, DedupeStore):
            raise ConfigurationError(
                f"dedupe must provide async claim(key), complete(key) and release(key), "
                f"not {type(dedupe).__name__}"
            )
        self.dedupe: DedupeStore | None = dedupe

    def check_signature(self, body: bytes | bytearray | memoryview, headers: object) -> None:
        """Verify ``X-Webhook-Signature`` (looked up in ``headers``, any case) over ``body``.

        Raises:
            RawBodyRequiredError: ``body`` is not the raw bytes.
            MissingSignatureError, MalformedSignatureError, SignatureMismatchError: the
                request is not authentic (answer 401).
        """
        data = body if type(body) is bytes else _raw_body(body)
        signature = headers.get(SIGNATURE_HEADER) if type(headers) is dict else None
        if signature is None or type(signature) is not str:
            signature = header_value(headers, SIGNATURE_HEADER)
        expected = _fast_signature_bytes(signature)
        matched = False
        for key in self._keys:  # every key, each compared in constant time
            if hmac.compare_digest(hmac.digest(key, data, "sha256"), expected):
                matched = True
        if not matched:
            raise SignatureMismatchError(
                "webhook signature does not match the body for any configured secret"
            )

    def verify_sync(self, body: bytes | bytearray | memoryview, headers: object) -> WebhookEvent:
        """Verify and parse, without dedupe (for synchronous code).

        Args:
            body: the raw request body, exactly as received.
            headers: the request headers: any mapping (any key case), a WSGI environ, or
                ``(name, value)`` pairs.

        Returns:
            The typed event (``delivered_as`` from ``X-Webhook-Event``).

        Raises:
            ConfigurationError: a dedupe store is configured: use ``await verify(...)`` (or
                ``asgiref.sync.async_to_sync(verifier.verify)``), which claims the event;
                skipping dedupe silently would act on replays.
            WebhookVerificationError: see :meth:`verify` (401 / 400 cases).
        """
        if self.dedupe is not None:
            raise ConfigurationError(
                "this WebhookVerifier has a dedupe store, which is async: use "
                "'await verifier.verify(body, headers)' (from sync code: "
                "asgiref.sync.async_to_sync(verifier.verify)); verify_sync would skip dedupe"
            )
        return self._verify_and_parse(body, headers)

    async def verify(self, body: bytes | bytearray | memoryview, headers: object) -> WebhookEvent:
        """Verify the signature over ``body``, parse it, and claim its dedupe key.

        Args:
            body: the raw request body, exactly as received (never re-serialised JSON).
            headers: the request headers: any mapping (any key case), a WSGI environ, or
                ``(name, value)`` pairs.

        Returns:
            The typed event, claimed (as processing) in the dedupe store when one is
            configured. When handling it succeeds call :meth:`complete`; when it fails call
            :meth:`release` so the sender's retry is processed. (A claim neither completed nor
            released expires after the store's processing TTL.)

        Raises:
            MissingSignatureError, MalformedSignatureError, SignatureMismatchError: not
                authentic (answer 401).
            InvalidPayloadError: authentic, but not an event (answer 400).
            RawBodyRequiredError: ``body`` is not bytes (a bug in the receiving code).
            DuplicateEventError: authentic, but already handled (answer 200, do nothing).
                Not a WebhookVerificationError.
            EventInProgressError: authentic, but another attempt is handling it right now
                (answer 409: the sender retries later). Not a WebhookVerificationError.

        Errors of the dedupe store itself (a Redis outage) propagate unchanged: answering
        500 makes the sender retry later, which is what should happen.
        """
        event = self._verify_and_parse(body, headers)
        if self.dedupe is None:
            return event
        key = event.dedupe_key
        claimed: object = await self.dedupe.claim(key)
        if claimed == ClaimResult.NEW or claimed is True:  # True: a store of the bool protocol
            return event
        if claimed == ClaimResult.IN_PROGRESS:
            raise EventInProgressError(event, key)
        if claimed == ClaimResult.DONE or claimed is False:
            raise DuplicateEventError(event, key)
        # A store answering something else is a bug: dropping the event as a duplicate would
        # lose it silently, so fail loudly (the adapters answer 500; the sender retries).
        raise ConfigurationError(
            f"the dedupe store {type(self.dedupe).__name__} answered claim() with "
            f"{type(claimed).__name__}, not a ClaimResult"
        )

    async def complete(self, event: WebhookEvent) -> None:
        """Mark ``event`` handled: later deliveries of it raise :class:`DuplicateEventError`.

        Call it after your handling succeeded. Does nothing without a dedupe store.
        """
        if self.dedupe is not None:
            await self.dedupe.complete(event.dedupe_key)

    async def release(self, event: WebhookEvent) -> None:
        """Forget the claim on ``event`` (its handling failed), so a redelivery is processed.

        Does nothing without a dedupe store.
        """
        if self.dedupe is not None:
            await self.dedupe.release(event.dedupe_key)

    def _verify_and_parse(self, body: Any, headers: object) -> WebhookEvent:
        self.check_signature(body, headers)
        delivered_as = header_value(headers, EVENT_HEADER)
        if not isinstance(delivered_as, str) or len(delivered_as) > _MAX_EVENT_HEADER_LENGTH:
            delivered_as = None  # unsigned and informational: drop anything odd
        return parse_event(body, delivered_as=delivered_as)

    def __repr__(self) -> str:
        dedupe = "none" if self.dedupe is None else type(self.dedupe).__name__
        return f"<WebhookVerifier secrets={len(self._keys)} dedupe={dedupe}>"


def _fast_signature_bytes(signature: object) -> bytes:
    """:func:`_signature_bytes`, with a shortcut for the usual 64 hex digits.

    ``bytes.fromhex`` skips whitespace between digit pairs, so a 64-character value decoding to
    fewer than 32 bytes is not clean hex: it takes the strict path (which refuses it).
    """
    if type(signature) is str and len(signature) == _HEX_LENGTH:
        try:
            digest = bytes.fromhex(signature)
        except ValueError:
            pass
        else:
            if len(digest) == _DIGEST_LENGTH:
                return digest
    return _signature_bytes(signature)
