"""Shared fixtures: a simulator on loopback and a client pointed at it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import aiohttp
import pytest

from paylor_async import ManualClock, PaylorClient, RetryPolicy
from paylor_async.testing import PaylorSimulator

# Every event loop of the suite runs in asyncio's debug mode: never-awaited coroutines, slow
# callbacks and non-threadsafe calls are reported (ResourceWarning is an error: pyproject).
os.environ["PYTHONASYNCIODEBUG"] = "1"


def no_jitter(value: float) -> float:
    """Backoff without randomness, so tests can assert exact delays."""
    return value


@pytest.fixture
async def sim() -> AsyncIterator[PaylorSimulator]:
    async with PaylorSimulator() as simulator:
        yield simulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp session, for talking to the simulator without the SDK."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def clock() -> ManualClock:
    """Retry sleeps jump this clock instead of waiting; ``clock.sleeps`` records them."""
    return ManualClock(autojump=True)


@pytest.fixture
async def client(sim: PaylorSimulator, clock: ManualClock) -> AsyncIterator[PaylorClient]:
    async with PaylorClient(
        sim.api_key,
        base_url=sim.base_url,
        rate_limits=None,
        retry_policy=RetryPolicy(jitter=no_jitter),
        clock=clock,
        timeout=10,
    ) as paylor:
        yield paylor
