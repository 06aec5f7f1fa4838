"""The simulator completing and failing transactions, and the webhooks that follow."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from paylor_async._clock import ManualClock
from paylor_async.testing import DeliveryPolicy, PaylorSimulator
from paylor_async.webhooks._signature import compute_signature

from ._servers import serve
from ._sim_http import (
    HEX24,
    ISO_MS,
    PUSH,
    TXS,
    call,
    push,
)

# completion and webhooks --------------------------------------------------------------------


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[Any, bytes]], list[int]]]:
    """A webhook receiver on loopback: (url, received (headers, body), statuses to answer)."""
    received: list[tuple[Any, bytes]] = []
    statuses: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers, await request.read()))
        return web.json_response({"received": True}, status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    async with serve(app) as base:
        yield f"{base}/hook", received, statuses


async def test_complete_delivers_a_signed_webhook(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receiver: Any
) -> None:
    url, received, _ = receiver
    created = await push(http, sim, json={**PUSH, "callbackUrl": url, "amount": 1_000})
    tx_id = created.json()["transactionId"]
    assert HEX24.match(tx_id)
    assert sim.transactions[tx_id].status == "STK_SENT"
    tx = await sim.complete(tx_id, mpesa_receipt="RFL8S2K9P0")
    assert (tx.status, tx.mpesa_receipt) == ("COMPLETED", "RFL8S2K9P0")
    [(headers, body)] = received
    assert headers["X-Webhook-Signature"] == compute_signature(body, sim.webhook_secret)
    assert headers["X-Webhook-Event"] == "payment.success"
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert event["event"] == "payment.success"
    assert event["transaction"] == {
        "id": tx_id,
        "reference": "ORDER-1",
        "internalReference": tx.internal_reference,
        "amount": 1000,
        "status": "COMPLETED",
        "providerRef": tx.checkout_request_id,
        "metadata": {
            "mpesaReceipt": "RFL8S2K9P0",
            "callbackResultCode": 0,
            "callbackResultDesc": tx.result_desc,
        },
    }
    [delivery] = sim.webhook_deliveries
    assert (delivery.url, delivery.status, delivery.error, delivery.body) == (url, 200, None, body)
    assert sim.fee_wallet_balance == Decimal("10000") - Decimal("14.9")
    with pytest.raises(ValueError, match="already COMPLETED"):
        await sim.complete(tx_id)
    with pytest.raises(KeyError):
        await sim.fail("0" * 24)


async def test_fail_and_transaction_shape(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receiver: Any
) -> None:
    url, received, _ = receiver
    created = await push(http, sim, json={**PUSH, "callbackUrl": url, "description": "d"})
    tx_id = created.json()["transactionId"]
    before = (await call(http, sim, "GET", f"{TXS}/{tx_id}")).json()
    assert before["status"] == "STK_SENT"
    assert before["mpesaReceipt"] is None
    await sim.fail(tx_id)
    got = (await call(http, sim, "GET", f"{TXS}/{tx_id}")).json()
    assert set(got) == {
        "id", "transactionId", "phone", "amount", "currency", "reference", "description",
        "status", "provider", "providerRef", "mpesaReceipt", "channel", "createdAt", "updatedAt",
    }  # fmt: skip
    assert (got["id"], got["status"], got["amount"], got["currency"]) == (
        tx_id,
        "FAILED",
        100,
        "KES",
    )
    assert got["transactionId"] == got["providerRef"]
    assert got["transactionId"].startswith("ws_CO_")
    assert ISO_MS.match(got["createdAt"])
    assert ISO_MS.match(got["updatedAt"])
    [(headers, body)] = received
    event = json.loads(body)
    assert headers["X-Webhook-Event"] == event["event"] == "payment.failed"
    assert event["transaction"]["metadata"]["callbackResultCode"] == 1032
    assert event["transaction"]["metadata"]["mpesaReceipt"] is None
    assert sim.fee_wallet_balance == Decimal("10000")  # no fee on failure


@pytest.mark.parametrize(("outcome", "status"), [("COMPLETED", "COMPLETED"), ("FAILED", "FAILED")])
async def test_auto_completion_on_the_sims_clock(
    http: aiohttp.ClientSession, receiver: Any, outcome: Any, status: str
) -> None:
    url, received, _ = receiver
    clock = ManualClock()
    async with PaylorSimulator(clock=clock, completion_delay=30, auto_outcome=outcome) as sim:
        created = await push(http, sim, json={**PUSH, "callbackUrl": url})
        tx = sim.transactions[created.json()["transactionId"]]
        await clock.advance(29)
        assert tx.status == "STK_SENT"
        await clock.advance(1)
        assert tx.status == status
        [delivery] = await sim.wait_for_deliveries(1)
        assert delivery.status == 200
        assert len(received) == 1
        if status == "COMPLETED":
            assert re.fullmatch(r"[A-Z][A-Z0-9]{9}", tx.mpesa_receipt or "")


async def test_close_cancels_pending_completions(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    async with PaylorSimulator(clock=clock, completion_delay=5) as sim:
        await push(http, sim)
        assert clock.pending_timers == 1
    assert clock.pending_timers == 0
    [tx] = sim.transactions.values()
    await clock.advance(10)
    assert tx.status == "STK_SENT"


async def test_failed_delivery_is_recorded_not_raised(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receiver: Any
) -> None:
    url, _, statuses = receiver
    sim.delivery_policy = DeliveryPolicy(max_attempts=1)  # no retry scheduled behind the test
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    a = await push(http, sim, json={**PUSH, "callbackUrl": dead})
    b = await push(http, sim, json={**PUSH, "callbackUrl": url})
    statuses.append(500)
    await sim.complete(a.json()["transactionId"])
    await sim.complete(b.json()["transactionId"])
    refused, failed = sim.webhook_deliveries
    assert refused.status is None
    assert refused.error
    assert (failed.status, failed.ok) == (500, False)


async def test_wait_for_deliveries_times_out(sim: PaylorSimulator) -> None:
    with pytest.raises(TimeoutError):
        await sim.wait_for_deliveries(1, timeout=0.05)
