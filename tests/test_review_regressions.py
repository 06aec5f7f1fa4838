"""Regressions found in review: each test failed before its fix."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from paylor_async import (
    APIError,
    ClientClosedError,
    InvalidAmountError,
    InvalidParameterError,
    InvalidPhoneNumberError,
    ManualClock,
    PaylorClient,
    PaymentRequiredError,
    RetryPolicy,
    normalize_phone,
)
from paylor_async.resources._paging import MAX_STALE_PAGES
from paylor_async.testing import Fault, PaylorSimulator

from ._servers import serve

STK = "/merchants/payments/stk-push"
PUSH = {"phone": "0712345678", "amount": 100, "reference": "REG"}


@pytest.mark.parametrize("phone", ["+712345678", "+0712345678", "+112345678"])
def test_plus_must_be_followed_by_the_country_code(phone: str) -> None:
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone(phone)


async def test_absurd_amounts_are_typed_and_send_nothing(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    for amount in (10**5000, 10**13):
        with pytest.raises(InvalidAmountError):
            await client.payments.stk_push(phone="0712345678", amount=amount, reference="A")
    assert sim.requests == []


@pytest.mark.parametrize("tid", [".", "..", "..."])
async def test_dot_ids_send_nothing(sim: PaylorSimulator, client: PaylorClient, tid: str) -> None:
    with pytest.raises(InvalidParameterError):
        await client.transactions.retrieve(tid)
    assert sim.requests == []


def test_retry_policy_max_retries_is_respected() -> None:
    client = PaylorClient("sk_test_abcdefgh12345678", retry_policy=RetryPolicy(max_retries=5))
    assert client.max_retries == 5
    assert PaylorClient("sk_test_abcdefgh12345678").max_retries == 3


async def test_aclose_during_backoff_gives_client_closed(sim: PaylorSimulator) -> None:
    clock = ManualClock()
    paylor = PaylorClient(sim.api_key, base_url=sim.base_url, clock=clock)
    sim.faults.inject(Fault.SERVER_ERROR, path=STK, times=1)
    task = asyncio.create_task(paylor.payments.stk_push(**PUSH))  # type: ignore[arg-type]
    for _ in range(500):
        if clock.sleeps:
            break
        await asyncio.sleep(0.002)
    await paylor.aclose()
    await clock.advance(10)
    with pytest.raises(ClientClosedError):
        await task


async def test_user_session_raising_for_status_does_not_turn_4xx_into_retries(
    sim: PaylorSimulator,
) -> None:
    sim.fee_wallet_balance = 0
    async with (
        aiohttp.ClientSession(raise_for_status=True) as session,
        PaylorClient(sim.api_key, base_url=sim.base_url, session=session) as paylor,
    ):
        with pytest.raises(PaymentRequiredError):
            await paylor.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert len(sim.requests_for(STK)) == 1


@pytest.fixture
async def odd_server() -> AsyncIterator[tuple[str, dict[str, object]]]:
    """A tiny server whose answers the test chooses."""
    state: dict[str, object] = {}

    async def handle(request: web.Request) -> web.StreamResponse:
        handler = state["handler"]
        return await handler(request)  # type: ignore[operator, no-any-return]

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    async with serve(app) as base:
        yield f"{base}/api/v1", state


async def test_gzip_body_cannot_slip_past_the_size_cap(
    odd_server: tuple[str, dict[str, object]],
) -> None:
    url, state = odd_server
    big = gzip.compress(b'{"id": "a", "status": "SENT", "pad": "' + b"x" * 2_000_000 + b'"}')

    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=big, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    state["handler"] = handler
    async with PaylorClient(
        "sk_test_abcdefgh12345678", base_url=url, max_response_bytes=100_000
    ) as p:
        with pytest.raises(APIError, match="larger than"):
            await p.transactions.retrieve("665f4c1b9a8d2e001f2a1234")


def _tx(i: int) -> dict[str, object]:
    return {"id": f"{i:024x}", "status": "COMPLETED", "reference": f"R-{i}"}


async def test_list_trusts_total_over_a_capped_page(
    odd_server: tuple[str, dict[str, object]],
) -> None:
    url, state = odd_server
    items = [_tx(i) for i in range(45)]

    async def handler(request: web.Request) -> web.Response:
        offset = int(request.query["offset"])
        page = items[offset : offset + 20]  # the server caps limit at 20
        return web.json_response({"transactions": page, "total": len(items)})

    state["handler"] = handler
    async with PaylorClient("sk_test_abcdefgh12345678", base_url=url, rate_limits=None) as p:
        got = [tx.reference async for tx in p.transactions.list(page_size=50)]
    assert got == [f"R-{i}" for i in range(45)]


async def test_list_ends_when_the_server_ignores_offset(
    odd_server: tuple[str, dict[str, object]],
) -> None:
    url, state = odd_server
    calls = 0

    async def handler(_: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        return web.json_response({"transactions": [_tx(1), _tx(2)]})

    state["handler"] = handler
    async with PaylorClient("sk_test_abcdefgh12345678", base_url=url, rate_limits=None) as p:
        got = [tx.id async for tx in p.transactions.list(page_size=2)]
    assert len(got) == 2
    assert calls == 1 + MAX_STALE_PAGES  # bounded, not an endless loop


async def test_list_walks_past_capped_pages_without_a_total(
    odd_server: tuple[str, dict[str, object]],
) -> None:
    """A server capping limit at 20 and sending no total: a short page is not the end."""
    url, state = odd_server
    items = [_tx(i) for i in range(150)]

    async def handler(request: web.Request) -> web.Response:
        offset = int(request.query["offset"])
        return web.json_response({"transactions": items[offset : offset + 20]})

    state["handler"] = handler
    async with PaylorClient("sk_test_abcdefgh12345678", base_url=url, rate_limits=None) as p:
        found = await p.transactions.find_by_reference("R-120", page_size=50, max_pages=20)
        listed = [tx async for tx in p.transactions.list(page_size=50)]
    assert [tx.reference for tx in found] == ["R-120"]
    assert len(listed) == 150


async def test_list_survives_a_burst_of_new_transactions_mid_walk(
    odd_server: tuple[str, dict[str, object]],
) -> None:
    """50 new transactions arrive after the first page: the next page is all repeats."""
    url, state = odd_server
    items = [_tx(i) for i in range(100, 250)]  # newest first
    served = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal served, items
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        page = items[offset : offset + limit]
        served += 1
        if served == 1:
            items = [_tx(i) for i in range(50)] + items  # the burst lands at the front
        return web.json_response({"transactions": page, "total": len(items)})

    state["handler"] = handler
    async with PaylorClient("sk_test_abcdefgh12345678", base_url=url, rate_limits=None) as p:
        found = await p.transactions.find_by_reference("R-240", page_size=50, max_pages=10)
    assert [tx.reference for tx in found] == ["R-240"]


async def test_infinity_in_json_is_a_typed_error(
    odd_server: tuple[str, dict[str, object]],
) -> None:
    url, state = odd_server

    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=b'{"transactions": [], "total": Infinity}')

    state["handler"] = handler
    async with PaylorClient("sk_test_abcdefgh12345678", base_url=url, rate_limits=None) as p:
        with pytest.raises(APIError):
            [tx async for tx in p.transactions.list()]
    assert json.loads('{"a": 1}') == {"a": 1}
