"""The simulator itself, driven by a plain aiohttp client over loopback (no SDK code involved)."""

from __future__ import annotations

import asyncio
import io
import re
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from yarl import URL

from paylor_async.testing import Fault, PaylorSimulator, fee_for
from paylor_async.testing._ids import ALIAS_ALPHABET

from ._sim_http import (
    ISO_MS,
    PUSH,
    STK,
    TXS,
    call,
    push,
)

# lifecycle ----------------------------------------------------------------------------------


def test_can_be_built_outside_a_loop() -> None:
    sim = PaylorSimulator(api_key="sk_test_fixed", webhook_secret="whsec_fixed")
    assert sim.api_key == "sk_test_fixed"
    assert sim.webhook_secret == "whsec_fixed"
    with pytest.raises(RuntimeError, match="not started"):
        _ = sim.base_url


async def test_binds_loopback_random_port_and_closes_idempotently() -> None:
    sim = PaylorSimulator()
    await sim.start()
    assert sim.port > 0
    assert sim.base_url == f"http://127.0.0.1:{sim.port}/api/v1"
    assert sim.api_key.startswith("sk_test_")
    assert re.fullmatch(f"PAYL-[{ALIAS_ALPHABET}]{{6}}", sim.default_channel_alias)
    with pytest.raises(RuntimeError):
        await sim.start()
    await sim.close()
    await sim.close()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http:
            await call(http, sim, "GET", TXS)


