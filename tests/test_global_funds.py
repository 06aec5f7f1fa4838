"""The Global wallet, withdrawals and ledger over real HTTP, and the confirmation webhook."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp import web

from paylor_async import (
    InvalidAmountError,
    PaylorClient,
    PaymentRequiredError,
    PermissionDeniedError,
    ValidationError,
)
from paylor_async.models import TransactionStatus
from paylor_async.testing import PaylorSimulator
from paylor_async.testing._global_records import collection_confirmed_payload
from paylor_async.webhooks import verify_signature

from ._servers import serve
from .global_support import client_with, details, last_json, send_raw

WITHDRAW = "global_withdrawal_create"
LEDGER = "global_ledger_list"


async def _confirmed(client: PaylorClient, sim: PaylorSimulator, amount: int) -> str:
    collection = await client.global_payments.collections.create(
        "SASAPAY_KE", amount, "KES", msisdn="0712345678", reference=f"INV-{amount}"
    )
    await sim.confirm_collection(collection.reference)
    return collection.reference


# wallet -------------------------------------------------------------------------------------
async def test_confirmed_collection_credits_the_currency_balance(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await _confirmed(client, sim, 1500)
    await client.global_payments.collections.create(
        "CARD_GLOBAL", Decimal("20.25"), "USD", customer_email="p@example.com"
    )
    wallet = await client.global_payments.wallet.retrieve()
    assert wallet.available("KES") == Decimal(1500) == sim.global_balance("KES")
    assert wallet.available("usd") == Decimal(0)
    usd = next(b for b in wallet.balances if b.currency == "USD")
    assert usd.pending == Decimal("20.25")  # not confirmed yet
    assert wallet.available("EUR") == Decimal(0)
    assert wallet.response is not None
    assert wallet.response.status == 200


async def test_wallet_needs_global_read(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:collect", "global:disburse"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.wallet.retrieve()
    assert info.value.required_scope == "global:read"


# the confirmation webhook ---------------------------------------------------------------------
@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A real endpoint on loopback answering 200 and keeping each body."""
    bodies: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.json_response({"received": True})

    app = web.Application()
    app.router.add_post("/hooks", handle)
    async with serve(app) as base:
        yield f"{base}/hooks", bodies


async def test_confirmation_emits_the_flat_webhook_to_registered_endpoints(
    sim: PaylorSimulator, client: PaylorClient, receiver: tuple[str, list[bytes]]
) -> None:
    url, bodies = receiver
    hook = await client.global_payments.webhooks.register(url)
    assert sim._state.webhook_endpoints[hook.id].url == url
    reference = await _confirmed(client, sim, 1500)
    collection = sim.global_collections[reference]
    assert collection.status == "CONFIRMED"
    event, payload = sim.global_events[-1]
    assert event == "global.collection.confirmed"
    assert payload == {
        "event": "global.collection.confirmed",
        "reference": reference,
        "merchantReference": "INV-1500",
        "amount": Decimal(1500),
        "currency": "KES",
        "status": "CONFIRMED",
        "provider": "SASAPAY_KE",
        "createdAt": payload["createdAt"],
    }
    assert payload == collection_confirmed_payload(collection)
    assert payload["createdAt"].endswith("Z")
    # The registered endpoint really received it: signed, flat, its own event name.
    [delivery] = await sim.drain_deliveries()
    assert delivery.url == url
    assert delivery.status == 200
    assert delivery.header_event == "global.collection.confirmed"
    assert bodies == [delivery.body]
    verify_signature(bodies[0], delivery.headers["X-Webhook-Signature"], sim.webhook_secret)
    assert json.loads(bodies[0])["merchantReference"] == "INV-1500"
    with pytest.raises(ValueError):
        await sim.confirm_collection(reference)  # already CONFIRMED
    assert len(sim.global_events) == 1
    assert sim.global_balance("KES") == Decimal(1500)


