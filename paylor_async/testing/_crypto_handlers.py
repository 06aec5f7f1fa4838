"""USDT (TRC20) payments: create and retrieve, and their routes."""

from __future__ import annotations

from ._crypto_state import SimCryptoPayment, tron_address
from ._idempotency import remember, replay
from ._ids import iso_ms, object_id
from ._responses import ApiError, ApiResponse
from ._routing import RequestContext, Route
from ._validation import validate_crypto

__all__ = ["CRYPTO_ROUTES", "create_crypto_payment", "retrieve_crypto_payment"]


def create_crypto_payment(ctx: RequestContext) -> ApiResponse:
    """``POST /merchants/payments/crypto``: a deposit address that expires; snake_case answer."""
    state = ctx.state
    key, stored = replay(ctx)
    if stored is not None:
        return stored
    data = validate_crypto(ctx.json)
    wall = state.clock.wall()
    payment_id = object_id(wall)
    while payment_id in state.crypto_payments:
        payment_id = object_id(wall)
    payment = SimCryptoPayment(
        id=payment_id,
        merchant_id=ctx.key.merchant_id,
        amount=data.amount,
        reference=data.reference,
        description=data.description,
        crypto_id=data.crypto_id,
        callback_url=data.callback_url,
        address=tron_address(),
        created_at=wall,
        expires_at=wall + state.crypto_payment_ttl,
        idempotency_key=key,
        updated_at=wall,
    )
    state.crypto_payments[payment.id] = payment
    response = ApiResponse.json(
        201,
        {
            "payment_id": payment.id,
            "address": payment.address,
            "amount": payment.amount,
            "currency": payment.currency,
            "status": payment.status,
            "expires_at": iso_ms(payment.expires_at),
        },
    )
    remember(ctx, key, response, payment.id)
    return response


def retrieve_crypto_payment(ctx: RequestContext) -> ApiResponse:
    """``GET /merchants/payments/crypto/{paymentId}`` (GUESSED path): the same snake_case object."""
    payment = ctx.state.crypto_payments.get(ctx.params["paymentId"])
    if payment is None or payment.merchant_id != ctx.key.merchant_id:
        raise ApiError.not_found("Crypto payment not found")
    return ApiResponse.json(200, payment.to_api(ctx.state.clock.wall()))


CRYPTO_ROUTES: tuple[Route, ...] = (
    Route(
        "crypto_create",
        "POST",
        "/merchants/payments/crypto",
        ("crypto:create", "payments:create"),  # any one grants
        "payments",
        create_crypto_payment,
    ),
    Route(
        "crypto_retrieve",
        "GET",
        "/merchants/payments/crypto/{paymentId}",
        ("crypto:read",),
        "payments",
        retrieve_crypto_payment,
    ),
)
