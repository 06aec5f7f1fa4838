"""Retries of the simulator's webhook deliveries: backoff on the sim clock, timeouts, close."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from paylor_async._clock import ManualClock
from paylor_async.testing import DeliveryPolicy, PaylorSimulator
from paylor_async.webhooks import verify_signature

from ._receivers import Receiver, push, receivers_fixture  # noqa: F401 - a fixture

MakeReceiver = Callable[[], Awaitable[Receiver]]


@pytest.fixture
async def sim() -> AsyncIterator[PaylorSimulator]:
    async with PaylorSimulator(clock=ManualClock(autojump=True)) as simulator:
        yield simulator


@pytest.mark.parametrize(
    ("policy", "delays"),
    [
        (DeliveryPolicy(), [0.0, 1.0, 2.0, 4.0, 8.0]),
        (DeliveryPolicy(backoff=0.5, max_attempts=3), [0.0, 0.5, 1.0]),
        (DeliveryPolicy(backoff=10, max_backoff=25, max_attempts=6), [0, 10, 20, 25, 25, 25]),
        (DeliveryPolicy(backoff=0), [0.0] * 5),
    ],
)
def test_backoff_doubles_per_attempt_up_to_the_cap(
    policy: DeliveryPolicy, delays: list[float]
) -> None:
    got = [policy.delay_before(n) for n in range(1, policy.max_attempts + 1)]
    assert got == delays


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"max_attempts": 0},
        {"max_attempts": 1.5},
        {"max_attempts": True},
        {"backoff": -0.1},
        {"max_backoff": -1},
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        DeliveryPolicy(**kwargs)  # type: ignore[arg-type]


async def test_500_twice_then_200_is_three_attempts_with_growing_backoff(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = [500, 500, 200]
    tx_id = await push(http, sim, hook.url)
    await sim.complete(tx_id)  # the first attempt is awaited, retries follow
    [first] = sim.webhook_deliveries
    assert (first.attempt, first.status, first.ok) == (1, 500, False)
    log = await sim.drain_deliveries()
    assert [(d.attempt, d.status) for d in log] == [(1, 500), (2, 500), (3, 200)]
    assert {d.delivery_id for d in log} == {first.delivery_id}
    assert [b.sent_at - a.sent_at for a, b in itertools.pairwise(log)] == [1.0, 2.0]
    assert len(hook.received) == 3
    assert len(set(hook.bodies)) == 1  # the same bytes every time
    for headers, body in hook.received:
        verify_signature(body, headers["X-Webhook-Signature"], sim.webhook_secret)
    await asyncio.sleep(0.01)
    assert len(hook.received) == 3  # a 2xx ends the attempts


async def test_a_receiver_that_times_out_is_retried(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = ["hang", 200]
    sim.delivery_policy = DeliveryPolicy(timeout=0.2, max_attempts=3)
    await sim.complete(await push(http, sim, hook.url))
    timed_out, accepted = await sim.drain_deliveries()
    assert (timed_out.status, timed_out.ok) == (None, False)
    assert timed_out.error == "timed out after 0.2 s"
    assert (accepted.attempt, accepted.status, accepted.error) == (2, 200, None)
    assert accepted.sent_at - timed_out.sent_at == 1.0


async def test_max_attempts_is_respected(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = [500] * 10
    sim.delivery_policy = DeliveryPolicy(max_attempts=3, backoff=2)
    await sim.complete(await push(http, sim, hook.url))
    log = await sim.drain_deliveries()
    assert [(d.attempt, d.status) for d in log] == [(1, 500), (2, 500), (3, 500)]
    assert [b.sent_at - a.sent_at for a, b in itertools.pairwise(log)] == [2.0, 4.0]
    assert len(hook.received) == 3


async def test_one_attempt_policy_never_retries(
    sim: PaylorSimulator, http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = [500]
    sim.delivery_policy = DeliveryPolicy(max_attempts=1)
    await sim.complete(await push(http, sim, hook.url))
    assert [d.status for d in await sim.drain_deliveries()] == [500]


async def test_a_refused_connection_is_retried_and_recorded(
    sim: PaylorSimulator, http: aiohttp.ClientSession
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    sim.delivery_policy = DeliveryPolicy(max_attempts=2)
    await sim.complete(await push(http, sim, dead))
    log = await sim.drain_deliveries()
    assert [(d.attempt, d.status) for d in log] == [(1, None), (2, None)]
    assert all(d.error and "Connect" in d.error for d in log)


async def test_retries_of_one_event_do_not_hold_up_another(
    http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    failing, healthy = await receivers(), await receivers()
    failing.script = [500, 200]
    clock = ManualClock()  # moves only when told: the retry waits
    async with PaylorSimulator(clock=clock) as sim:
        await sim.complete(await push(http, sim, failing.url))
        await sim.complete(await push(http, sim, healthy.url))
        assert len(healthy.received) == 1
        assert len(failing.received) == 1
        with pytest.raises(TimeoutError):
            await sim.drain_deliveries(timeout=0.05)  # the retry waits on the sim clock
        await clock.advance(1)
        log = await sim.drain_deliveries()
        assert [(d.url, d.attempt, d.status) for d in log] == [
            (failing.url, 1, 500),
            (healthy.url, 1, 200),
            (failing.url, 2, 200),
        ]


async def test_policy_in_force_when_the_event_was_sent_governs_its_retries(
    http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = [500, 500, 500]
    clock = ManualClock()
    async with PaylorSimulator(clock=clock) as sim:
        sim.delivery_policy = DeliveryPolicy(max_attempts=2)
        await sim.complete(await push(http, sim, hook.url))
        sim.delivery_policy = DeliveryPolicy(max_attempts=5)
        await clock.advance(100)
        assert [d.attempt for d in await sim.drain_deliveries()] == [1, 2]


async def test_close_with_a_retry_pending_leaves_nothing_running(
    http: aiohttp.ClientSession, receivers: MakeReceiver
) -> None:
    hook = await receivers()
    hook.script = [500, 500]
    clock = ManualClock()
    others = asyncio.all_tasks()
    sim = PaylorSimulator(clock=clock)
    await sim.start()
    await sim.complete(await push(http, sim, hook.url))
    assert clock.pending_timers == 1  # the retry's backoff sleep
    assert len(asyncio.all_tasks() - others) >= 2  # a retry task besides the server's
    async with asyncio.timeout(5):  # close must not wait for the retry
        await sim.close()
    assert clock.pending_timers == 0
    assert asyncio.all_tasks() - others == set()
    await clock.advance(60)
    await asyncio.sleep(0.01)
    assert len(hook.received) == 1
    assert len(sim.webhook_deliveries) == 1
    await sim.drain_deliveries(timeout=0.05)  # nothing left to wait for