# withdrawals ----------------------------------------------------------------------------------
async def test_withdrawal_wire_body_debit_and_idempotency(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await _confirmed(client, sim, 5000)
    withdrawals = client.global_payments.withdrawals
    first = await withdrawals.create(
        1200, "KES", channel="MPESA", account="0712345678", account_name="Jane",
        reference="PAYOUT-1", idempotency_key="wd-1",
    )  # fmt: skip
    assert last_json(sim, WITHDRAW) == {
        "amount": 1200,
        "currency": "KES",
        "destination": {"channel": "MPESA", "account": "0712345678", "accountName": "Jane"},
        "reference": "PAYOUT-1",
    }
    assert sim.requests_for(WITHDRAW)[-1].headers["Idempotency-Key"] == "wd-1"
    assert first.status is TransactionStatus.PENDING
    assert first.destination is not None
    assert first.destination.channel == "MPESA"
    assert first.idempotency_key == "wd-1"
    assert first.response is not None
    assert first.response.status == 201
    again = await withdrawals.create(
        1200, "KES", channel="MPESA", account="0712345678", account_name="Jane",
        reference="PAYOUT-1", idempotency_key="wd-1",
    )  # fmt: skip
    assert again.id == first.id
    assert sim.global_balance("KES") == Decimal(3800)  # debited once
    assert len(sim.global_withdrawals) == 1
    listed = [w async for w in withdrawals.list()]
    assert [w.id for w in listed] == [first.id]


async def test_withdrawal_beyond_the_balance_is_402(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.credit_global_balance("KES", 100)
    with pytest.raises(PaymentRequiredError) as info:
        await client.global_payments.withdrawals.create(
            101, "KES", channel="MPESA", account="0712345678"
        )
    assert info.value.status == 402
    assert info.value.code == "PAYMENT_REQUIRED"
    assert sim.global_balance("KES") == Decimal(100)
    assert sim.global_withdrawals == {}


async def test_withdrawal_validation_client_and_server(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.credit_global_balance("KES", 1000)
    withdrawals = client.global_payments.withdrawals
    with pytest.raises(InvalidAmountError):
        await withdrawals.create(Decimal("1.001"), "KES", channel="MPESA", account="07")
    assert sim.requests_for(WITHDRAW) == []
    with pytest.raises(ValidationError) as info:
        await withdrawals.create(10, "KES", channel="PIGEON", account="0712345678")
    assert details(info.value) == [
        ("destination.channel", "channel must be one of ['BANK', 'MPESA']")
    ]
    with pytest.raises(ValidationError) as raw:
        await send_raw(client, WITHDRAW, {"amount": 10, "currency": "KES"}, key="raw-d")
    assert details(raw.value) == [("destination", "destination is required")]


async def test_failed_withdrawal_is_credited_back(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.credit_global_balance("KES", 1000)
    withdrawal = await client.global_payments.withdrawals.create(
        400, "KES", channel="BANK", account="0123456789"
    )
    assert sim.global_balance("KES") == Decimal(600)
    sim.fail_global_withdrawal(withdrawal.id)
    assert sim.global_balance("KES") == Decimal(1000)
    listed = [w async for w in client.global_payments.withdrawals.list()]
    assert listed[0].status is TransactionStatus.FAILED


async def test_withdrawals_need_global_disburse(sim: PaylorSimulator) -> None:
    sim.credit_global_balance("KES", 1000)
    async with client_with(sim, ["global:read", "global:collect"]) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await paylor.global_payments.withdrawals.create(
                10, "KES", channel="MPESA", account="0712345678"
            )
    assert info.value.required_scope == "global:disburse"
    assert sim.global_balance("KES") == Decimal(1000)


# ledger --------------------------------------------------------------------------------------
async def test_ledger_has_entries_for_collections_and_withdrawals(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    reference = await _confirmed(client, sim, 2000)
    withdrawal = await client.global_payments.withdrawals.create(
        500, "KES", channel="MPESA", account="0712345678"
    )
    entries = [e async for e in client.global_payments.ledger.list(currency="kes")]
    assert [(e.type, e.source, e.reference, e.amount, e.balance_after) for e in entries] == [
        ("DEBIT", "WITHDRAWAL", withdrawal.id, Decimal(500), Decimal(1500)),
        ("CREDIT", "COLLECTION", reference, Decimal(2000), Decimal(2000)),
    ]
    assert sim.requests_for(LEDGER)[-1].query == {
        "currency": "KES",
        "limit": "50",
        "offset": "0",
    }
    assert entries[0].response is not None


async def test_ledger_pages_are_fetched_only_as_you_iterate(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    for n in range(1, 6):
        sim.credit_global_balance("KES", n)
    walk = client.global_payments.ledger.list(page_size=2)
    assert sim.requests_for(LEDGER) == []
    seen = [await anext(walk)]
    assert len(sim.requests_for(LEDGER)) == 1
    seen.append(await anext(walk))
    assert len(sim.requests_for(LEDGER)) == 1  # the page held two
    seen.append(await anext(walk))
    assert len(sim.requests_for(LEDGER)) == 2
    seen.extend([e async for e in walk])
    assert [e.amount for e in seen] == [Decimal(n) for n in (5, 4, 3, 2, 1)]
    assert [r.query["offset"] for r in sim.requests_for(LEDGER)] == ["0", "2", "4"]  # total=5


async def test_ledger_skips_repeats_when_entries_arrive_mid_walk(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    for n in range(1, 5):
        sim.credit_global_balance("KES", n)
    walk = client.global_payments.ledger.list(page_size=2)
    first_page = [await anext(walk), await anext(walk)]
    sim.credit_global_balance("KES", 99)  # newest first: shifts every entry by one
    rest = [e async for e in walk]
    amounts = [e.amount for e in first_page + rest]
    assert amounts == [Decimal(n) for n in (4, 3, 2, 1)]  # 3 shown again by offset: skipped
    assert len({e.id for e in first_page + rest}) == 4


async def test_ledger_server_validation_and_scope(sim: PaylorSimulator) -> None:
    async with client_with(sim, ["global:read"]) as paylor:
        from paylor_async._endpoints import endpoint

        with pytest.raises(ValidationError) as info:
            await paylor._transport.request(
                endpoint(LEDGER), paylor._options, params={"limit": 0, "currency": "x"}
            )
        assert details(info.value) == [("currency", "currency must be a currency code")]
    async with client_with(sim, ["global:collect"]) as paylor:
        with pytest.raises(PermissionDeniedError) as denied:
            await anext(paylor.global_payments.ledger.list())
    assert denied.value.required_scope == "global:read"
