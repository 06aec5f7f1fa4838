"""B2C payouts, B2B Express Checkout, the wallet and B2C metrics: handlers and their routes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from ._collect import collecting_channel, fee_covered
from ._idempotency import remember, replay
from ._ids import iso_ms
from ._responses import ApiError, ApiResponse
from ._routing import RequestContext, Route
from ._validation import validate_b2b, validate_b2c

__all__ = ["PAYOUT_ROUTES", "b2b_express", "b2c_metrics", "b2c_payout", "wallet"]

#: How many wallet movements ``GET /merchants/wallet`` lists.
WALLET_HISTORY = 50


def _conversation_id(wall: float) -> str:
    """An M-Pesa B2C ``ConversationID``: ``AG_`` + date + random hex."""
    stamp = datetime.fromtimestamp(wall, UTC).strftime("%Y%m%d")
    return f"AG_{stamp}_{secrets.token_hex(10)}"


def b2c_payout(ctx: RequestContext) -> ApiResponse:
    """``POST /merchants/payments/b2c``: debit the B2C wallet at once (refunded on failure)."""
    state = ctx.state
    key, stored = replay(ctx)
    if stored is not None:
        return stored
    data = validate_b2c(ctx.json)
    if state.b2c_wallet_balance < data.amount:
        raise ApiError(
            402,
            "PAYMENT_REQUIRED",
            f"Insufficient B2C wallet balance for a payout of KES {data.amount}",
        )
    tx = state.create_transaction(
        phone=data.phone,
        amount=data.amount,
        reference=data.reference,
        description=data.remarks,
        channel=None,
        callback_url=data.callback_url,
        fee=Decimal(0),
        idempotency_key=key,
        api_key=ctx.key.key,
    )
    tx.kind = "B2C"
    tx.checkout_request_id = _conversation_id(state.clock.wall())
    tx.extra_fields["commandId"] = data.command_id
    state.b2c_wallet_balance -= data.amount
    response = ApiResponse.json(
        201, {"transactionId": tx.id, "status": "PENDING", "message": "B2C payout initiated"}
    )
    remember(ctx, key, response, tx.id)
    state.mark_submitted(tx, "PENDING")
    return response


def b2b_express(ctx: RequestContext) -> ApiResponse:
    """``POST /merchants/payments/b2b`` (GUESSED): a USSD prompt to the paying business."""
    state = ctx.state
    key, stored = replay(ctx)
    if stored is not None:
        return stored
    data = validate_b2b(ctx.json)
    channel = collecting_channel(state, data.channel_id)
    fee = fee_covered(state, data.amount)
    tx = state.create_transaction(
        phone=data.payer_shortcode,
        amount=data.amount,
        reference=data.reference,
        description=data.description,
        channel=channel,
        callback_url=data.callback_url,
        fee=fee,
        idempotency_key=key,
        api_key=ctx.key.key,
    )
    tx.kind = "B2B_EXPRESS"
    response = ApiResponse.json(
        201, {"transactionId": tx.id, "status": "SENT", "message": "B2B express checkout sent"}
    )
    remember(ctx, key, response, tx.id)
    state.mark_submitted(tx, "SENT")
    return response


def wallet(ctx: RequestContext) -> ApiResponse:
    """``GET /merchants/wallet``: the fee wallet and the fees it paid, newest first."""
    state = ctx.state
    movements = [
        {
            "id": tx.id,
            "type": "FEE",
            "amount": -tx.fee,
            "currency": "KES",
            "reference": tx.reference,
            "transactionId": tx.id,
            "description": "Transaction fee",
            "createdAt": iso_ms(tx.updated_at),
        }
        for tx in state.transactions_of(ctx.key.merchant_id)
        if tx.status == "COMPLETED" and tx.fee > 0
    ][:WALLET_HISTORY]
    return ApiResponse.json(
        200,
        {
            "success": True,
            "wallet": {"balance": state.fee_wallet_balance, "currency": "KES"},
            "transactions": movements,
        },
    )


def b2c_metrics(ctx: RequestContext) -> ApiResponse:
    """``GET /merchants/b2c/metrics`` (GUESSED shape): B2C balance and payout counts."""
    state = ctx.state
    payouts = [t for t in state.transactions_of(ctx.key.merchant_id) if t.kind == "B2C"]
    done = [t for t in payouts if t.status == "COMPLETED"]
    failed = [t for t in payouts if t.status == "FAILED"]
    metrics = {
        "balance": state.b2c_wallet_balance,
        "currency": "KES",
        "totalPayouts": len(payouts),
        "totalAmount": sum(t.amount for t in done),
        "successful": len(done),
        "failed": len(failed),
        "pending": len(payouts) - len(done) - len(failed),
    }
    return ApiResponse.json(200, {"success": True, "metrics": metrics})


PAYOUT_ROUTES: tuple[Route, ...] = (
    Route("b2c_payout", "POST", "/merchants/payments/b2c", ("b2c:payout",), "payments", b2c_payout),
    Route(
        "b2b_express",
        "POST",
        "/merchants/payments/b2b",
        ("payments:create",),
        "payments",
        b2b_express,
    ),
    Route("wallet_retrieve", "GET", "/merchants/wallet", ("wallet:read",), "payments", wallet),
    Route("b2c_metrics", "GET", "/merchants/b2c/metrics", ("b2c:read",), "payments", b2c_metrics),
)
