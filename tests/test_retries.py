"""Retries against real faults from the simulator: one key, one transaction, typed failures."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from paylor_async import (
    APIConnectionError,
    APITimeoutError,
    ManualClock,
    PaylorClient,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from paylor_async.testing import Fault, PaylorSimulator

from .conftest import no_jitter

STK = "/merchants/payments/stk-push"
PUSH = {"phone": "0712345678", "amount": 100, "reference": "ORDER-R"}


@pytest.mark.parametrize(
    "fault",
    [
        Fault.SERVER_ERROR,
        Fault.BAD_GATEWAY_HTML,
        Fault.SERVICE_UNAVAILABLE,
        Fault.DROP_CONNECTION,
        Fault.EMPTY_BODY,
    ],
)
async def test_one_idempotency_key_across_retries(
    sim: PaylorSimulator, client: PaylorClient, fault: Fault
) -> None:
    sim.faults.inject(fault, path=STK, times=2)
    push = await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    attempts = sim.requests_for(STK)
    assert len(attempts) == 3
    keys = {r.headers["Idempotency-Key"] for r in attempts}
    assert keys == {push.idempotency_key}
    assert len({r.body for r in attempts}) == 1  # the same bytes every time
    assert len(sim.transactions_by_reference("ORDER-R")) == 1


@pytest.mark.parametrize("fault", [Fault.DROP_AFTER_CREATE, Fault.SERVER_ERROR_AFTER_CREATE])
async def test_retry_after_create_yields_one_transaction(
    sim: PaylorSimulator, client: PaylorClient, fault: Fault
) -> None:
    sim.faults.inject(fault, path=STK, times=1)
    push = await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    [tx] = sim.transactions_by_reference("ORDER-R")
    assert tx.id == push.transaction_id  # the replayed first response
    assert len(sim.requests_for(STK)) == 2


async def test_429_reset_is_honoured_exactly(sim: PaylorSimulator) -> None:
    reset = datetime.fromtimestamp(1_800_000_000 + 12, tz=UTC).isoformat()
    clock = ManualClock(autojump=True, wall_start=1_800_000_000.0)
    sim.faults.inject(Fault.RATE_LIMITED, path=STK, times=1, reset_at=reset)
    async with PaylorClient(
        sim.api_key, base_url=sim.base_url, clock=clock, retry_policy=RetryPolicy(jitter=no_jitter)
    ) as paylor:
        await paylor.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert clock.sleeps[0] == pytest.approx(12.0)


async def test_retry_after_seconds_is_honoured(
    sim: PaylorSimulator, client: PaylorClient, clock: ManualClock
) -> None:
    sim.faults.inject(Fault.SERVICE_UNAVAILABLE, path=STK, times=1, retry_after="3")
    await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert clock.sleeps == [3.0]


async def test_backoff_grows_between_retries(
    sim: PaylorSimulator, client: PaylorClient, clock: ManualClock
) -> None:
    sim.faults.inject(Fault.SERVER_ERROR, path=STK, times=3)
    await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_gives_up_after_max_retries_with_the_key(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.BAD_GATEWAY_HTML, path=STK, times=10)
    with pytest.raises(ServerError) as info:
        await client.payments.stk_push(**PUSH, idempotency_key="give-up-1")  # type: ignore[arg-type]
    err = info.value
    assert err.status == 502
    assert err.code is None
    assert err.idempotency_key == "give-up-1"
    assert err.reference == "ORDER-R"
    assert "<html" in err.body_excerpt.lower()
    assert len(sim.requests_for(STK)) == 4  # 1 + max_retries


async def test_429_after_retries_is_rate_limit_error(
    sim: PaylorSimulator, client: PaylorClient
) -> None:
    sim.faults.inject(Fault.RATE_LIMITED, path=STK, times=10, reset_after=1.0)
    with pytest.raises(RateLimitError) as info:
        await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert info.value.code == "RATE_LIMIT_EXCEEDED"


async def test_with_options_max_retries_zero(sim: PaylorSimulator, client: PaylorClient) -> None:
    sim.faults.inject(Fault.SERVER_ERROR, path=STK, times=1)
    with pytest.raises(ServerError):
        await client.with_options(max_retries=0).payments.stk_push(**PUSH)  # type: ignore[arg-type]
    assert len(sim.requests_for(STK)) == 1


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        ("fee", 402),
        ("channel", 404),
        ("scope", 403),
        ("key", 401),
        ("validation", 400),
    ],
)
async def test_client_errors_are_never_retried(
    sim: PaylorSimulator, clock: ManualClock, setup: str, status: int
) -> None:
    key = sim.api_key
    kwargs: dict[str, object] = dict(PUSH)
    if setup == "fee":
        sim.fee_wallet_balance = 0
    elif setup == "channel":
        kwargs["channel_id"] = "PAYL-ZZZZZZ"
    elif setup == "scope":
        key = sim.create_key(scopes=["transactions:read"])
    elif setup == "key":
        key = "sk_test_unknown_key_123"
    elif setup == "validation":
        kwargs["idempotency_key"] = "x" * 180
        sim.faults.inject(Fault.VALIDATION_ERROR, path=STK, times=1)
    async with PaylorClient(key, base_url=sim.base_url, clock=clock) as paylor:
        with pytest.raises(Exception) as info:
            await paylor.payments.stk_push(**kwargs)  # type: ignore[arg-type]
    assert getattr(info.value, "status", None) == status
    assert len(sim.requests_for(STK)) == 1
    assert clock.sleeps == []


async def test_timeout_is_retried_then_typed(sim: PaylorSimulator) -> None:
    sim.faults.inject(Fault.DELAY, path=STK, times=10, delay=5.0)
    async with PaylorClient(
        sim.api_key,
        base_url=sim.base_url,
        timeout=0.2,
        max_retries=1,
        clock=ManualClock(autojump=True),
    ) as paylor:
        with pytest.raises(APITimeoutError) as info:
            await paylor.payments.stk_push(**PUSH, idempotency_key="slow-1")  # type: ignore[arg-type]
    assert info.value.idempotency_key == "slow-1"
    assert info.value.reference == "ORDER-R"
    assert len(sim.requests_for(STK)) == 2


async def test_connection_refused_is_typed() -> None:
    async with PaylorClient(
        "sk_test_x_123456789",
        base_url="http://127.0.0.1:9/api/v1",
        max_retries=2,
        clock=ManualClock(autojump=True),
    ) as paylor:
        with pytest.raises(APIConnectionError) as info:
            await paylor.transactions.retrieve("665f4c1b9a8d2e001f2a1234")
    assert not isinstance(info.value, APITimeoutError)
    # Not chained: aiohttp exceptions carry the request headers, the API key among them.
    assert info.value.__cause__ is None
    assert "could not connect" in str(info.value)


async def test_each_retry_is_logged_at_info_without_secrets(
    sim: PaylorSimulator, client: PaylorClient, caplog: pytest.LogCaptureFixture
) -> None:
    sim.faults.inject(Fault.SERVER_ERROR, path=STK, times=2)
    with caplog.at_level(logging.DEBUG):
        await client.payments.stk_push(**PUSH)  # type: ignore[arg-type]
    retries = [r for r in caplog.records if r.name == "paylor_async"]
    assert [r.levelno for r in retries] == [logging.INFO, logging.INFO]
    assert retries[0].getMessage() == "retry 1 of 3 after 0.50 s: 500 on POST " + STK
    assert retries[1].getMessage() == "retry 2 of 3 after 1.00 s: 500 on POST " + STK
    assert sim.api_key not in caplog.text


async def test_a_429_pauses_the_whole_group() -> None:
    clock = ManualClock()
    async with (
        PaylorSimulator(clock=clock, rate_limits=None) as sim,
        PaylorClient(sim.api_key, base_url=sim.base_url, clock=clock) as paylor,
    ):
        sim.faults.inject(Fault.RATE_LIMITED, path=STK, times=1, reset_after=5.0)
        first = asyncio.create_task(paylor.payments.stk_push(**PUSH))  # type: ignore[arg-type]
        for _ in range(500):
            if sim.requests_for(STK):
                break
            await asyncio.sleep(0.002)
        limited_at = clock.now()
        await asyncio.sleep(0.05)  # let the 429 reach the client and pause the group
        other = asyncio.create_task(
            paylor.payments.stk_push(phone="0712345678", amount=5, reference="OTHER")
        )
        await clock.advance(4.9)
        await asyncio.sleep(0.05)
        assert len(sim.requests_for(STK)) == 1  # nobody got through during the pause
        await clock.advance(0.2)
        await asyncio.wait_for(asyncio.gather(first, other), timeout=5)
    later = sim.requests_for(STK)[1:]
    assert len(later) == 2
    assert all(r.received_at >= limited_at + 5.0 for r in later)
