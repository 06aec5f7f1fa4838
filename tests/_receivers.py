"""Webhook receivers on loopback for the simulator's delivery tests, and a plain-HTTP push."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDict

from paylor_async.testing import PaylorSimulator

STK = "/merchants/payments/stk-push"
PUSH: dict[str, Any] = {"phone": "254712345678", "amount": 1_000, "reference": "ORDER-7"}

#: What a receiver does with one request: answer this status, or "hang" until released.
Action = int | str


class Receiver:
    """A small aiohttp.web app that records what it gets and answers from a script."""

    def __init__(self) -> None:
        self.received: list[tuple[CIMultiDict[str], bytes]] = []
        self.script: list[Action] = []  # consumed one per request; 200 once empty
        self.release = asyncio.Event()  # lets "hang" requests finish
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def close(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def bodies(self) -> list[bytes]:
        return [body for _, body in self.received]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append((CIMultiDict(request.headers), body))
        action = self.script.pop(0) if self.script else 200
        if action == "hang":
            await self.release.wait()
            action = 200
        assert isinstance(action, int)
        return web.json_response({"received": True}, status=action)


@pytest.fixture(name="receivers")
async def receivers_fixture() -> AsyncIterator[Callable[[], Awaitable[Receiver]]]:
    """``await receivers()`` starts one more receiver; all are closed afterwards."""
    started: list[Receiver] = []

    async def make() -> Receiver:
        receiver = Receiver()
        started.append(receiver)
        await receiver.start()
        return receiver

    try:
        yield make
    finally:
        for receiver in started:
            await receiver.close()


async def push(
    http: aiohttp.ClientSession, sim: PaylorSimulator, callback_url: str | None = None
) -> str:
    """An STK push over HTTP; returns the transaction id."""
    body = dict(PUSH) if callback_url is None else {**PUSH, "callbackUrl": callback_url}
    async with http.post(
        sim.base_url + STK, json=body, headers={"Authorization": f"Bearer {sim.api_key}"}
    ) as resp:
        assert resp.status == 201, await resp.text()
        return str((await resp.json())["transactionId"])
