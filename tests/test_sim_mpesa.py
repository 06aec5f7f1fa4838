"""The simulator's M-Pesa products seen with a bare HTTP client: validation, idempotency, state.

These bypass the SDK's own checks, so they show what the simulator itself enforces.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from paylor_async.testing import PaylorSimulator


class Raw:
    """POST/PATCH/GET JSON with the simulator's key; returns (status, parsed body)."""

    def __init__(self, sim: PaylorSimulator, session: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.session = session

    async def __call__(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        async with self.session.request(
            method,
            self.sim.base_url + path,
            data=None if body is None else json.dumps(body),
            headers={"Authorization": f"Bearer {self.sim.api_key}", **(headers or {})},
        ) as resp:
            return resp.status, json.loads(await resp.read(), parse_float=Decimal)


@pytest.fixture
async def raw(sim: PaylorSimulator) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(sim, session)


def problems(body: Any) -> list[tuple[str, str]]:
    assert body["error"]["code"] == "VALIDATION_ERROR"
    return [(d["path"], d["message"]) for d in body["error"]["details"]]


async def test_b2c_lists_every_shape_problem(raw: Raw) -> None:
    status, body = await raw("POST", "/merchants/payments/b2c", {"commandId": "Tax", "remarks": 5})
    assert status == 400
    assert problems(body) == [
        ("phone", "phone is required"),
        ("amount", "amount is required"),
        ("reference", "reference is required"),
        ("remarks", "remarks must be a string"),
        ("commandId", "commandId must be one of BusinessPayment, SalaryPayment, PromotionPayment"),
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"phone": "0712345678"}, "INVALID_PHONE_NUMBER"),
        ({"amount": 9}, "INVALID_AMOUNT"),
        ({"amount": 150001}, "INVALID_AMOUNT"),
        ({"amount": 10.5}, "INVALID_AMOUNT"),
    ],
)
async def test_b2c_phone_and_amount_codes(
    sim: PaylorSimulator, raw: Raw, change: dict[str, Any], code: str
) -> None:
    body = {"phone": "254712345678", "amount": 100, "reference": "R", **change}
    status, answer = await raw("POST", "/merchants/payments/b2c", body)
    assert (status, answer["error"]["code"]) == (400, code)
    assert sim.transactions == {}


async def test_the_alternative_idempotency_header_is_honoured(
    sim: PaylorSimulator, raw: Raw
) -> None:
    body = {"phone": "254712345678", "amount": 100, "reference": "R"}
    first = await raw("POST", "/merchants/payments/b2c", body, {"X-Idempotency-Key": "x-1"})
    again = await raw("POST", "/merchants/payments/b2c", body, {"X-Idempotency-Key": "x-1"})
    assert first == again
    assert first[0] == 201
    assert len(sim.transactions) == 1


async def test_a_reused_key_replays_the_first_answer_whatever_the_body(
    sim: PaylorSimulator, raw: Raw
) -> None:
    # Reusing a key with another body replays the first answer (Paylor's behaviour: GUESSED).
    headers = {"Idempotency-Key": "same"}
    _, first = await raw(
        "POST", "/merchants/channels", {"name": "A", "type": "TILL", "number": "1"}, headers
    )
    _, again = await raw(
        "POST", "/merchants/channels", {"name": "B", "type": "TILL", "number": "2"}, headers
    )
    assert again == first
    assert len(sim.channels) == 2  # the default and one created


async def test_b2b_checks_the_shortcode(raw: Raw) -> None:
    body = {"payerShortcode": "12", "amount": 10, "reference": "R"}
    status, answer = await raw("POST", "/merchants/payments/b2b", body)
    assert status == 400
    assert problems(answer) == [("payerShortcode", "payerShortcode must be 5 to 10 digits")]


async def test_crypto_validation(sim: PaylorSimulator, raw: Raw) -> None:
    body = {"amount": 0, "currency": "BTC", "reference": "R", "cryptoId": "nope"}
    status, answer = await raw("POST", "/merchants/payments/crypto", body)
    assert status == 400
    assert problems(answer) == [
        ("amount", "amount must be greater than 0"),
        ("currency", "currency must be USDT"),
        ("cryptoId", "cryptoId must be a 24-character hex id"),
    ]
    status, answer = await raw(
        "POST",
        "/merchants/payments/crypto",
        {"amount": 1.1234567, "currency": "USDT", "reference": "R"},
    )
    assert problems(answer) == [("amount", "amount has more than 6 decimals")]
    assert sim.crypto_payments == {}


async def test_crypto_answer_amount_keeps_its_decimals(raw: Raw) -> None:
    body = {"amount": 0.000001, "currency": "USDT", "reference": "R"}
    status, answer = await raw("POST", "/merchants/payments/crypto", body)
    assert status == 201
    assert answer["amount"] == Decimal("0.000001")
    assert answer["status"] == "INITIATED"
    assert answer["expires_at"].endswith("Z")


async def test_channel_validation(raw: Raw) -> None:
    status, answer = await raw("POST", "/merchants/channels", {"type": "BANK", "number": "12x"})
    assert status == 400
    assert problems(answer) == [
        ("number", "number must be digits"),
        ("name", "name is required"),
        ("bankName", "bankName is required for BANK channels"),
        ("accountNumber", "accountNumber is required for BANK channels"),
    ]


async def test_channel_patch_validation(sim: PaylorSimulator, raw: Raw) -> None:
    channel_id = next(iter(sim.channels.values())).id
    path = f"/merchants/channels/{channel_id}"
    status, answer = await raw("PATCH", path, {})
    assert (status, problems(answer)) == (400, [("body", "at least one field must be given")])
    status, answer = await raw("PATCH", path, {"status": "PAUSED", "type": 3})
    assert problems(answer) == [
        ("status", "status must be one of ACTIVE, INACTIVE"),
        ("type", "type must be a string"),
    ]


async def test_deleting_the_default_channel_moves_the_default(
    sim: PaylorSimulator, raw: Raw
) -> None:
    default = sim.channels[sim.default_channel_alias]
    _, created = await raw(
        "POST", "/merchants/channels", {"name": "B", "type": "TILL", "number": "5"}
    )
    status, _ = await raw("DELETE", f"/merchants/channels/{default.id}")
    assert status == 200
    push = {"phone": "254712345678", "amount": 10, "reference": "R"}
    status, answer = await raw("POST", "/merchants/payments/stk-push", push)
    assert status == 201
    tx = sim.transactions[answer["transactionId"]]
    assert tx.channel is not None
    assert tx.channel.alias == created["channel"]["alias"]


async def test_a_payout_completes_by_itself_with_a_completion_delay() -> None:
    async with PaylorSimulator(completion_delay=0) as sim, aiohttp.ClientSession() as session:
        raw = Raw(sim, session)
        body = {"phone": "254712345678", "amount": 100, "reference": "AUTO"}
        _, answer = await raw("POST", "/merchants/payments/b2c", body)
        tx = sim.transactions[answer["transactionId"]]
        for _ in range(1000):
            if tx.status == "COMPLETED":
                break
            await asyncio.sleep(0.001)
        assert tx.status == "COMPLETED"
        assert tx.mpesa_receipt is not None
        assert tx.provider_ref.startswith("AG_")
