"""M-Pesa B2C payouts over real HTTP against the simulator."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from paylor_async import (
    InvalidAmountError,
    InvalidIdempotencyKeyError,
    InvalidParameterError,
    InvalidPhoneNumberError,
    PaylorClient,
    PaymentRequiredError,
    TransactionStatus,
    ValidationError,
)
from paylor_async.models.payouts import PayoutResult
from paylor_async.testing import Fault, PaylorSimulator

from ._mpesa_support import assert_missing_scope, fake_paylor, last_request, wire_body

B2C = "/merchants/payments/b2c"
HOOK = "https://shop.example/paylor/payouts"


async def test_exact_wire_body_headers_and_result(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    payout = await client.payouts.b2c(
        "0712 345 678",
        Decimal("1500.00"),
        "PAYOUT-7",
        remarks="July commission",
        command_id="SalaryPayment",
        callback_url=HOOK,
        idempotency_key="payout-7",
    )
    req = last_request(sim, B2C)
    assert req.method == "POST"
    assert wire_body(req) == {
        "phone": "254712345678",
        "amount": 1500,
        "reference": "PAYOUT-7",
        "commandId": "SalaryPayment",
        "remarks": "July commission",
        "callbackUrl": HOOK,
    }
    assert req.headers["Idempotency-Key"] == "payout-7"
    assert isinstance(payout, PayoutResult)
    assert payout.idempotency_key == "payout-7"
    assert payout.status is TransactionStatus.PENDING
    assert payout.transaction_id in sim.transactions
    assert payout.response is not None
    assert payout.response.status == 201
    assert payout.response.headers["Content-Type"].startswith("application/json")
    assert payout.response.idempotency_key == "payout-7"
    assert payout.raw["message"] == "B2C payout initiated"


async def test_defaults_send_business_payment_and_a_generated_key(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    payout = await client.payouts.b2c("+254712345678", 10, "P-1")
    req = last_request(sim, B2C)
    assert wire_body(req) == {
        "phone": "254712345678",
        "amount": 10,
        "reference": "P-1",
        "commandId": "BusinessPayment",
    }
    assert req.headers["Idempotency-Key"] == payout.idempotency_key
    assert 0 < len(payout.idempotency_key) <= 180


async def test_the_b2c_wallet_is_debited_and_a_failure_refunds_it(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.b2c_wallet_balance = 5000
    payout = await client.payouts.b2c("0712345678", 1200, "P-2", callback_url=HOOK)
    assert sim.b2c_wallet_balance == Decimal("3800")
    assert payout.transaction_id is not None
    tx = await sim.fail_payout(payout.transaction_id)
    assert tx.status == "FAILED"
    assert sim.b2c_wallet_balance == Decimal("5000")
    assert sim.fee_wallet_balance == Decimal("10000")  # payouts draw on their own wallet


async def test_b2c_wallet_short_is_payment_required_and_creates_nothing(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.b2c_wallet_balance = 999
    with pytest.raises(PaymentRequiredError) as info:
        await client.payouts.b2c("0712345678", 1000, "P-3", idempotency_key="p-3")
    assert info.value.code == "PAYMENT_REQUIRED"
    assert info.value.idempotency_key == "p-3"
    assert sim.transactions == {}
    assert len(sim.requests_for(B2C)) == 1


async def test_same_key_replays_the_first_answer_and_pays_once(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    first = await client.payouts.b2c("0712345678", 500, "P-4", idempotency_key="p-4")
    again = await client.payouts.b2c("0712345678", 500, "P-4", idempotency_key="p-4")
    assert again.transaction_id == first.transaction_id
    assert again.raw == first.raw
    assert len(sim.transactions_by_reference("P-4")) == 1
    assert sim.b2c_wallet_balance == Decimal("99500")


async def test_a_retry_after_a_lost_answer_reuses_the_key(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.SERVER_ERROR_AFTER_CREATE, path=B2C)
    payout = await client.payouts.b2c("0712345678", 300, "P-5")
    keys = [r.headers["Idempotency-Key"] for r in sim.requests_for(B2C)]
    assert len(keys) == 2
    assert keys[0] == keys[1] == payout.idempotency_key
    assert len(sim.transactions_by_reference("P-5")) == 1


async def test_completion_delivers_payment_success_to_the_callback(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    payout = await client.payouts.b2c(
        "0712345678", 250, "P-6", callback_url="http://127.0.0.1:9/hook"
    )
    assert payout.transaction_id is not None
    tx = await sim.complete_payout(payout.transaction_id, mpesa_receipt="SBC1234567")
    [delivery] = sim.webhook_deliveries
    assert delivery.event == "payment.success"
    assert delivery.transaction_id == tx.id
    body = json.loads(delivery.body)
    assert body["transaction"]["reference"] == "P-6"
    assert body["transaction"]["status"] == "COMPLETED"
    assert body["transaction"]["metadata"]["mpesaReceipt"] == "SBC1234567"
    stored = await client.transactions.retrieve(tx.id)
    assert stored.status is TransactionStatus.COMPLETED


async def test_failure_delivers_payment_failed(sim: PaylorSimulator, client: PaylorClient) -> None:
    payout = await client.payouts.b2c(
        "0712345678", 250, "P-7", callback_url="http://127.0.0.1:9/hook"
    )
    assert payout.transaction_id is not None
    await sim.fail_payout(payout.transaction_id, result_code=2040, result_desc="Unregistered")
    [delivery] = sim.webhook_deliveries
    assert delivery.event == "payment.failed"
    assert b'"callbackResultCode":2040' in delivery.body


async def test_payout_controls_refuse_other_transactions(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    push = await client.payments.stk_push(phone="0712345678", amount=10, reference="S")
    with pytest.raises(KeyError):
        await sim.complete_payout(push.transaction_id)


async def test_server_validation_error_has_details(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    details = [{"path": "remarks", "message": "remarks contains unsupported characters"}]
    sim.faults.inject(Fault.VALIDATION_ERROR, path=B2C, details=details)
    with pytest.raises(ValidationError) as info:
        await client.payouts.b2c("0712345678", 100, "P-8", remarks="emoji")
    assert [(d.path, d.message) for d in info.value.details] == [
        ("remarks", "remarks contains unsupported characters")
    ]
    assert info.value.idempotency_key is not None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"phone": "0812345678"}, InvalidPhoneNumberError),
        ({"amount": 9}, InvalidAmountError),
        ({"amount": 150_001}, InvalidAmountError),
        ({"amount": Decimal("100.50")}, InvalidAmountError),
        ({"amount": True}, InvalidAmountError),
        ({"reference": ""}, InvalidParameterError),
        ({"remarks": "x" * 101}, InvalidParameterError),
        ({"command_id": "businesspayment"}, InvalidParameterError),
        ({"command_id": "TaxPayment"}, InvalidParameterError),
        ({"callback_url": "ftp://x"}, InvalidParameterError),
        ({"idempotency_key": "k" * 181}, InvalidIdempotencyKeyError),
    ],
)
async def test_bad_input_is_typed_and_sends_nothing(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {"phone": "0712345678", "amount": 100, "reference": "R"}
    args.update(kwargs)
    with pytest.raises(error):
        await client.payouts.b2c(**args)  # type: ignore[arg-type]
    assert sim.requests == []


async def test_the_bounds_are_inclusive(sim: PaylorSimulator, client: PaylorClient) -> None:
    sim.b2c_wallet_balance = 200_000
    await client.payouts.b2c("0712345678", 10, "LOW")
    await client.payouts.b2c("0712345678", 150_000, "HIGH")
    assert [wire_body(r)["amount"] for r in sim.requests_for(B2C)] == [10, 150_000]


async def test_missing_scope(sim: PaylorSimulator) -> None:
    await assert_missing_scope(
        sim,
        lambda c: c.payouts.b2c("0712345678", 100, "R"),
        route="b2c_payout",
        required="b2c:payout",
    )
    assert sim.transactions == {}


async def test_an_unexpected_answer_shape_is_kept_not_fatal() -> None:
    answer = {"payoutId": "p_1", "status": "QUEUED", "conversationId": "AG_1"}
    async with fake_paylor({"/api/v1" + B2C: answer}) as paylor:
        payout = await paylor.payouts.b2c("0712345678", 100, "P-9", idempotency_key="p-9")
    assert payout.transaction_id is None
    assert payout.status == "QUEUED"
    assert payout.status is not None
    assert not payout.status.is_known
    assert payout.raw["payoutId"] == "p_1"
    assert payout.idempotency_key == "p-9"
