"""Helpers shared by the M-Pesa product tests (payouts, B2B, crypto, wallet, channels)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import pytest

from paylor_async import PaylorClient, PermissionDeniedError
from paylor_async.testing import ALL_SCOPES, PaylorSimulator, RecordedRequest

Call = Callable[[PaylorClient], Awaitable[object]]


def last_request(sim: PaylorSimulator, route: str) -> RecordedRequest:
    requests = sim.requests_for(route)
    assert requests, f"no request to {route}"
    return requests[-1]


def wire_body(request: RecordedRequest) -> Any:
    """The body exactly as sent, parsed without turning numbers into anything lossy."""
    return json.loads(request.body)


async def assert_missing_scope(
    sim: PaylorSimulator,
    call: Call,
    *,
    route: str,
    required: str,
    also_without: Iterable[str] = (),
) -> PermissionDeniedError:
    """A key with every scope but ``required`` gets a 403 that names ``required``."""
    withheld = {required, *also_without}
    key = sim.create_key(scopes=[s for s in ALL_SCOPES if s not in withheld])
    async with PaylorClient(key, base_url=sim.base_url, rate_limits=None) as paylor:
        with pytest.raises(PermissionDeniedError) as info:
            await call(paylor)
    assert info.value.status == 403
    assert info.value.required_scope == required
    assert f"Missing API key scope: {required}" in info.value.message
    assert sim.requests_for(route)[-1].status == 403
    return info.value


async def collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]
