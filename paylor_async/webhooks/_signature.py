"""HMAC-SHA256 signatures of webhook bodies, as Paylor computes them."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["compute_signature"]


def compute_signature(body: bytes, secret: str) -> str:
    """Return the lower-case hex HMAC-SHA256 of ``body`` keyed with ``secret``.

    This is the value Paylor sends in ``X-Webhook-Signature``.
    """
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