# auth and headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        (None, 401, "UNAUTHORIZED"),
        ("Token abc", 401, "UNAUTHORIZED"),
        ("Bearer", 401, "UNAUTHORIZED"),
        ("Bearer a b", 401, "UNAUTHORIZED"),
        ("Bearer sk_test_unknown", 401, "INVALID_API_KEY"),
    ],
)
async def test_authentication(
    sim: PaylorSimulator,
    http: aiohttp.ClientSession,
    authorization: str | None,
    status: int,
    code: str,
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    reply = await push(http, sim, key=None, headers=headers)
    assert (reply.status, reply.code) == (status, code)
    assert sim.transactions == {}
    assert sim.requests[0].status == status


async def test_revoked_key_and_missing_scope(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    reader = sim.create_key(scopes=["transactions:read"])
    reply = await push(http, sim, key=reader)
    assert (reply.status, reply.code) == (403, "UNAUTHORIZED")
    assert reply.json()["error"]["message"] == "Missing API key scope: payments:create"
    assert (await call(http, sim, "GET", TXS, key=reader)).status == 200
    sim.revoke_key(reader)
    reply = await call(http, sim, "GET", TXS, key=reader)
    assert (reply.status, reply.code) == (401, "INVALID_API_KEY")
    assert sim.requests[-1].api_key == reader


async def test_every_response_has_request_id_and_rate_limit_headers(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    replies = [
        await push(http, sim),
        await push(http, sim, json={}),
        await push(http, sim, key="sk_test_nope"),
        await call(http, sim, "GET", TXS + "/" + "0" * 24),
    ]
    assert [r.status for r in replies] == [201, 400, 401, 404]
    for reply in replies:
        assert reply.headers["X-Request-Id"]
        assert reply.headers["X-RateLimit-Limit"] == "60"
        assert ISO_MS.match(reply.headers["X-RateLimit-Reset"])
    assert replies[0].headers["X-RateLimit-Remaining"] == "59"
    echoed = await call(http, sim, "GET", TXS, headers={"X-Request-Id": "trace-42"})
    assert echoed.headers["X-Request-Id"] == "trace-42"


async def test_oversized_body_is_recorded_and_refused(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    reply = await push(http, sim, json=None, data=io.BytesIO(b"x" * (1024 * 1024 + 1)))
    assert (reply.status, reply.code) == (413, "PAYLOAD_TOO_LARGE")
    assert sim.requests[0].status == 413


async def test_unknown_route_is_a_404_envelope(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    reply = await call(http, sim, "DELETE", STK)
    assert (reply.status, reply.code) == (404, "RESOURCE_NOT_FOUND")
    assert sim.requests[0].route is None


# STK push validation ------------------------------------------------------------------------

MISSING = object()


@pytest.mark.parametrize(
    ("changes", "status", "code", "details"),
    [
        ({"phone": MISSING}, 400, "VALIDATION_ERROR", [("phone", "phone is required")]),
        (
            {"phone": MISSING, "amount": "100", "reference": MISSING},
            400,
            "VALIDATION_ERROR",
            [
                ("phone", "phone is required"),
                ("amount", "amount must be a number"),
                ("reference", "reference is required"),
            ],
        ),
        ({"amount": True}, 400, "VALIDATION_ERROR", [("amount", "amount must be a number")]),
        ({"reference": "x" * 256}, 400, "VALIDATION_ERROR", None),
        ({"description": "x" * 256}, 400, "VALIDATION_ERROR", None),
        ({"callbackUrl": "ftp://x"}, 400, "VALIDATION_ERROR", None),
        ({"phone": 254712345678}, 400, "VALIDATION_ERROR", None),
        ({"phone": "0712345678"}, 400, "INVALID_PHONE_NUMBER", None),
        ({"phone": "254812345678"}, 400, "INVALID_PHONE_NUMBER", None),
        ({"amount": 0}, 400, "INVALID_AMOUNT", None),
        ({"amount": 10.5}, 400, "INVALID_AMOUNT", None),
        ({"description": None, "extra": [1, 2]}, 201, None, None),
        ({"amount": 100.0, "channelId": None}, 201, None, None),
    ],
)
async def test_stk_push_validation(
    sim: PaylorSimulator,
    http: aiohttp.ClientSession,
    changes: dict[str, Any],
    status: int,
    code: str | None,
    details: list[tuple[str, str]] | None,
) -> None:
    body = {**PUSH, **changes}
    body = {k: v for k, v in body.items() if v is not MISSING}
    reply = await push(http, sim, json=body)
    assert reply.status == status
    if code is None:
        assert reply.json()["status"] == "SENT"
        return
    assert reply.code == code
    assert sim.transactions == {}
    if details is not None:
        got = reply.json()["error"]["details"]
        assert [(d["path"], d["message"]) for d in got] == details
    if code == "VALIDATION_ERROR":
        assert reply.json()["message"] == "Invalid request payload"
    else:
        assert "details" not in reply.json()["error"]


async def test_missing_phone_matches_the_documented_envelope(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    reply = await push(http, sim, json={"amount": 5, "reference": "R"})
    assert reply.json() == {
        "message": "Invalid request payload",
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "Invalid request payload",
            "details": [{"path": "phone", "message": "phone is required", "code": "custom"}],
        },
    }


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'{"amount": NaN}'])
async def test_non_object_body_is_a_validation_error(
    sim: PaylorSimulator, http: aiohttp.ClientSession, raw: bytes
) -> None:
    reply = await push(http, sim, json=None, data=raw)
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")


async def test_channels(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    paybill = sim.add_channel(name="Shop", type="PAYBILL", number="400200")
    sleeping = sim.add_channel(name="Old", number="123456", status="INACTIVE")
    ok = await push(http, sim, json={**PUSH, "channelId": paybill})
    by_id = await push(http, sim, json={**PUSH, "channelId": sim.channels[paybill].id})
    assert (ok.status, by_id.status) == (201, 201)
    for alias in (sleeping, "PAYL-ZZZZZZ"):
        reply = await push(http, sim, json={**PUSH, "channelId": alias})
        assert (reply.status, reply.code) == (404, "RESOURCE_NOT_FOUND")
    got = await call(http, sim, "GET", f"{TXS}/{ok.json()['transactionId']}")
    assert got.json()["channel"] == {
        "name": "Shop",
        "number": "400200",
        "accountNumber": None,
        "type": "PAYBILL",
    }


# fees ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fee"),
    [(1, "0"), (49, "0"), (50, "5.9"), (499, "5.9"), (500, "9.9"), (1_000, "14.9"),
     (149_999, "129.9"), (150_000, "159.9"), (999_999, "319.9")],
)  # fmt: skip
def test_fee_table(amount: int, fee: str) -> None:
    assert fee_for(amount) == Decimal(fee)


async def test_fee_wallet_too_low_is_402(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    sim.fee_wallet_balance = Decimal("5")
    reply = await push(http, sim, json={**PUSH, "amount": 100})  # fee 5.9
    assert (reply.status, reply.code) == (402, "PAYMENT_REQUIRED")
    assert (await push(http, sim, json={**PUSH, "amount": 49})).status == 201  # fee 0
    sim.fee_wallet_balance = 100
    created = await push(http, sim, json={**PUSH, "amount": 1_000})
    await sim.complete(created.json()["transactionId"])
    assert sim.fee_wallet_balance == Decimal("85.1")


# idempotency --------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Idempotency-Key"])
async def test_idempotent_replay(
    sim: PaylorSimulator, http: aiohttp.ClientSession, header: str
) -> None:
    first = await push(http, sim, headers={header: "order-1"})
    again = await push(http, sim, headers={header: "order-1"}, json={**PUSH, "amount": 5})
    assert (first.status, again.status) == (201, 201)
    assert first.body == again.body
    assert len(sim.transactions) == 1
    other = await push(http, sim, headers={header: "order-2"})
    assert other.json()["transactionId"] != first.json()["transactionId"]


async def test_idempotency_key_too_long(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    assert (await push(http, sim, headers={"Idempotency-Key": "k" * 180})).status == 201
    reply = await push(http, sim, headers={"Idempotency-Key": "k" * 181})
    assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")


@pytest.mark.parametrize("delay", [None, 0.05])
async def test_concurrent_duplicates_create_one_transaction(
    sim: PaylorSimulator, http: aiohttp.ClientSession, delay: float | None
) -> None:
    if delay is not None:  # every request waits, then all are processed together
        sim.faults.inject(Fault.DELAY, path=STK, times=None, delay=delay)
    replies = await asyncio.gather(
        *(push(http, sim, headers={"Idempotency-Key": "same"}) for _ in range(10))
    )
    assert {r.status for r in replies} == {201}
    assert len({r.body for r in replies}) == 1
    assert len(sim.transactions) == 1


# listing and recording ----------------------------------------------------------------------


async def test_list_pagination(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    for i in range(5):
        await push(http, sim, json={**PUSH, "reference": f"L-{i}"})
    everything = (await call(http, sim, "GET", TXS)).json()
    assert everything["total"] == 5
    newest_first = [f"L-{i}" for i in range(4, -1, -1)]
    assert [t["reference"] for t in everything["transactions"]] == newest_first
    page = (await call(http, sim, "GET", TXS, params={"limit": "2", "offset": "1"})).json()
    assert [t["reference"] for t in page["transactions"]] == ["L-3", "L-2"]
    assert page["total"] == 5
    tail = (await call(http, sim, "GET", TXS, params={"limit": "100", "offset": "4"})).json()
    assert [t["reference"] for t in tail["transactions"]] == ["L-0"]
    for bad in ({"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"offset": "-1"}):
        reply = await call(http, sim, "GET", TXS, params=bad)
        assert (reply.status, reply.code) == (400, "VALIDATION_ERROR")
    assert [t.reference for t in sim.transactions_by_reference("L-2")] == ["L-2"]


@pytest.mark.parametrize("tx_id", ["0" * 24, "not-an-id", "..%2Fstk-push"])
async def test_unknown_transaction_is_404(
    sim: PaylorSimulator, http: aiohttp.ClientSession, tx_id: str
) -> None:
    async with http.get(
        URL(f"{sim.base_url}{TXS}/{tx_id}", encoded=True),
        headers={"Authorization": f"Bearer {sim.api_key}"},
    ) as resp:
        assert resp.status == 404
        assert (await resp.json())["error"]["code"] == "RESOURCE_NOT_FOUND"
    [req] = sim.requests
    assert (req.route, req.path) == ("get_transaction", f"/api/v1{TXS}/{tx_id}")


async def test_requests_are_recorded(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    await push(http, sim, json={**PUSH, "amount": 100.0}, headers={"Idempotency-Key": "r1"})
    await call(http, sim, "GET", TXS, params={"limit": "5"})
    stk, listing = sim.requests
    assert (stk.method, stk.path, stk.relative_path, stk.route) == (
        "POST",
        "/api/v1" + STK,
        STK,
        "stk_push",
    )
    assert stk.json["amount"] == Decimal("100.0")
    assert stk.headers["Idempotency-Key"] == "r1"
    assert (stk.status, stk.api_key) == (201, sim.api_key)
    assert listing.query == {"limit": "5"}
    assert listing.json is None
    assert sim.requests_for("list_transactions") == [listing]
    assert sim.requests_for(STK) == sim.requests_for("/api/v1" + STK) == [stk]
