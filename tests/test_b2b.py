"""M-Pesa B2B Express Checkout (path and body GUESSED) over real HTTP against the simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paylor_async import (
    InvalidAmountError,
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    NotFoundError,
    PaylorClient,
    PaymentRequiredError,
    TransactionStatus,
    ValidationError,
)
from paylor_async.models.payouts import B2BExpressResult
from paylor_async.testing import Fault, PaylorSimulator

from ._mpesa_support import assert_missing_scope, last_request, wire_body

B2B = "/merchants/payments/b2b"


async def test_exact_wire_body_headers_and_result(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    result = await client.payments.b2b_express(
        payer_shortcode="600100",
        amount=Decimal("2500"),
        reference="INV-204",
        partner_name="Acme Supplies",
        channel_id=sim.default_channel_alias,
        description="Invoice 204",
        callback_url="https://shop.example/paylor",
        idempotency_key="inv-204",
    )
    req = last_request(sim, B2B)
    assert wire_body(req) == {
        "payerShortcode": "600100",
        "amount": 2500,
        "reference": "INV-204",
        "partnerName": "Acme Supplies",
        "channelId": sim.default_channel_alias,
        "description": "Invoice 204",
        "callbackUrl": "https://shop.example/paylor",
    }
    assert req.headers["Idempotency-Key"] == "inv-204"
    assert isinstance(result, B2BExpressResult)
    assert result.status is TransactionStatus.SENT
    assert result.idempotency_key == "inv-204"
    assert result.response is not None
    assert result.response.status == 201
    assert result.response.rate_limit_limit == 60
    tx = sim.transactions[result.transaction_id or ""]
    assert (tx.kind, tx.phone, tx.amount) == ("B2B_EXPRESS", "600100", 2500)


async def test_minimal_body_and_generated_key(sim: PaylorSimulator, client: PaylorClient) -> None:
    result = await client.payments.b2b_express(payer_shortcode="12345", amount=1, reference="B-1")
    req = last_request(sim, B2B)
    assert wire_body(req) == {"payerShortcode": "12345", "amount": 1, "reference": "B-1"}
    assert req.headers["Idempotency-Key"] == result.idempotency_key != ""


async def test_completion_delivers_the_webhook_and_charges_the_fee(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    result = await client.payments.b2b_express(
        payer_shortcode="600100",
        amount=1000,
        reference="B-2",
        callback_url="http://127.0.0.1:9/hook",
    )
    await sim.complete(result.transaction_id or "")
    assert sim.webhook_deliveries[0].event == "payment.success"
    assert sim.fee_wallet_balance == Decimal("10000") - Decimal("14.9")


async def test_same_key_replays_the_first_answer(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    kwargs = {"payer_shortcode": "600100", "amount": 50, "reference": "B-3"}
    first = await client.payments.b2b_express(**kwargs, idempotency_key="b-3")  # type: ignore[arg-type]
    again = await client.payments.b2b_express(**kwargs, idempotency_key="b-3")  # type: ignore[arg-type]
    assert again.transaction_id == first.transaction_id
    assert len(sim.transactions_by_reference("B-3")) == 1


async def test_fee_wallet_short_is_payment_required(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.fee_wallet_balance = 1
    with pytest.raises(PaymentRequiredError):
        await client.payments.b2b_express(payer_shortcode="600100", amount=1000, reference="B-4")
    assert sim.transactions == {}


async def test_unknown_channel_is_not_found(sim: PaylorSimulator, client: PaylorClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.payments.b2b_express(
            payer_shortcode="600100", amount=10, reference="B-5", channel_id="PAYL-ZZZZZZ"
        )
    assert info.value.code == "RESOURCE_NOT_FOUND"
    assert sim.transactions == {}


async def test_server_validation_error_has_details(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    details = [{"path": "payerShortcode", "message": "payer is not a till", "code": "custom"}]
    sim.faults.inject(Fault.VALIDATION_ERROR, path=B2B, details=details)
    with pytest.raises(ValidationError) as info:
        await client.payments.b2b_express(payer_shortcode="600100", amount=10, reference="B-6")
    assert [(d.path, d.message, d.code) for d in info.value.details] == [
        ("payerShortcode", "payer is not a till", "custom")
    ]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"payer_shortcode": "1234"}, InvalidParameterError),
        ({"payer_shortcode": "60O100"}, InvalidParameterError),
        ({"payer_shortcode": 600100}, InvalidParameterError),
        ({"amount": 0}, InvalidAmountError),
        ({"amount": Decimal("10.5")}, InvalidAmountError),
        ({"reference": " "}, InvalidParameterError),
        ({"partner_name": ""}, InvalidParameterError),
        ({"callback_url": "shop.example"}, InvalidParameterError),
        ({"idempotency_key": "no spaces"}, InvalidIdempotencyKeyError),
    ],
)
async def test_bad_input_is_typed_and_sends_nothing(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {"payer_shortcode": "600100", "amount": 100, "reference": "R"}
    args.update(kwargs)
    with pytest.raises(error):
        await client.payments.b2b_express(**args)  # type: ignore[arg-type]
    assert sim.requests == []


async def test_missing_scope(sim: PaylorSimulator) -> None:
    await assert_missing_scope(
        sim,
        lambda c: c.payments.b2b_express(payer_shortcode="600100", amount=10, reference="R"),
        route="b2b_express",
        required="payments:create",
    )
