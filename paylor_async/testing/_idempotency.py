"""Idempotency for every creating POST: the same key gets the stored first response back."""

from __future__ import annotations

from ._responses import ApiResponse
from ._routing import RequestContext
from ._state import StoredResponse
from ._validation import idempotency_key

__all__ = ["remember", "replay"]


def replay(ctx: RequestContext) -> tuple[str | None, ApiResponse | None]:
    """The request's key, and the stored first response for it (``None`` if it is new).

    Keys are per merchant; replaying ignores the body (what Paylor does with a reused key and
    a different body is unknown).
    """
    key = idempotency_key(ctx.headers)
    if key is None:
        return None, None
    stored = ctx.state.idempotency.get((ctx.key.merchant_id, key))
    if stored is None:
        return key, None
    return key, ApiResponse(stored.status, stored.body)


def remember(
    ctx: RequestContext, key: str | None, response: ApiResponse, object_id: str | None
) -> None:
    """Store ``response`` as the answer to ``key`` (nothing without a key)."""
    if key is not None:
        ctx.state.idempotency[(ctx.key.merchant_id, key)] = StoredResponse(
            response.status, response.body, object_id
        )
