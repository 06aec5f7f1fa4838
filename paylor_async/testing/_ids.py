"""Identifier generators and timestamp formatting for the simulator. Pure, apart from randomness."""

from __future__ import annotations

import math
import secrets
import string
from datetime import UTC, datetime

__all__ = [
    "ALIAS_ALPHABET",
    "api_key",
    "channel_alias",
    "checkout_request_id",
    "internal_reference",
    "iso_ms",
    "merchant_id",
    "mpesa_receipt",
    "object_id",
    "request_id",
    "webhook_secret",
]

#: Characters Paylor uses in channel aliases (no I, O, 0, 1).
ALIAS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_UPPER_ALNUM = string.ascii_uppercase + string.digits


def _pick(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def object_id(wall: float) -> str:
    """A 24-hex id shaped like a MongoDB ObjectId: 4 bytes of epoch seconds, 8 random bytes."""
    seconds = int(wall) & 0xFFFFFFFF
    return f"{seconds:08x}{secrets.token_hex(8)}"


def checkout_request_id(wall: float) -> str:
    """An M-Pesa ``CheckoutRequestID``: ``ws_CO_`` + ddmmyyyyHHMMSS + random digits."""
    stamp = datetime.fromtimestamp(wall, UTC).strftime("%d%m%Y%H%M%S")
    return f"ws_CO_{stamp}{secrets.randbelow(10**6):06d}"


def mpesa_receipt() -> str:
    """An M-Pesa receipt number: 10 upper-case alphanumerics starting with a letter."""
    return secrets.choice(string.ascii_uppercase) + _pick(_UPPER_ALNUM, 9)


def channel_alias() -> str:
    """A channel alias: ``PAYL-`` + 6 characters of :data:`ALIAS_ALPHABET`."""
    return "PAYL-" + _pick(ALIAS_ALPHABET, 6)


def internal_reference(alias: str) -> str:
    """Paylor's routing reference for a transaction on the channel ``alias``."""
    return f"{alias}-{_pick(ALIAS_ALPHABET, 8)}"


def merchant_id() -> str:
    return "MERCH-" + secrets.token_hex(4).upper()


def api_key() -> str:
    return "sk_test_" + secrets.token_hex(24)


def webhook_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def request_id() -> str:
    return "req_" + secrets.token_hex(12)


def iso_ms(wall: float, *, ceil: bool = False) -> str:
    """``wall`` (epoch seconds) as ISO-8601 UTC with milliseconds: ``2026-11-27T18:31:00.000Z``.

    ``ceil=True`` rounds up to the next millisecond, so a client sleeping until a reset time
    is never early.
    """
    ms = math.ceil(wall * 1000) if ceil else math.floor(wall * 1000)
    moment = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"
