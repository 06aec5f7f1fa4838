"""Endpoint handlers and THE route table. A new endpoint is one handler plus one row in ROUTES."""

from __future__ import annotations

from ._channel_handlers import CHANNEL_ROUTES
from ._collect import collecting_channel, fee_covered
from ._crypto_handlers import CRYPTO_ROUTES
from ._idempotency import remember, replay
from ._payout_handlers import PAYOUT_ROUTES
from ._responses import ApiError, ApiResponse
from ._routing import RequestContext, Route
from ._validation import is_object_id, validate_page, validate_stk_push

__all__ = ["ROUTES", "get_transaction", "list_transactions", "stk_push"]


def stk_push(ctx: RequestContext) -> ApiResponse:
    """``POST /merchants/payments/stk-push``.

    Synchronous from the idempotency check to the store: concurrent duplicates cannot both create.
    """
    state = ctx.state
    key, stored = replay(ctx)
    if stored is not None:
        return stored
    data = validate_stk_push(ctx.json)
    channel = collecting_channel(state, data.channel_id)
    fee = fee_covered(state, data.amount)
    tx = state.create_transaction(
        phone=data.phone,
        amount=data.amount,
        reference=data.reference,
        description=data.description,
        channel=channel,
        callback_url=data.callback_url,
        fee=fee,
        idempotency_key=key,
        api_key=ctx.key.key,
    )
    response = ApiResponse.json(
        201, {"transactionId": tx.id, "status": "SENT", "message": "STK push sent"}
    )
    remember(ctx, key, response, tx.id)
    state.mark_stk_sent(tx)
    return response


def get_transaction(ctx: RequestContext) -> ApiResponse:
    """``GET /merchants/payments/transactions/{transactionId}``: a flat object."""
    tx_id = ctx.params["transactionId"]
    tx = ctx.state.lookup(ctx.key.merchant_id, tx_id) if is_object_id(tx_id) else None
    if tx is None:
        raise ApiError.not_found("Transaction not found")
    return ApiResponse.json(200, tx.to_api())


def list_transactions(ctx: RequestContext) -> ApiResponse:
    """``GET /merchants/payments/transactions?limit=&offset=``: newest first."""
    page = validate_page(ctx.query)
    everything = ctx.state.transactions_of(ctx.key.merchant_id)
    window = everything[page.offset : page.offset + page.limit]
    return ApiResponse.json(
        200, {"transactions": [t.to_api() for t in window], "total": len(everything)}
    )


#: name, method, path (relative to /api/v1), scopes (any one grants), rate-limit group, handler
_COLLECTION_ROUTES: tuple[Route, ...] = (
    Route(
        "stk_push",
        "POST",
        "/merchants/payments/stk-push",
        ("payments:create",),
        "payments",
        stk_push,
    ),
    Route(
        "get_transaction",
        "GET",
        "/merchants/payments/transactions/{transactionId}",
        ("transactions:read",),
        "payments",
        get_transaction,
    ),
    Route(
        "list_transactions",
        "GET",
        "/merchants/payments/transactions",
        ("transactions:read",),
        "payments",
        list_transactions,
    ),
)

#: Every M-Pesa-side route: collections, payouts and wallet, crypto, channels.
ROUTES: tuple[Route, ...] = _COLLECTION_ROUTES + PAYOUT_ROUTES + CRYPTO_ROUTES + CHANNEL_ROUTES
