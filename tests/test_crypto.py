"""USDT (TRC20) payments over real HTTP against the simulator; the exact amount on the wire."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paylor_async import (
    InvalidAmountError,
    InvalidParameterError,
    ManualClock,
    NotFoundError,
    PaylorClient,
    TransactionStatus,
    ValidationError,
)
from paylor_async.models.crypto import CryptoPayment
from paylor_async.resources.crypto import crypto_amount_for_wire
from paylor_async.testing import Fault, PaylorSimulator

from ._mpesa_support import assert_missing_scope, fake_paylor, last_request, wire_body

CRYPTO = "/merchants/payments/crypto"
WALLET_ID = "665f4c1b9a8d2e001f2a1234"
TRON_ADDRESS = re.compile(r"T[1-9A-HJ-NP-Za-km-z]{33}")


async def test_exact_wire_body_and_snake_case_result(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    payment = await client.crypto.create_payment(
        Decimal("10.5"),
        "ORDER-55",
        description="Pro plan",
        crypto_id=WALLET_ID.upper(),
        callback_url="https://shop.example/paylor",
        idempotency_key="order-55",
    )
    req = last_request(sim, CRYPTO)
    assert b'"amount":10.5,' in req.body
    assert wire_body(req) == {
        "amount": 10.5,
        "currency": "USDT",
        "reference": "ORDER-55",
        "description": "Pro plan",
        "cryptoId": WALLET_ID,
        "callbackUrl": "https://shop.example/paylor",
    }
    assert req.headers["Idempotency-Key"] == "order-55"
    assert isinstance(payment, CryptoPayment)
    assert payment.amount == Decimal("10.5")
    assert isinstance(payment.amount, Decimal)
    assert payment.currency == "USDT"
    assert payment.status is TransactionStatus.INITIATED
    assert payment.address is not None
    assert TRON_ADDRESS.fullmatch(payment.address)
    assert payment.expires_at is not None
    assert payment.expires_at.tzinfo is not None
    stored = sim.crypto_payments[payment.payment_id]
    # The wire carries milliseconds.
    assert abs(payment.expires_at.timestamp() - stored.expires_at) < 0.001
    assert stored.expires_at - stored.created_at == 1800
    assert payment.idempotency_key == "order-55"
    assert payment.response is not None
    assert payment.response.status == 201
    assert set(payment.raw) == {
        "payment_id",
        "address",
        "amount",
        "currency",
        "status",
        "expires_at",
    }


async def test_whole_amount_is_an_integer_on_the_wire(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    payment = await client.crypto.create_payment(25, "O-1")
    req = last_request(sim, CRYPTO)
    assert wire_body(req) == {"amount": 25, "currency": "USDT", "reference": "O-1"}
    assert req.headers["Idempotency-Key"] == payment.idempotency_key != ""


@given(
    st.decimals(
        min_value=Decimal("0.000001"),
        max_value=Decimal("1000000000"),
        places=6,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_every_valid_amount_travels_exactly(amount: Decimal) -> None:
    sent = json.dumps({"amount": crypto_amount_for_wire(amount)})
    assert json.loads(sent, parse_float=Decimal)["amount"] == amount


async def test_retrieve_returns_the_same_payment(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    created = await client.crypto.create_payment(Decimal("3.25"), "O-2")
    fetched = await client.crypto.retrieve(created.payment_id)
    assert fetched.payment_id == created.payment_id
    assert fetched.address == created.address
    assert fetched.amount == Decimal("3.25")
    assert fetched.expires_at == created.expires_at
    assert fetched.reference == "O-2"
    assert fetched.response is not None
    assert fetched.response.status == 200
    assert last_request(sim, "crypto_retrieve").relative_path == f"{CRYPTO}/{created.payment_id}"


async def test_unknown_payment_is_not_found(sim: PaylorSimulator, client: PaylorClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.crypto.retrieve("665f4c1b9a8d2e001f2a9999")
    assert info.value.code == "RESOURCE_NOT_FOUND"


async def test_confirmation_sends_payment_success(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    created = await client.crypto.create_payment(
        Decimal("10.5"), "O-3", callback_url="http://127.0.0.1:9/hook"
    )
    await sim.confirm_crypto_payment(created.payment_id, transaction_hash="ab" * 32)
    [delivery] = sim.webhook_deliveries
    assert delivery.event == "payment.success"
    event = json.loads(delivery.body, parse_float=Decimal)
    assert event["transaction"]["id"] == created.payment_id
    assert event["transaction"]["reference"] == "O-3"
    assert event["transaction"]["amount"] == Decimal("10.5")
    assert event["transaction"]["status"] == "COMPLETED"
    assert event["transaction"]["metadata"]["txHash"] == "ab" * 32
    fetched = await client.crypto.retrieve(created.payment_id)
    assert fetched.status is TransactionStatus.COMPLETED
    with pytest.raises(ValueError, match="already COMPLETED"):
        await sim.fail_crypto_payment(created.payment_id)


@pytest.mark.parametrize(("control", "status"), [("fail", "FAILED"), ("expire", "EXPIRED")])
async def test_failure_and_expiry_send_payment_failed(
    sim: PaylorSimulator, client: PaylorClient, control: str, status: str
) -> None:
    created = await client.crypto.create_payment(1, "O-4", callback_url="http://127.0.0.1:9/h")
    await getattr(sim, f"{control}_crypto_payment")(created.payment_id)
    [delivery] = sim.webhook_deliveries
    assert delivery.event == "payment.failed"
    assert json.loads(delivery.body)["transaction"]["status"] == "FAILED"
    fetched = await client.crypto.retrieve(created.payment_id)
    assert fetched.status == status
    assert fetched.status is not None
    assert fetched.status.is_known is (status == "FAILED")  # EXPIRED: kept, not fatal


async def test_an_unpaid_payment_expires_on_the_simulator_clock() -> None:
    clock = ManualClock()
    async with (
        PaylorSimulator(clock=clock) as sim,
        PaylorClient(sim.api_key, base_url=sim.base_url, rate_limits=None, clock=clock) as paylor,
    ):
        sim.crypto_payment_ttl = 600
        created = await paylor.crypto.create_payment(5, "O-5")
        await clock.advance(599)
        assert (await paylor.crypto.retrieve(created.payment_id)).status == "INITIATED"
        await clock.advance(1)
        assert (await paylor.crypto.retrieve(created.payment_id)).status == "EXPIRED"
        with pytest.raises(ValueError, match="EXPIRED"):
            await sim.confirm_crypto_payment(created.payment_id)


async def test_same_key_replays_the_first_answer(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    first = await client.crypto.create_payment(Decimal("2.5"), "O-6", idempotency_key="o-6")
    again = await client.crypto.create_payment(Decimal("2.5"), "O-6", idempotency_key="o-6")
    assert again.payment_id == first.payment_id
    assert again.address == first.address
    assert len(sim.crypto_payments) == 1


async def test_server_validation_error_has_details(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    details = [{"path": "cryptoId", "message": "settlement wallet is not active"}]
    sim.faults.inject(Fault.VALIDATION_ERROR, path=CRYPTO, details=details)
    with pytest.raises(ValidationError) as info:
        await client.crypto.create_payment(1, "O-7", crypto_id=WALLET_ID)
    assert [(d.path, d.message) for d in info.value.details] == [
        ("cryptoId", "settlement wallet is not active")
    ]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": 10.5}, InvalidAmountError),
        ({"amount": 0}, InvalidAmountError),
        ({"amount": Decimal("-1")}, InvalidAmountError),
        ({"amount": Decimal("0.0000001")}, InvalidAmountError),
        ({"amount": Decimal("NaN")}, InvalidAmountError),
        ({"amount": Decimal("Infinity")}, InvalidAmountError),
        ({"amount": Decimal("1000000000.5")}, InvalidAmountError),
        ({"amount": True}, InvalidAmountError),
        ({"amount": "10.5"}, InvalidAmountError),
        ({"reference": ""}, InvalidParameterError),
        ({"description": "x" * 256}, InvalidParameterError),
        ({"crypto_id": "665f4c1b9a8d2e001f2a123"}, InvalidParameterError),
        ({"crypto_id": "665f4c1b9a8d2e001f2a123z"}, InvalidParameterError),
        ({"callback_url": "not a url"}, InvalidParameterError),
    ],
)
async def test_bad_input_is_typed_and_sends_nothing(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {"amount": Decimal("1.5"), "reference": "R"}
    args.update(kwargs)
    with pytest.raises(error):
        await client.crypto.create_payment(**args)  # type: ignore[arg-type]
    assert sim.requests == []


@pytest.mark.parametrize("payment_id", ["", "..", "."])
async def test_bad_payment_id_sends_nothing(
    sim: PaylorSimulator, client: PaylorClient, payment_id: str
) -> None:
    with pytest.raises(InvalidParameterError):
        await client.crypto.retrieve(payment_id)
    assert sim.requests == []


async def test_create_needs_crypto_create_or_payments_create(sim: PaylorSimulator) -> None:
    await assert_missing_scope(
        sim,
        lambda c: c.crypto.create_payment(1, "R"),
        route="crypto_create",
        required="crypto:create",
        also_without=["payments:create"],
    )
    # payments:create alone is the documented fallback.
    key = sim.create_key(scopes=["payments:create"])
    async with PaylorClient(key, base_url=sim.base_url, rate_limits=None) as paylor:
        payment = await paylor.crypto.create_payment(1, "R")
    assert payment.payment_id in sim.crypto_payments
    # and crypto:* covers every crypto action.
    key = sim.create_key(scopes=["crypto:*"])
    async with PaylorClient(key, base_url=sim.base_url, rate_limits=None) as paylor:
        assert (await paylor.crypto.retrieve(payment.payment_id)).payment_id == payment.payment_id


async def test_retrieve_needs_crypto_read(sim: PaylorSimulator) -> None:
    await assert_missing_scope(
        sim,
        lambda c: c.crypto.retrieve("665f4c1b9a8d2e001f2a9999"),
        route="crypto_retrieve",
        required="crypto:read",
    )


async def test_a_retrieved_payment_of_another_shape_is_kept_not_fatal() -> None:
    answer = {"payment_id": "cp_1", "status": "PAID", "amount": "10.500000", "network": "TRC20"}
    async with fake_paylor({"/api/v1" + CRYPTO + "/cp_1": answer}) as paylor:
        payment = await paylor.crypto.retrieve("cp_1")
    assert payment.amount == Decimal("10.5")
    assert payment.address is None
    assert payment.expires_at is None
    assert payment.status == "PAID"
    assert payment.raw["network"] == "TRC20"
