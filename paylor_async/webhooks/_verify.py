"""Verify ``X-Webhook-Signature`` over the raw body of a Paylor callback.

Why raw bytes: Paylor signs the exact bytes it sends. Parsing the JSON and serialising it again
changes spacing, key order, number and escape formatting, so the signature no longer matches
(and a verifier that "fixes" that would accept bodies Paylor never signed). Read the body once,
verify it, and only then parse it.

Replay: Paylor signs no timestamp, so a captured callback verifies forever and can be sent
again. Verification proves who sent a body, not that it is fresh: make handlers idempotent
(dedupe on transaction id + status).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from ._errors import (
    MalformedSignatureError,
    MissingSignatureError,
    RawBodyRequiredError,
    SignatureMismatchError,
    WebhookSecretError,
)

__all__ = [
    "EVENT_HEADER",
    "MAX_SIGNATURE_HEADER_LENGTH",
    "SIGNATURE_HEADER",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Webhook-Signature"
"""The header carrying the lower-case hex HMAC-SHA256 of the raw body."""

EVENT_HEADER = "X-Webhook-Event"
"""The header carrying the event name (may differ from the body's ``event``; not signed)."""

MAX_SIGNATURE_HEADER_LENGTH = 200
"""Longer headers are refused before their content is looked at (64 hex digits are needed)."""

_PREFIX = "sha256="
_HEX_LENGTH = 2 * hashlib.sha256().digest_size
_HEX_DIGITS = frozenset("0123456789abcdef")


def verify_signature(
    body: bytes | bytearray | memoryview,
    signature: str | None,
    secret: str | Sequence[str],
) -> None:
    """Check that ``signature`` is Paylor's HMAC-SHA256 of ``body``; return ``None`` if so.

    Args:
        body: the raw request body exactly as received (``bytes``, ``bytearray`` or
            ``memoryview``). Never decoded text or re-serialised JSON: those fail with
            :class:`RawBodyRequiredError` (see the module docstring for why).
        signature: the ``X-Webhook-Signature`` header value, or ``None`` if absent. Paylor
            sends 64 lower-case hex digits; upper case, surrounding whitespace and a
            ``sha256=`` prefix (any case) are accepted too.
        secret: the webhook secret, or a sequence of secrets while rotating (current and
            previous). A ``str`` is always one secret. The body verifies if any secret matches;
            every secret is compared, each in constant time.

    Raises:
        WebhookSecretError: ``secret`` is empty, blank, not a str, or an empty sequence.
        RawBodyRequiredError: ``body`` is not bytes-like (a str, a dict...).
        MissingSignatureError: ``signature`` is ``None``, empty or blank.
        MalformedSignatureError: ``signature`` is not a str, is longer than
            :data:`MAX_SIGNATURE_HEADER_LENGTH`, or is not 64 hex digits.
        SignatureMismatchError: well formed, but no secret produced it for this body.

    Only :class:`WebhookVerificationError` subclasses are raised, whatever the input, so a
    forged or garbled request can be answered with a 4xx rather than crash the handler. Secret
    and body problems (the first two) are raised before the header is looked at: they are bugs
    in the receiver and fail every callback, legitimate or not.

    A verified body may still be a replay: Paylor signs no timestamp. Dedupe on transaction id
    + status before acting on it.
    """
    keys = _secret_keys(secret)
    data = _raw_body(body)
    expected = _signature_bytes(signature)
    matched = False
    for key in keys:
        digest = hmac.new(key, data, hashlib.sha256).digest()
        if hmac.compare_digest(digest, expected):
            matched = True
    if not matched:
        raise SignatureMismatchError(
            "webhook signature does not match the body for any configured secret"
        )


def _secret_keys(secret: object) -> list[bytes]:
    """The secrets as HMAC keys; refuse anything that is not one or more non-blank str."""
    if isinstance(secret, str):
        candidates: tuple[object, ...] = (secret,)
    elif isinstance(secret, Sequence) and not isinstance(secret, (bytes, bytearray)):
        try:
            candidates = tuple(secret)
        except Exception:
            raise WebhookSecretError("webhook secrets could not be read as a sequence") from None
        if not candidates:
            raise WebhookSecretError("no webhook secret given (empty sequence)")
    else:
        raise WebhookSecretError(
            f"webhook secret must be a str or a sequence of str, not {type(secret).__name__}"
        )
    keys: list[bytes] = []
    for index, candidate in enumerate(candidates):
        if not isinstance(candidate, str):
            raise WebhookSecretError(
                f"webhook secret #{index} must be a str, not {type(candidate).__name__}"
            )
        if not candidate.strip():
            # An empty key makes every signature forgeable; a blank one is a settings mistake.
            raise WebhookSecretError(f"webhook secret #{index} is empty or blank")
        try:
            keys.append(candidate.encode("utf-8"))
        except UnicodeError:
            raise WebhookSecretError(
                f"webhook secret #{index} cannot be encoded as UTF-8"
            ) from None
    return keys


def _raw_body(body: object) -> bytes | bytearray:
    """The body as bytes; refuse text and parsed JSON, which cannot be verified."""
    if isinstance(body, (bytes, bytearray)):
        return body
    if isinstance(body, memoryview):
        try:
            return body.tobytes()
        except Exception:  # a released view
            raise RawBodyRequiredError("webhook body memoryview is not readable") from None
    raise RawBodyRequiredError(
        f"webhook body must be the raw request bytes, not {type(body).__name__}: pass the "
        "bytes exactly as received (never decoded text or re-serialised JSON)"
    )


def _signature_bytes(signature: object) -> bytes:
    """The 32 digest bytes the header claims; refuse anything else without echoing it."""
    if signature is None:
        raise MissingSignatureError(f"missing {SIGNATURE_HEADER} header")
    if not isinstance(signature, str):
        raise MalformedSignatureError(
            f"{SIGNATURE_HEADER} must be a str, not {type(signature).__name__}"
        )
    # Cap first: nothing below (strip, lower, fromhex) runs on an oversized header.
    if len(signature) > MAX_SIGNATURE_HEADER_LENGTH:
        raise MalformedSignatureError(
            f"{SIGNATURE_HEADER} is too long ({len(signature)} characters, "
            f"at most {MAX_SIGNATURE_HEADER_LENGTH})"
        )
    if not signature.isascii():
        raise MalformedSignatureError(f"{SIGNATURE_HEADER} contains non-ASCII characters")
    candidate = signature.strip().lower()
    if not candidate:
        # Servers trim header whitespace, so blank is empty: the sender had no secret.
        raise MissingSignatureError(f"empty {SIGNATURE_HEADER} header")
    if candidate.startswith(_PREFIX):
        candidate = candidate[len(_PREFIX) :]
    if len(candidate) != _HEX_LENGTH:
        raise MalformedSignatureError(
            f"{SIGNATURE_HEADER} must be {_HEX_LENGTH} hex digits, got {len(candidate)} characters"
        )
    # fromhex alone would skip embedded whitespace; insist on hex digits only.
    if not _HEX_DIGITS.issuperset(candidate):
        raise MalformedSignatureError(f"{SIGNATURE_HEADER} is not hexadecimal")
    try:
        return bytes.fromhex(candidate)
    except ValueError:
        raise MalformedSignatureError(f"{SIGNATURE_HEADER} is not hexadecimal") from None
