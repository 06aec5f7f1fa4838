"""Helpers shared by the M-Pesa product tests (payouts, B2B, crypto, wallet, channels)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

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


@asynccontextmanager
async def fake_paylor(answers: dict[str, Any]) -> AsyncIterator[PaylorClient]:
    """A bare HTTP server answering ``answers[path]`` (200, JSON) to any method, and a client
    for it: for the shapes the reference only GUESSES, which the simulator does not vary."""

    async def handler(request: web.Request) -> web.Response:
        answer = answers[request.path]
        if isinstance(answer, web.Response):
            return answer
        return web.json_response(answer)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        base = str(server.make_url("/api/v1"))
        async with PaylorClient("sk_test_fake", base_url=base, rate_limits=None) as paylor:
            yield paylor
    finally:
        await server.close()
