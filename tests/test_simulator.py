"""The simulator itself, driven by a plain aiohttp client over loopback (no SDK code involved)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import socket
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from paylor_async._clock import ManualClock
from paylor_async.testing import DeliveryPolicy, Fault, PaylorSimulator, fee_for
from paylor_async.testing._app import parse_bearer
from paylor_async.testing._handlers import ROUTES
from paylor_async.testing._ids import ALIAS_ALPHABET, iso_ms
from paylor_async.testing._ratelimit import fixed_window_start, prune_sliding
from paylor_async.testing._routing import match_route
from paylor_async.webhooks._signature import compute_signature

STK = "/merchants/payments/stk-push"
TXS = "/merchants/payments/transactions"
PUSH: dict[str, Any] = {"phone": "254712345678", "amount": 100, "reference": "ORDER-1"}
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HEX24 = re.compile(r"^[0-9a-f]{24}$")


class Reply:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str:
        return str(self.json()["error"]["code"])


@pytest.fixture
async def sim() -> AsyncIterator[PaylorSimulator]:
    async with PaylorSimulator() as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    sim: PaylorSimulator,
    method: str,
    path: str,
    *,
    key: str | None = "default",
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    **kwargs: Any,
) -> Reply:
    sent = dict(headers or {})
    if key is not None:
        sent.setdefault("Authorization", f"Bearer {sim.api_key if key == 'default' else key}")
    client_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else None
    async with http.request(
        method, sim.base_url + path, headers=sent, timeout=client_timeout, **kwargs
    ) as resp:
        return Reply(resp.status, resp.headers, await resp.read())


def push(
    http: aiohttp.ClientSession, sim: PaylorSimulator, **kwargs: Any
) -> Coroutine[Any, Any, Reply]:
    kwargs.setdefault("json", PUSH)
    return call(http, sim, "POST", STK, **kwargs)


async def eventually(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


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


# faults -------------------------------------------------------------------------------------


async def test_fault_server_error_is_not_processed(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.inject(Fault.SERVER_ERROR, path=STK)
    reply = await push(http, sim)
    assert (reply.status, reply.code) == (500, "INTERNAL_ERROR")
    assert "X-RateLimit-Reset" not in reply.headers  # it never reached the API
    assert sim.transactions == {}
    ok = await push(http, sim)  # used up after one hit
    assert (ok.status, ok.headers["X-RateLimit-Remaining"]) == (201, "59")  # and not counted


async def test_fault_server_error_after_create_then_replay(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.inject(Fault.SERVER_ERROR_AFTER_CREATE, path="stk_push", method="POST")
    failed = await push(http, sim, headers={"Idempotency-Key": "k1"})
    assert (failed.status, failed.code) == (500, "INTERNAL_ERROR")
    assert failed.headers["X-RateLimit-Remaining"] == "59"  # processed: counted, headers kept
    [tx] = sim.transactions.values()
    retried = await push(http, sim, headers={"Idempotency-Key": "k1"})
    assert (retried.status, retried.json()["transactionId"]) == (201, tx.id)
    assert len(sim.transactions) == 1


async def test_fault_bad_gateway_html(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.inject(Fault.BAD_GATEWAY_HTML)
    reply = await push(http, sim)
    assert reply.status == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"<center>nginx</center>" in reply.body
    assert sim.transactions == {}


async def test_fault_service_unavailable(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.inject(Fault.SERVICE_UNAVAILABLE, retry_after="7")
    reply = await push(http, sim)
    assert (reply.status, reply.headers["Retry-After"]) == (503, "7")
    assert sim.transactions == {}


async def test_fault_rate_limited(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    async with PaylorSimulator(clock=clock) as sim:
        sim.faults.inject(Fault.RATE_LIMITED, reset_after=2.5, retry_after=3)
        reply = await push(http, sim)
        assert (reply.status, reply.code) == (429, "RATE_LIMIT_EXCEEDED")
        assert reply.headers["X-RateLimit-Limit"] == "60"
        assert reply.headers["X-RateLimit-Remaining"] == "0"
        assert reply.headers["X-RateLimit-Reset"] == iso_ms(clock.wall() + 2.5)
        assert reply.headers["Retry-After"] == "3"
        sim.faults.inject(Fault.RATE_LIMITED, reset_at="2027-01-15T08:00:12+00:00")
        reply = await push(http, sim)
        assert reply.headers["X-RateLimit-Reset"] == "2027-01-15T08:00:12+00:00"
        assert "Retry-After" not in reply.headers
        assert sim.transactions == {}


@pytest.mark.parametrize(
    ("kind", "created"), [(Fault.DROP_CONNECTION, 0), (Fault.DROP_AFTER_CREATE, 1)]
)
async def test_fault_drops_connection_quietly(
    sim: PaylorSimulator,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    kind: Fault,
    created: int,
) -> None:
    sim.faults.inject(kind, path=STK)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
            await push(http, sim)
        assert (await push(http, sim)).status == 201  # the next request is served normally
    assert len(sim.transactions) == created + 1
    assert sim.requests[0].status is None
    assert sim.requests[0].fault == kind.name
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_fault_delay_waits_on_the_sims_clock(http: aiohttp.ClientSession) -> None:
    clock = ManualClock()
    async with PaylorSimulator(clock=clock) as sim:
        sim.faults.inject(Fault.DELAY, path=STK, delay=10)
        task = asyncio.create_task(push(http, sim))
        await eventually(lambda: clock.pending_timers == 1)
        await clock.advance(9)
        assert not task.done()
        assert sim.transactions == {}
        await clock.advance(1)
        assert (await task).status == 201


async def test_fault_delay_after_create_times_the_client_out(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()  # never advanced: the answer would come only at close
    with caplog.at_level(logging.DEBUG):
        async with PaylorSimulator(clock=clock) as sim:
            sim.faults.inject(Fault.DELAY_AFTER_CREATE, delay=60)
            with pytest.raises(TimeoutError):
                await push(http, sim, timeout=0.2)
            assert len(sim.transactions) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_fault_truncated_json_and_wrong_content_type(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.inject(Fault.TRUNCATED_JSON)
    cut = await push(http, sim)
    whole = await push(http, sim, json={**PUSH, "reference": "other"})
    assert (cut.status, cut.headers["Content-Type"]) == (201, "application/json")
    assert 0 < len(cut.body) < len(whole.body)
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        cut.json()
    sim.faults.inject(Fault.WRONG_CONTENT_TYPE)
    plain = await push(http, sim, json={**PUSH, "reference": "third"})
    assert (plain.status, plain.headers["Content-Type"]) == (201, "text/plain")
    assert plain.json()["status"] == "SENT"
    assert len(sim.transactions) == 3


async def test_fault_empty_body(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.inject(Fault.EMPTY_BODY, status=504)
    reply = await call(http, sim, "GET", TXS)
    assert (reply.status, reply.body) == (504, b"")


async def test_fault_error_presets(sim: PaylorSimulator, http: aiohttp.ClientSession) -> None:
    sim.faults.inject(Fault.VALIDATION_ERROR)
    sim.faults.inject(Fault.API_ERROR, status=403, code="MERCHANT_INACTIVE")
    first, second = await push(http, sim), await push(http, sim)
    assert (first.status, first.code) == (400, "VALIDATION_ERROR")
    assert (second.status, second.code) == (403, "MERCHANT_INACTIVE")
    assert sim.transactions == {}


async def test_fault_scoping_times_and_clear(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    sim.faults.inject(Fault.SERVER_ERROR, path=TXS, method="GET", times=2)
    assert (await push(http, sim)).status == 201  # other path: untouched
    assert (await call(http, sim, "GET", TXS)).status == 500
    assert (await call(http, sim, "GET", TXS)).status == 500
    assert (await call(http, sim, "GET", TXS)).status == 200
    sim.faults.inject(Fault.SERVER_ERROR, times=None)
    assert (await call(http, sim, "GET", TXS)).status == 500
    sim.faults.clear()
    assert (await call(http, sim, "GET", TXS)).status == 200


def test_fault_parameters_are_checked() -> None:
    sim = PaylorSimulator()
    with pytest.raises(TypeError, match="delay"):
        sim.faults.inject(Fault.DELAY)
    with pytest.raises(TypeError, match="retry_afterr"):
        sim.faults.inject(Fault.SERVICE_UNAVAILABLE, retry_afterr=1)
    with pytest.raises(ValueError, match="times"):
        sim.faults.inject(Fault.SERVER_ERROR, times=0)


# server-side rate limits --------------------------------------------------------------------


async def test_fixed_window(http: aiohttp.ClientSession) -> None:
    clock = ManualClock(start=1_000.0, wall_start=1_800_000_000.0)  # window [960, 1020)
    async with PaylorSimulator(clock=clock, rate_limits={"payments": (3, 60.0)}) as sim:
        replies = [await call(http, sim, "GET", TXS) for _ in range(4)]
        assert [r.status for r in replies] == [200, 200, 200, 429]
        assert [r.headers["X-RateLimit-Remaining"] for r in replies] == ["2", "1", "0", "0"]
        assert replies[3].code == "RATE_LIMIT_EXCEEDED"
        assert replies[3].headers["X-RateLimit-Reset"] == "2027-01-15T08:00:20.000Z"
        assert datetime.fromisoformat(replies[3].headers["X-RateLimit-Reset"]) == (
            datetime.fromtimestamp(1_800_000_020, UTC)
        )
        other = sim.create_key()  # limits are per key
        assert (await call(http, sim, "GET", TXS, key=other)).status == 200
        await clock.advance(19.9)
        assert (await call(http, sim, "GET", TXS)).status == 429
        await clock.advance(0.1)  # the next window starts at 1020
        assert (await call(http, sim, "GET", TXS)).headers["X-RateLimit-Remaining"] == "2"


async def test_sliding_window(http: aiohttp.ClientSession) -> None:
    clock = ManualClock(start=1_000.0)
    limits = {"payments": (3, 10.0)}
    async with PaylorSimulator(clock=clock, rate_limits=limits, window="sliding") as sim:
        for step in (0, 4, 4):  # accepted at 1000, 1004, 1008
            await clock.advance(step)
            assert (await call(http, sim, "GET", TXS)).status == 200
        await clock.advance(1)  # 1009: three in (999, 1009]
        rejected = await call(http, sim, "GET", TXS)
        assert rejected.status == 429
        assert rejected.headers["X-RateLimit-Reset"] == iso_ms(clock.wall() + 1)
        await clock.advance(1)  # 1010: the request at 1000 left (1000, 1010]
        accepted = await call(http, sim, "GET", TXS)
        assert (accepted.status, accepted.headers["X-RateLimit-Remaining"]) == (200, "0")


async def test_rate_limits_none(http: aiohttp.ClientSession) -> None:
    async with PaylorSimulator(rate_limits=None) as sim:
        reply = await call(http, sim, "GET", TXS)
        assert reply.status == 200
        assert "X-RateLimit-Limit" not in reply.headers


def test_window_helpers() -> None:
    assert fixed_window_start(1_019.99, 60.0) == 960.0
    assert fixed_window_start(1_020.0, 60.0) == 1_020.0
    stamps = deque([1.0, 5.0, 9.0])
    prune_sliding(stamps, 11.0, 10.0)
    assert list(stamps) == [5.0, 9.0]
    assert iso_ms(1_800_000_000.0004) == "2027-01-15T08:00:00.000Z"
    assert iso_ms(1_800_000_000.0004, ceil=True) == "2027-01-15T08:00:00.001Z"


def test_pure_helpers() -> None:
    assert parse_bearer("Bearer abc") == "abc"
    assert parse_bearer("bearer  abc ") == "abc"
    assert parse_bearer("Basic abc") is None
    assert parse_bearer("Bearer a b") is None
    found = match_route(ROUTES, "get", TXS + "/abc/")
    assert found is not None
    assert (found[0].name, found[1]) == ("get_transaction", {"transactionId": "abc"})
    assert match_route(ROUTES, "GET", TXS + "/a/b") is None


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
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/hook", received, statuses
    finally:
        await runner.cleanup()


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
