"""Helpers shared by the Global tests: clients with chosen scopes, the wire of the last call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from paylor_async import ManualClock, PaylorClient
from paylor_async.testing import PaylorSimulator


@asynccontextmanager
async def client_with(
    sim: PaylorSimulator, scopes: Iterable[str], clock: ManualClock | None = None
) -> AsyncIterator[PaylorClient]:
    """A client whose key holds exactly ``scopes``."""
    async with PaylorClient(
        sim.create_key(scopes=list(scopes)),
        base_url=sim.base_url,
        rate_limits=None,
        max_retries=0,
        clock=clock or ManualClock(autojump=True),
        timeout=10,
    ) as paylor:
        yield paylor


def last_json(sim: PaylorSimulator, route: str) -> Any:
    """The parsed body of the last request to ``route``."""
    return sim.requests_for(route)[-1].json


def details(error: Any) -> list[tuple[str | None, str | None]]:
    """``(path, message)`` of each detail of an APIError."""
    return [(d.path, d.message) for d in error.details]


async def send_raw(client: PaylorClient, name: str, body: Any, key: str | None = None) -> Any:
    """Send ``body`` as is to the endpoint ``name`` (bypassing the SDK's own checks), to see
    the simulator's server-side validation; returns the decoded body."""
    from paylor_async._endpoints import endpoint

    transport = client._transport
    response = await transport.request(
        endpoint(name), client._options, body=body, idempotency_key=key
    )
    return response.data
