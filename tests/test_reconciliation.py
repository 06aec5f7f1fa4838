"""Reconciliation: ``wait_for_final`` on a controllable clock and ``find_by_reference``."""

from __future__ import annotations

import asyncio

import pytest

from paylor_async import (
    InvalidParameterError,
    ManualClock,
    NotFoundError,
    PaylorClient,
    RetryPolicy,
    TransactionStatus,
    WaitTimeoutError,
)
from paylor_async.testing import Fault, PaylorSimulator

from ._servers import serve
from .conftest import no_jitter

GET_TX = "get_transaction"


@pytest.fixture
def stepped() -> ManualClock:
    """A clock that moves only when the test advances it."""
    return ManualClock()


@pytest.fixture
async def stepped_client(sim: PaylorSimulator, stepped: ManualClock):  # type: ignore[no-untyped-def]
    async with PaylorClient(
        sim.api_key,
        base_url=sim.base_url,
        rate_limits=None,
        retry_policy=RetryPolicy(jitter=no_jitter),
        clock=stepped,
    ) as paylor:
        yield paylor


async def push(client: PaylorClient, reference: str = "ORDER-1") -> str:
    result = await client.payments.stk_push(phone="0712345678", amount=100, reference=reference)
    return result.transaction_id


async def polls_reach(sim: PaylorSimulator, n: int) -> None:
    async with asyncio.timeout(5):
        while len(sim.requests_for(GET_TX)) < n:
            await asyncio.sleep(0.001)


async def test_wait_for_final_returns_on_completion(
    sim: PaylorSimulator, stepped_client: PaylorClient, stepped: ManualClock
) -> None:
    tid = await push(stepped_client)
    start = stepped.now()
    waiter = asyncio.create_task(stepped_client.transactions.wait_for_final(tid, timeout=60))
    await polls_reach(sim, 1)  # the first poll is immediate
    await stepped.advance(2.0)
    await polls_reach(sim, 2)
    await sim.complete(tid, mpesa_receipt="RFL8S2K9P0")
    await stepped.advance(3.0)  # 2 s x 1.5
    tx = await asyncio.wait_for(waiter, 5)
    assert tx.status is TransactionStatus.COMPLETED
    assert tx.mpesa_receipt == "RFL8S2K9P0"
    assert len(sim.requests_for(GET_TX)) == 3
    assert stepped.now() - start == pytest.approx(5.0)


async def test_wait_for_final_returns_a_failure_without_raising(
    sim: PaylorSimulator, stepped_client: PaylorClient, stepped: ManualClock
) -> None:
    tid = await push(stepped_client)
    waiter = asyncio.create_task(stepped_client.transactions.wait_for_final(tid))
    await polls_reach(sim, 1)
    await sim.fail(tid, result_code=1032)
    await stepped.advance(2.0)
    tx = await asyncio.wait_for(waiter, 5)
    assert tx.status is TransactionStatus.FAILED
    assert not tx.status.is_success


async def test_wait_for_final_times_out_with_last_status(
    sim: PaylorSimulator, client: PaylorClient, clock: ManualClock
) -> None:
    tid = await push(client)
    start = clock.now()
    with pytest.raises(WaitTimeoutError) as caught:
        await client.transactions.wait_for_final(
            tid, timeout=30, poll_interval=2, max_poll_interval=8
        )
    err = caught.value
    assert isinstance(err, TimeoutError)
    assert err.transaction_id == tid
    assert err.last_status == "STK_SENT"
    assert err.transaction is not None
    assert err.transaction.id == tid
    # Backoff between polls: 2, 3, 4.5, 6.75, then capped at 8; the last sleep is cut to
    # the deadline. Nothing polled after it.
    assert clock.sleeps == pytest.approx([2, 3, 4.5, 6.75, 8, 5.75])
    assert clock.now() - start == pytest.approx(30)
    assert len(sim.requests_for(GET_TX)) == 7
    assert "STK_SENT" in str(err)


async def test_wait_for_final_keeps_polling_through_server_errors(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    tid = await push(client)
    await sim.complete(tid)
    quiet = client.with_options(max_retries=0)
    sim.faults.inject(Fault.SERVER_ERROR, path=f"/merchants/payments/transactions/{tid}", times=2)
    tx = await quiet.transactions.wait_for_final(tid, timeout=60)
    assert tx.status is TransactionStatus.COMPLETED
    assert len(sim.requests_for(GET_TX)) == 3


async def test_wait_for_final_unknown_transaction_is_not_found(client: PaylorClient) -> None:
    with pytest.raises(NotFoundError):
        await client.transactions.wait_for_final("665f4c1b9a8d2e001f2a9999")


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": 0}, {"timeout": -1}, {"poll_interval": float("nan")}, {"max_poll_interval": True}],
)
async def test_wait_for_final_refuses_bad_timing(
    sim: PaylorSimulator, client: PaylorClient, kwargs: dict[str, object]
) -> None:
    with pytest.raises(InvalidParameterError):
        await client.transactions.wait_for_final("665f4c1b9a8d2e001f2a1234", **kwargs)  # type: ignore[arg-type]
    assert sim.requests == []


async def test_find_by_reference_walks_pages_newest_first(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    first = await push(client, "INV-7")
    for n in range(5):
        await push(client, f"OTHER-{n}")
    second = await push(client, "INV-7")
    found = await client.transactions.find_by_reference("INV-7", page_size=2)
    assert [tx.id for tx in found] == [second, first]
    assert all(tx.reference == "INV-7" for tx in found)
    assert len(sim.requests_for("list_transactions")) == 4  # 7 transactions, 2 per page


async def test_find_by_reference_stops_at_max_pages(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    await push(client, "OLD")
    for n in range(4):
        await push(client, f"NEW-{n}")
    assert await client.transactions.find_by_reference("OLD", page_size=2, max_pages=2) == []
    assert len(sim.requests_for("list_transactions")) == 2
    assert len(await client.transactions.find_by_reference("OLD", page_size=2, max_pages=3)) == 1


async def test_find_by_reference_refuses_bad_arguments(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    with pytest.raises(InvalidParameterError):
        await client.transactions.find_by_reference("")
    with pytest.raises(InvalidParameterError):
        await client.transactions.find_by_reference("X", max_pages=0)
    assert sim.requests == []


async def test_wait_for_final_deadline_cuts_a_hanging_poll() -> None:
    """A server that never answers: the deadline wins over the client's timeout and retries."""
    from aiohttp import web

    hits: list[str] = []

    async def hang(request: web.Request) -> web.Response:
        hits.append(request.path)
        await asyncio.sleep(30)
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/{tail:.*}", hang)
    async with (
        serve(app) as base,
        PaylorClient("sk_test_hang_0001", base_url=f"{base}/api/v1", timeout=20) as client,
    ):
        with pytest.raises(WaitTimeoutError) as caught:
            async with asyncio.timeout(15):  # a guard: without the fix this takes 80 s
                await client.transactions.wait_for_final("665f4c1b9a8d2e001f2a1234", timeout=0.2)
    assert len(hits) == 1  # one poll, cut at the deadline: no retry, no second poll
    assert caught.value.last_status is None
    assert isinstance(caught.value.last_error, TimeoutError)
