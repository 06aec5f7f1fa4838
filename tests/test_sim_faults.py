"""The simulator's fault switches and server-side rate limits, over plain aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import UTC, datetime

import aiohttp
import pytest

from paylor_async._clock import ManualClock
from paylor_async.testing import Fault, PaylorSimulator
from paylor_async.testing._app import parse_bearer
from paylor_async.testing._handlers import ROUTES
from paylor_async.testing._ids import iso_ms
from paylor_async.testing._ratelimit import fixed_window_start, prune_sliding
from paylor_async.testing._routing import match_route

from ._sim_http import (
    PUSH,
    STK,
    TXS,
    call,
    eventually,
    push,
)

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
